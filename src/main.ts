// Wiring by hand: read config → build adapters → connect the stages → start; close in reverse.

import { spawnSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import { Database, sqlitePathFrom } from './db/database.js';
import { EventsRepository } from './db/events.repository.js';
import { MatThanError } from './errors.js';
import { EventQueue } from './events/event-queue.js';
import { EventWorker } from './events/event-worker.js';
import { MotionEvents } from './events/motion-events.js';
import { SnapshotStore } from './events/snapshot-store.js';
import { buildApp } from './http/app.js';
import type { Logger } from './logger.js';
import { EmbeddedBroker } from './mqtt/embedded-broker.js';
import { MqttPublisher } from './mqtt/mqtt-publisher.js';
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

/** Starts every stage; on any failure closes what was already started and rethrows. */
export async function startService(config: Config, logger: Logger): Promise<Service> {
  const started: Closable[] = [];
  const track = <T extends Closable>(c: T): T => { started.unshift(c); return c; };
  const closeAll = async () => {
    for (const c of started) c.beginShutdown?.();
    for (const c of started.splice(0)) {
      await c.close().catch((err: unknown) => logger.error({ err }, 'error while closing'));
    }
  };
  try {
    assertFfmpeg(config.stream.ffmpegPath);
    const db = new Database(sqlitePathFrom(config.databaseUrl, config.dataDir));
    track(db);
    await db.start();
    const events = new EventsRepository(db.db);
    const snapshots = new SnapshotStore(config.dataDir);

    let redisUrl = config.redisUrl;
    if (redisUrl === null) {
      const redis = track(new RedisServer({ dataDir: config.dataDir, logger }));
      await redis.start();
      redisUrl = redis.url;
    }
    const redisProbe = track(new RedisProbe(redisUrl));
    await redisProbe.start();

    let mqttUrl = config.mqtt.url;
    if (mqttUrl === null) {
      const broker = track(new EmbeddedBroker(config.host, config.mqtt.embeddedPort, logger));
      await broker.start();
      mqttUrl = broker.url;
    }
    const topics = new Topics(config.mqtt.topicPrefix);
    const publisher = new MqttPublisher({ url: mqttUrl, clientId: config.mqtt.clientId, topics, logger: logger.child({ component: 'mqtt' }) });
    track(publisher);
    await publisher.start();

    const supervisor = new StreamSupervisor(config.motion, config.stream, {
      logger,
      onEpisode: async (camera, episode, snapshot) => {
        const job = motionEvents.toJob(camera, episode, snapshot);
        if (job) await queue.add(job);
      },
    });
    const motionEvents = new MotionEvents();
    const queue = new EventQueue({ redisUrl, name: config.queue.name, attempts: config.queue.attempts });

    const service = {
      publicUrl: '',
      mqttUrl,
      redisUrl,
      supervisor,
      events,
    } as { -readonly [K in keyof Service]: Service[K] };

    service.app = buildApp({
      logger,
      events,
      snapshots,
      get publicUrl() { return service.publicUrl; },
      cameraStats: () => supervisor.stats(),
      readinessChecks: {
        redis: () => redisProbe.ping(),
        mqtt: async () => { if (!publisher.connected) throw new Error('not connected'); },
        database: () => db.ping(),
      },
    });
    track({ close: () => service.app.close() });
    const address = await service.app.listen({ host: config.host, port: config.port });
    service.publicUrl = config.publicUrl ?? address.replace('0.0.0.0', 'localhost').replace('[::]', 'localhost');

    track(queue);
    const worker = track(new EventWorker({
      redisUrl,
      name: config.queue.name,
      concurrency: config.queue.concurrency,
      logger: logger.child({ component: 'event-worker' }),
      deps: { events, snapshots, topics, publish: (m) => publisher.publish(m), publicUrl: service.publicUrl },
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
