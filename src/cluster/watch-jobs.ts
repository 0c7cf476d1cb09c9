// The producer side of camera assignment: one "watch" job per streamable camera (job id
// camera-<id>), kept in line with the camera registry, and a pub/sub note to the ingest nodes when a
// camera changes. Used by api nodes on every registry change and by every ingest node's reconcile.

import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { ClusterKeys } from './cluster-keys.js';

export interface WatchJobData { cameraId: string }

/** BullMQ refuses integer-like custom ids; camera ids may be digits only. */
export const watchJobId = (cameraId: string): string => `camera-${cameraId}`;

export class WatchJobs {
  readonly #queue: Queue<WatchJobData>;
  readonly #redis: Redis;
  readonly #keys: ClusterKeys;
  readonly #log: Logger;

  constructor(redisUrl: string, redis: Redis, keys: ClusterKeys, logger: Logger) {
    this.#queue = new Queue<WatchJobData>(keys.watchQueue, { connection: { url: redisUrl } });
    this.#queue.on('error', (err) => logger.warn({ err: err.message }, 'watch queue connection error'));
    this.#redis = redis;
    this.#keys = keys;
    this.#log = logger;
  }

  /** A camera changed in the registry: its job exists iff it may stream, and its watcher is told. */
  async changed(cameraId: string, streamable: boolean): Promise<void> {
    if (streamable) await this.#ensure([cameraId]);
    else await this.#dropWaiting(new Set([cameraId]));
    await this.#redis.publish(this.#keys.cameraChanges, cameraId);
  }

  /** Makes the jobs match the registry: a job for each streamable camera, none waiting for a camera gone. */
  async reconcile(streamable: readonly string[]): Promise<void> {
    await this.#ensure(streamable);
    const keep = new Set(streamable);
    const waiting = await this.#queue.getJobs(['waiting', 'delayed', 'prioritized']);
    await this.#dropWaiting(new Set(waiting.map((j) => j.data.cameraId).filter((id) => !keep.has(id))));
  }

  /** Cameras to share out: jobs waiting or being watched. */
  async total(): Promise<number> {
    const c = await this.#queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
    return Object.values(c).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await this.#queue.close();
  }

  async #ensure(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    // A fixed job id makes this a no-op for a camera whose job exists (waiting or being watched).
    await this.#queue.addBulk(ids.map((cameraId) => ({
      name: 'watch', data: { cameraId }, opts: { jobId: watchJobId(cameraId), removeOnComplete: true, removeOnFail: true },
    })));
  }

  async #dropWaiting(ids: ReadonlySet<string>): Promise<void> {
    for (const id of ids) {
      // A job being watched is locked and cannot be removed: its watcher ends it when told (or at its reconcile).
      await this.#queue.remove(watchJobId(id)).catch((err: unknown) => this.#log.debug({ cameraId: id, err: (err as Error).message }, 'watch job not removed'));
    }
  }
}
