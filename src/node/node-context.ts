// What every role of a node shares: the configuration, the store, the camera registry, Redis, the
// snapshot store, the event queue producer and the metrics; `track` registers what must be closed on shutdown.

import type { CameraRegistry } from '../cameras/camera-registry.js';
import type { Config } from '../config.js';
import type { AppDatabase } from '../db/database.js';
import type { EventQueue } from '../events/event-queue.js';
import type { SnapshotStore } from '../events/snapshot-store.js';
import type { Logger } from '../logger.js';
import type { ServiceMetrics } from '../metrics/service-metrics.js';
import type { RedisProbe } from '../redis/redis-probe.js';

export interface Closable {
  close(): Promise<void>;
  beginShutdown?(): void;
}

/** Registers a stage for shutdown: the last tracked closes first. */
export type Track = <T extends Closable>(c: T) => T;

export interface NodeContext {
  config: Config;
  logger: Logger;
  track: Track;
  db: AppDatabase;
  registry: CameraRegistry;
  redisUrl: string;
  redisProbe: RedisProbe;
  /** DATA_DIR: on shared storage when nodes run on several machines (workers read what ingest nodes wrote). */
  images: SnapshotStore;
  queue: EventQueue;
  /** This node's Prometheus registry (metrics/), fed by the stages it runs. */
  metrics: ServiceMetrics;
}
