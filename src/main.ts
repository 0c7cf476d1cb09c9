// Wiring by hand: read config → build adapters → connect the stages → start; close in reverse.

import { spawnSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { Database, sqlitePathFrom } from './db/database.js';
import { EventsRepository } from './db/events.repository.js';
import { OutboxRepository } from './db/outbox.repository.js';
import { MatThanError } from './errors.js';
import { newAlertState, type AlertRulesOptions } from './events/alert-rules.js';
import { CameraEvents, cameraRef } from './events/camera-events.js';
import { EventQueue } from './events/event-queue.js';
import { EventWorker } from './events/event-worker.js';
import type { HandleEventDeps } from './events/handle-event.js';
import { SnapshotStore } from './events/snapshot-store.js';
import { buildApp } from './http/app.js';
import type { Logger } from './logger.js';
import { EmbeddedBroker } from './mqtt/embedded-broker.js';
import { MqttPublisher } from './mqtt/mqtt-publisher.js';
import { OutboxRelay } from './mqtt/outbox-relay.js';
import { Topics } from './mqtt/topics.js';
import { RedisProbe } from './redis/redis-probe.js';
import { RedisServer } from './redis/redis-server.js';
import { StreamSupervisor } from './streams/stream-supervisor.js';

interface Closable {
  close(): Promise<void>;
  beginShutdown?(): void;
}

export interface Service {
  readonly app: FastifyInstance;
  readonly supervisor: StreamSupervisor;
  readonly events: EventsRepository;
  readonly outbox: OutboxRepository;
  readonly queue: EventQueue;
  /** Base URL the HTTP API answers on (after start). */
  readonly publicUrl: string;
  readonly mqttUrl: string;
  readonly redisUrl: string;
  close(): Promise<void>;
}

export function assertFfmpeg(ffmpegPath: string): void {
  const r = spawnSync(ffmpegPath, ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new MatThanError('FFMPEG_MISSING', `'${ffmpegPath}' did not run; install it (apt-get install ffmpeg) or set stream.ffmpegPath`);
  }
}

export function alertRulesFrom(config: Config): AlertRulesOptions {
  const schedules = new Map(config.zones.filter((z) => z.armed !== undefined).map((z) => [z.id, z.armed ?? []]));
  return {
    timezone: config.alerts.timezone,
    cooldownMs: config.alerts.cooldownSec * 1000,
    incidentWindowMs: config.alerts.incidentWindowSec * 1000,
    schedules,
  };
}

/** The worker's dependencies; also used by a worker running on its own. */
export function workerDeps(config: Config, db: Database, relay: OutboxRelay, publicUrl: string): HandleEventDeps {
  return {
    db: db.db,
    snapshots: new SnapshotStore(config.dataDir),
    topics: new Topics(config.mqtt.topicPrefix, config.mqtt.discoveryPrefix),
    publicUrl,
    rules: alertRulesFrom(config),
    alertState: newAlertState(),
    motionOffDelayMs: config.alerts.motionOffDelaySec * 1000,
    onStored: () => relay.notify(),
  };
}

type Track = <T extends Closable>(c: T) => T;

async function startRedisAndBroker(config: Config, logger: Logger, track: Track) {
  let redisUrl = config.redisUrl;
  if (redisUrl === null) {
    const redis = track(new RedisServer({ dataDir: config.dataDir, logger }));
    await redis.start();
    redisUrl = redis.url;
  }
  let mqttUrl = config.mqtt.url;
  if (mqttUrl === null) {
    const broker = track(new EmbeddedBroker(config.host, config.mqtt.embeddedPort, logger));
    await broker.start();
    mqttUrl = broker.url;
  }
  return { redisUrl, mqttUrl };
}

/** Starts every stage; on any failure closes what was already started and rethrows. */
export async function startService(config: Config, logger: Logger): Promise<Service> {
  const started: Closable[] = [];
  const track: Track = (c) => { started.unshift(c); return c; };
  const closeAll = async () => {
    for (const c of started) c.beginShutdown?.();
    for (const c of started.splice(0)) await c.close().catch((err: unknown) => logger.error({ err }, 'error while closing'));
  };
  try {
    assertFfmpeg(config.stream.ffmpegPath);
    const db = track(new Database(sqlitePathFrom(config.databaseUrl, config.dataDir)));
    await db.start();
    const { redisUrl, mqttUrl } = await startRedisAndBroker(config, logger, track);
    const redisProbe = track(new RedisProbe(redisUrl));
    await redisProbe.start();

    const topics = new Topics(config.mqtt.topicPrefix, config.mqtt.discoveryPrefix);
    const announcements = () => (config.mqtt.homeAssistant ? config.cameras.flatMap((c) => topics.homeAssistantMessages(cameraRef(c))) : []);
    const publisher = track(new MqttPublisher({ url: mqttUrl, clientId: config.mqtt.clientId, topics, announcements, logger: logger.child({ component: 'mqtt' }) }));
    await publisher.start();
    const outbox = new OutboxRepository(db.db);
    const relay = track(new OutboxRelay({ outbox, publisher, logger: logger.child({ component: 'outbox-relay' }) }));
    relay.start();

    const queue = track(new EventQueue({ redisUrl, name: config.queue.name, attempts: config.queue.attempts, logger }));
    const events = new EventsRepository(db.db);
    const supervisor = new StreamSupervisor(config.motion, config.stream, {
      logger,
      offlineGraceMs: config.health.offlineGraceSec * 1000,
      onEpisode: async (camera, episode, images) => {
        const job = cameraEvents.fromEpisode(camera, episode, images);
        if (job) await queue.add(job);
      },
      onHealth: (camera, online, at) => queue.add(cameraEvents.fromHealth(camera, online, at)),
    });
    const cameraEvents = new CameraEvents();

    const service = { publicUrl: '', mqttUrl, redisUrl, supervisor, events, outbox, queue } as { -readonly [K in keyof Service]: Service[K] };
    service.app = buildApp({
      logger,
      events,
      snapshots: new SnapshotStore(config.dataDir),
      get publicUrl() { return service.publicUrl; },
      cameraStats: () => supervisor.stats(),
      readinessChecks: {
        redis: () => redisProbe.ping(),
        mqtt: async () => { if (!publisher.connected) throw new Error('not connected'); },
        database: () => db.ping(),
      },
      readinessDetail: async () => ({ queue: await queue.counts(), outboxPending: await outbox.pendingCount() }),
    });
    track({ close: () => service.app.close() });
    const address = await service.app.listen({ host: config.host, port: config.port });
    service.publicUrl = config.publicUrl ?? address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');

    const worker = track(new EventWorker({
      redisUrl, name: config.queue.name, concurrency: config.queue.concurrency, lockDurationMs: config.queue.lockDurationMs,
      logger: logger.child({ component: 'event-worker' }), deps: workerDeps(config, db, relay, service.publicUrl),
    }));
    await worker.start();

    // Streams close first on shutdown, so their last `end` episodes still reach the queue.
    track(supervisor);
    for (const camera of config.cameras) await supervisor.add(camera);
    logger.info({ url: service.publicUrl, mqtt: mqttUrl, cameras: config.cameras.length }, 'Mắt Thần is running');

    service.close = closeAll;
    return service;
  } catch (err) {
    await closeAll();
    throw err;
  }
}
