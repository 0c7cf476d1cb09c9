// An ingest node's share of the cameras, through BullMQ: each streamable camera is one long-running
// "watch" job. The node takes jobs (manual fetching) while it holds fewer than its fair share, renews
// their locks itself, and watches each camera it holds. A node that dies stops renewing: its locks
// lapse and BullMQ's stalled-job check puts its jobs back in `wait` for the others. A node that
// cannot renew stops watching before its lock can lapse, so two nodes never watch one camera for
// long (docs/architecture.md, "Several nodes", gives the timings).

import { Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import type { CameraConfig, ClusterConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { ClusterKeys } from './cluster-keys.js';
import { excessOver, fairShare } from './fair-share.js';
import { NodeMembership } from './node-membership.js';
import { WatchJobs, type WatchJobData } from './watch-jobs.js';
import { WatchLog } from './watch-log.js';

/** What watching a camera means here: the stream supervisor, in the service. */
export interface CameraWatcher {
  add(camera: CameraConfig): Promise<void>;
  remove(cameraId: string): Promise<void>;
}

/** The camera registry, as the node reads it (main.ts passes the CameraRegistry). */
export interface CameraSource {
  runtime(cameraId: string): Promise<CameraConfig | null>;
  /** Every camera that may stream, by id. */
  runtimes(): Promise<Map<string, CameraConfig>>;
}

export interface WatchNodeOptions {
  redisUrl: string;
  keys: ClusterKeys;
  nodeId: string;
  cluster: ClusterConfig;
  cameras: CameraSource;
  watcher: CameraWatcher;
  logger: Logger;
}

interface Held { job: Job<WatchJobData>; token: string; renewedAt: number; key: string }

/**
 * Stalls never fail a watch job: it is expected to move from node to node for as long as the
 * camera exists (BullMQ fails a job stalled more than maxStalledCount times).
 */
const NEVER_FAIL_STALLS = 1_000_000_000;

export class WatchNode {
  readonly #o: WatchNodeOptions;
  readonly #held = new Map<string, Held>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #redis!: Redis;
  #sub!: Redis;
  #worker!: Worker<WatchJobData>;
  #jobs!: WatchJobs;
  #membership!: NodeMembership;
  #watchLog!: WatchLog;
  #target = 0;
  #seq = 0;
  #closing = false;
  #chain: Promise<unknown> = Promise.resolve();
  #wake: (() => void) | null = null;
  #loop: Promise<void> = Promise.resolve();

  constructor(o: WatchNodeOptions) {
    this.#o = o;
  }

  get nodeId(): string {
    return this.#o.nodeId;
  }

  /** Cameras this node watches now, and how many it should. */
  state(): { nodeId: string; cameras: string[]; target: number } {
    return { nodeId: this.#o.nodeId, cameras: [...this.#held.keys()].sort(), target: this.#target };
  }

  async start(): Promise<void> {
    const { redisUrl, keys, cluster, logger } = this.#o;
    this.#redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
    this.#sub = new Redis(redisUrl, { maxRetriesPerRequest: null });
    for (const r of [this.#redis, this.#sub]) r.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
    this.#jobs = new WatchJobs(redisUrl, this.#redis, keys, logger);
    this.#membership = new NodeMembership(this.#redis, keys.nodes, this.#o.nodeId, cluster.nodeTtlMs);
    this.#watchLog = new WatchLog(this.#redis, keys.watchLog);
    this.#worker = new Worker<WatchJobData>(keys.watchQueue, null, {
      connection: { url: redisUrl, maxRetriesPerRequest: null },
      autorun: false,
      lockDuration: cluster.lockDurationMs,
      stalledInterval: cluster.stalledIntervalMs,
      maxStalledCount: NEVER_FAIL_STALLS,
      // Seconds a fetch blocks on an empty queue: also how long close() may wait for the fetch loop.
      drainDelay: 1,
    });
    this.#worker.on('error', (err) => logger.warn({ err: err.message }, 'watch worker error'));
    await this.#worker.waitUntilReady();
    void this.#worker.startStalledCheckTimer();
    this.#sub.on('message', (_channel, cameraId: string) => void this.#serial(() => this.#refresh(cameraId)));
    await this.#sub.subscribe(keys.cameraChanges);
    await this.#reconcile();
    await this.#tick();
    this.#every(cluster.heartbeatMs, () => this.#tick());
    this.#every(Math.round(cluster.lockDurationMs / 3), () => this.#renew());
    this.#every(cluster.reconcileMs, () => this.#reconcile());
    // Nodes started together see each other's first heartbeat before taking cameras, instead of one taking all.
    this.#timers.add(setTimeout(() => { this.#loop = this.#fetchLoop(); }, cluster.heartbeatMs));
    logger.info({ nodeId: this.#o.nodeId, target: this.#target }, 'ingest node joined');
  }

  /** Stops watching, hands every camera back at once (no lock to wait for) and leaves. */
  async close(): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    for (const t of this.#timers) clearTimeout(t);
    this.#wake?.();
    await this.#loop;
    await this.#serial(() => Promise.all([...this.#held.keys()].map((id) => this.#release(id, 'wait'))));
    await this.#membership.leave().catch(() => undefined);
    await this.#worker.close();
    await this.#jobs.close();
    await this.#sub.quit().catch(() => undefined);
    await this.#redis.quit().catch(() => undefined);
  }

  #every(ms: number, work: () => Promise<void>): void {
    const run = () => {
      const t = setTimeout(() => {
        this.#timers.delete(t);
        void work().catch((err: unknown) => this.#o.logger.warn({ err: (err as Error).message }, 'ingest node task failed')).finally(() => {
          if (!this.#closing) run();
        });
      }, ms);
      this.#timers.add(t);
    };
    run();
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(work, work);
    this.#chain = next.catch((err: unknown) => this.#o.logger.warn({ err: (err as Error).message }, 'camera hand-over step failed'));
    return next;
  }

  async #fetchLoop(): Promise<void> {
    while (!this.#closing) {
      if (this.#held.size >= this.#target) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          setTimeout(resolve, 1000);
        });
        continue;
      }
      const token = `${this.#o.nodeId}:${this.#seq++}`;
      const job = await this.#worker.getNextJob(token, { block: true }).catch((err: unknown) => {
        this.#o.logger.warn({ err: (err as Error).message }, 'could not fetch a watch job');
        return new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000));
      });
      if (job) await this.#serial(() => this.#take(job, token));
    }
  }

  async #take(job: Job<WatchJobData>, token: string): Promise<void> {
    const cameraId = job.data.cameraId;
    if (this.#closing) {
      await job.moveToWait(token);
      return;
    }
    const camera = await this.#o.cameras.runtime(cameraId);
    if (!camera) {
      await job.moveToCompleted('camera gone', token, false);
      return;
    }
    this.#held.set(cameraId, { job, token, renewedAt: Date.now(), key: JSON.stringify(camera) });
    await this.#o.watcher.add(camera);
    await this.#watchLog.record(cameraId, this.#o.nodeId, 'start', 'taken');
    this.#o.logger.info({ cameraId, held: this.#held.size, target: this.#target }, 'watching camera');
  }

  /** Stops watching; `wait` hands the job back, `done` ends it (camera gone), `lost`: the lock was (or may be) lost. */
  async #release(cameraId: string, how: 'wait' | 'done' | 'lost'): Promise<void> {
    const held = this.#held.get(cameraId);
    if (!held) return;
    this.#held.delete(cameraId);
    // The stream stops before the job is released, so the next node never overlaps this one.
    await this.#o.watcher.remove(cameraId);
    await this.#watchLog.record(cameraId, this.#o.nodeId, 'stop', how).catch(() => undefined);
    // A lock renewed late may still be ours: handing it back spares the next node the wait for it to lapse.
    if (how === 'wait' || how === 'lost') await held.job.moveToWait(held.token).catch((err: unknown) => { if (how === 'wait') throw err; });
    if (how === 'done') await held.job.moveToCompleted('camera gone', held.token, false);
    this.#o.logger.info({ cameraId, how, held: this.#held.size }, 'camera released');
  }

  /** A registry change (or the reconcile, with the row it read): restart with the new config, or end the job if the camera may not stream. */
  async #refresh(cameraId: string, known?: CameraConfig): Promise<void> {
    const held = this.#held.get(cameraId);
    if (!held) return;
    // A camera missing from the reconcile's read may have been added since: only its own row decides.
    const camera = known ?? await this.#o.cameras.runtime(cameraId);
    if (!camera) return this.#release(cameraId, 'done');
    const key = JSON.stringify(camera);
    if (key === held.key) return;
    held.key = key;
    await this.#o.watcher.add(camera);
    this.#o.logger.info({ cameraId }, 'camera changed; stream restarted');
  }

  /** Heartbeat, then the fair share: above it, hand back the cameras taken last. */
  async #tick(): Promise<void> {
    const live = await this.#membership.beat();
    const total = await this.#jobs.total();
    this.#target = fairShare(total, live, this.#o.cluster.maxCameras);
    if (total > live * this.#o.cluster.maxCameras) {
      this.#o.logger.warn({ total, live, maxCameras: this.#o.cluster.maxCameras }, 'more cameras than the live ingest nodes may watch');
    }
    const excess = excessOver(this.#held.size, this.#target);
    if (excess > 0) {
      const newest = [...this.#held.keys()].slice(-excess);
      await this.#serial(() => Promise.all(newest.map((id) => this.#release(id, 'wait'))));
    }
    this.#wake?.();
  }

  /** Renews every lock held; a camera whose lock was not renewed in time is no longer watched here. */
  async #renew(): Promise<void> {
    const entries = [...this.#held.entries()];
    if (entries.length > 0) {
      try {
        const failed = new Set(await this.#worker.extendJobLocks(
          entries.map(([, h]) => h.job.id ?? ''), entries.map(([, h]) => h.token), this.#o.cluster.lockDurationMs,
        ));
        const now = Date.now();
        for (const [id, h] of entries) {
          if (!failed.has(h.job.id ?? '')) h.renewedAt = now;
          else if (this.#held.get(id) === h) this.#lose(id, 'watch lock taken over');
        }
      } catch (err) {
        this.#o.logger.warn({ err: (err as Error).message }, 'watch locks not renewed');
      }
    }
    // Stop before the lock can lapse (two renewal rounds missed): the next owner starts only after it lapsed.
    const deadline = Date.now() - Math.round((this.#o.cluster.lockDurationMs * 2) / 3);
    for (const [id, h] of this.#held) {
      if (h.renewedAt < deadline) this.#lose(id, 'watch lock not renewed in time');
    }
  }

  #lose(cameraId: string, why: string): void {
    this.#o.logger.warn({ cameraId, why }, 'no longer watching this camera');
    void this.#release(cameraId, 'lost').catch(() => undefined);
  }

  /** One registry read: the jobs made to match it, then every held camera checked against it. */
  async #reconcile(): Promise<void> {
    const cameras = await this.#o.cameras.runtimes();
    await this.#jobs.reconcile([...cameras.keys()]);
    await this.#serial(async () => {
      for (const id of [...this.#held.keys()]) await this.#refresh(id, cameras.get(id));
    });
  }
}
