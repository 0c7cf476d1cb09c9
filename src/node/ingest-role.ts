// The ingest role: one ffmpeg per watched camera, motion and health detection, events into the
// queue. Alone on a box (`all`) it follows the registry in-process; as a node of several it watches
// the cameras it holds watch jobs for (cluster/watch-node.ts).

import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { CameraConfig } from '../config.js';
import { clusterKeys } from '../cluster/cluster-keys.js';
import { WatchNode } from '../cluster/watch-node.js';
import { CameraEvents } from '../events/camera-events.js';
import { EventIngest } from '../events/event-ingest.js';
import type { EventJob } from '../events/event-types.js';
import { CameraEventWatcher } from '../onvif/camera-event-watcher.js';
import { OverloadGuard } from '../streams/overload-guard.js';
import { StreamSupervisor } from '../streams/stream-supervisor.js';
import type { NodeContext } from './node-context.js';

export interface IngestParts {
  supervisor: StreamSupervisor;
  ingest: EventIngest;
  overload: OverloadGuard;
}

/** Builds the stream side (nothing streams until the registry or the watch jobs say so). */
export function buildIngest(ctx: NodeContext, ffmpegMajor: number): IngestParts {
  const { config, logger, track, registry, queue, images } = ctx;
  // The producer stores JPEGs in the relay's store: the relay then publishes each new snapshot from memory.
  const ingest = new EventIngest(queue, images);
  const { hybridWindowSec, ...watcherOptions } = config.cameraEvents;
  const cameraMotion = track(new CameraEventWatcher({ ...watcherOptions, logger: logger.child({ component: 'camera-events' }) }));
  cameraMotion.start();
  const cameraEvents = new CameraEvents();
  const sweep = (job: EventJob) => {
    ingest.submit(job).catch((err: unknown) => logger.warn({ cameraId: job.camera.id, err: (err as Error).message }, 'events left open not ended'));
  };
  const supervisor = new StreamSupervisor(config.motion, config.stream, {
    logger,
    ffmpegMajor,
    cameraMotion,
    hybridWindowMs: hybridWindowSec * 1000,
    analysis: config.analysis,
    offlineGraceMs: config.health.offlineGraceSec * 1000,
    onEpisode: async (camera, episode, jpegs) => {
      const job = cameraEvents.fromEpisode(camera, episode);
      if (job) await ingest.submit(job, jpegs);
    },
    frozenAfterMs: config.health.frozenAfterSec * 1000,
    coveredAfterMs: config.health.coveredAfterSec * 1000,
    // Events a dead process (or a node that lost the camera) left open would stay open for ever, and
    // so would this process's own once it no longer watches the camera.
    onWatch: (camera, since) => sweep(cameraEvents.watching(camera, since)),
    onUnwatch: (camera, at) => sweep(cameraEvents.unwatched(camera, at)),
    onHealth: async (camera, report) => {
      if (report.condition === 'offline') {
        await registry.markHealth(camera.id, !report.active).catch((err: unknown) => logger.warn({ cameraId: camera.id, err: (err as Error).message }, 'camera status not saved'));
      }
      const job = cameraEvents.fromHealth(camera, report);
      if (job) await ingest.submit(job);
    },
  });
  const overload = new OverloadGuard(config.analysis.overload, supervisor, logger);
  overload.start();
  track({ close: async () => overload.close() });
  return { supervisor, ingest, overload };
}

/** A node id that says where it runs: host, pid and a random tail (a restarted process is a new node). */
export function newNodeId(): string {
  return `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

/** Node of several: takes its share of the watch jobs. Closes before the supervisor, so its cameras are handed back. */
export async function startWatchNode(ctx: NodeContext, supervisor: StreamSupervisor): Promise<WatchNode> {
  const { config, logger } = ctx;
  const nodeId = newNodeId();
  const node = ctx.track(new WatchNode({
    redisUrl: ctx.redisUrl, keys: clusterKeys(config.queue.name), nodeId, cluster: config.cluster,
    cameras: ctx.registry, watcher: supervisor, logger: logger.child({ component: 'watch-node', nodeId }),
  }));
  await node.start();
  return node;
}

/** Streams follow the registry live: a runtime config (credentials in memory only) (re)starts one, null stops it. */
export function followRegistry(ctx: NodeContext, supervisor: StreamSupervisor, announce: (id: string, camera: CameraConfig | null) => void): void {
  ctx.registry.onChange(async ({ id, camera }) => {
    announce(id, camera);
    return camera ? supervisor.add(camera) : supervisor.remove(id);
  });
}
