// Wiring by hand: read config → build adapters → connect the stages → start; close in reverse.

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Accounts } from './auth/accounts.js';
import { AuditLog } from './auth/audit-log.js';
import { CameraRegistry } from './cameras/camera-registry.js';
import { CredentialCipher, newSecretKey } from './cameras/credential-cipher.js';
import type { CameraConfig, Config } from './config.js';
import { AuditRepository } from './db/audit.repository.js';
import { CamerasRepository } from './db/cameras.repository.js';
import { openDatabase, type AppDatabase } from './db/database.js';
import { EventActionsRepository } from './db/event-actions.repository.js';
import { EventsRepository } from './db/events.repository.js';
import { OutboxRepository } from './db/outbox.repository.js';
import { UsersRepository } from './db/users.repository.js';
import { MatThanError } from './errors.js';
import { newAlertState, type AlertRulesOptions } from './events/alert-rules.js';
import { CameraEvents, cameraRef } from './events/camera-events.js';
import { EventIngest } from './events/event-ingest.js';
import { EventQueue } from './events/event-queue.js';
import { EventWorker } from './events/event-worker.js';
import { RetentionJob } from './events/retention-job.js';
import type { HandleEventDeps } from './events/handle-event.js';
import { SnapshotStore } from './events/snapshot-store.js';
import { buildApp } from './http/app.js';
import type { Logger } from './logger.js';
import { EmbeddedBroker } from './mqtt/embedded-broker.js';
import { MqttPublisher } from './mqtt/mqtt-publisher.js';
import { OutboxRelay } from './mqtt/outbox-relay.js';
import { CameraEventWatcher } from './onvif/camera-event-watcher.js';
import { Topics } from './mqtt/topics.js';
import { RedisProbe } from './redis/redis-probe.js';
import { CameraVisibilityCache, visibilityOf } from './live/camera-visibility.js';
import { LiveHub } from './live/live-hub.js';
import { LiveSubscriber } from './mqtt/live-subscriber.js';
import { RedisServer } from './redis/redis-server.js';
import { OverloadGuard } from './streams/overload-guard.js';
import { StreamSupervisor } from './streams/stream-supervisor.js';

interface Closable {
  close(): Promise<void>;
  beginShutdown?(): void;
}

export interface Service {
  readonly app: FastifyInstance;
  readonly supervisor: StreamSupervisor;
  readonly registry: CameraRegistry;
  readonly accounts: Accounts;
  readonly audit: AuditLog;
  readonly retention: RetentionJob;
  readonly events: EventsRepository;
  readonly outbox: OutboxRepository;
  readonly queue: EventQueue;
  /** What a camera stream's episode goes through: images stored, then the job queued. */
  readonly ingest: EventIngest;
  /** Base URL the HTTP API answers on (after start). */
  readonly publicUrl: string;
  readonly mqttUrl: string;
  readonly redisUrl: string;
  close(): Promise<void>;
}

/** Checks ffmpeg runs and returns its major version (option names differ across versions). */
export function ffmpegMajorVersion(ffmpegPath: string): number {
  const r = spawnSync(ffmpegPath, ['-version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    throw new MatThanError('FFMPEG_MISSING', `'${ffmpegPath}' did not run; install it (apt-get install ffmpeg) or set stream.ffmpegPath`);
  }
  // "ffmpeg version 5.1.9-0+deb12u1" or "ffmpeg version n6.0"; unknown builds are taken as current.
  const m = /ffmpeg version n?(\d+)\./.exec(r.stdout);
  return m ? Number(m[1]) : 99;
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

/**
 * The worker's dependencies; also used by a worker running on its own. In the service the worker shares
 * the relay's snapshot store, so the relay publishes a snapshot just written without reading it back.
 */
export function workerDeps(
  config: Config, db: AppDatabase, relay: Pick<OutboxRelay, 'notify'>, publicUrl: string,
  snapshots = new SnapshotStore(config.dataDir, config.alerts.timezone),
): HandleEventDeps {
  return {
    store: db.worker,
    snapshots,
    topics: new Topics(config.mqtt.topicPrefix, config.mqtt.discoveryPrefix),
    publicUrl,
    rules: alertRulesFrom(config),
    alertState: newAlertState(),
    motionOffDelayMs: config.alerts.motionOffDelaySec * 1000,
    onStored: () => relay.notify(),
  };
}

type Track = <T extends Closable>(c: T) => T;

/** The live feed of this api node: fed from the broker, so it shows what every node's worker published. */
async function startLiveFeed(
  config: Config, registry: CameraRegistry, mqtt: { mqttUrl: string; mqttAuth: { username: string; password: string } | undefined },
  logger: Logger, track: Track,
): Promise<LiveHub> {
  const cameras = new CameraVisibilityCache({ load: async () => (await registry.list()).map(visibilityOf) });
  registry.onChange(async () => cameras.invalidate());
  const live = track(new LiveHub({ cameras, logger: logger.child({ component: 'live' }) }));
  live.start();
  const subscriber = track(new LiveSubscriber({
    url: mqtt.mqttUrl, auth: mqtt.mqttAuth, clientId: config.mqtt.clientId, topicPrefix: config.mqtt.topicPrefix,
    deliver: (m) => live.deliver(m), logger: logger.child({ component: 'live-subscriber' }),
  }));
  await subscriber.start();
  return live;
}

async function startRedisAndBroker(config: Config, logger: Logger, track: Track) {
  let redisUrl = config.redisUrl;
  if (redisUrl === null) {
    const redis = track(new RedisServer({ dataDir: config.dataDir, logger }));
    await redis.start();
    redisUrl = redis.url;
  }
  let mqttUrl = config.mqtt.url;
  let mqttAuth: { username: string; password: string } | undefined;
  if (mqttUrl === null) {
    mqttAuth = { username: config.mqtt.clientId, password: randomBytes(24).toString('base64url') };
    const broker = track(new EmbeddedBroker({
      host: config.host, port: config.mqtt.embeddedPort, logger, publisher: mqttAuth,
      protectedPrefixes: [config.mqtt.topicPrefix, config.mqtt.discoveryPrefix],
    }));
    await broker.start();
    mqttUrl = broker.url;
  }
  return { redisUrl, mqttUrl, mqttAuth };
}

export interface StartOptions {
  /** Run the event worker in this process (default). Off when workers run as their own processes. */
  worker?: boolean;
  /** Demo mode: without a configured secret key, use a throw-away one instead of refusing to start. */
  demo?: boolean;
}

/** Credentials are never stored in clear: outside demo mode, no key means no start. */
export function credentialCipher(config: Config, logger: Logger, demo: boolean): CredentialCipher {
  if (config.secretKey !== null) return new CredentialCipher(config.secretKey);
  if (!demo) throw new MatThanError('SECRET_KEY_MISSING', 'set MATTHAN_SECRET_KEY (openssl rand -base64 32)');
  logger.warn('no secretKey configured: demo credentials are encrypted with a throw-away key and unreadable after a restart');
  return new CredentialCipher(newSecretKey());
}

export function accountsFor(config: Config, db: Pick<AppDatabase, 'db'>, logger: Logger): Accounts {
  return new Accounts(new UsersRepository(db.db), config.auth, logger.child({ component: 'accounts' }));
}

/** The first admin from the environment, or a clear note of how to create one; never a default password. */
export async function ensureFirstAdmin(accounts: Accounts, config: Config, logger: Logger): Promise<void> {
  const outcome = await accounts.ensureAdmin(config.auth.adminUsername, config.auth.adminPassword);
  if (outcome === 'created') logger.info({ username: config.auth.adminUsername }, 'first admin account created from MATTHAN_ADMIN_PASSWORD');
  if (outcome === 'missing') {
    logger.warn('no admin account yet: set MATTHAN_ADMIN_PASSWORD (and MATTHAN_ADMIN_USERNAME) and restart, or run `mat-than user add --username admin --role admin --password-stdin`');
  }
}

/** Starts every stage; on any failure closes what was already started and rethrows. */
export async function startService(config: Config, logger: Logger, opts: StartOptions = {}): Promise<Service> {
  const started: Closable[] = [];
  const track: Track = (c) => { started.unshift(c); return c; };
  const closeAll = async () => {
    for (const c of started) c.beginShutdown?.();
    for (const c of started.splice(0)) await c.close().catch((err: unknown) => logger.error({ err }, 'error while closing'));
  };
  try {
    const cipher = credentialCipher(config, logger, opts.demo === true);
    const ffmpegMajor = ffmpegMajorVersion(config.stream.ffmpegPath);
    const db = track(openDatabase(config.databaseUrl, config.dataDir, {
      onConnectionError: (err) => logger.warn({ err: err.message }, 'a pooled PostgreSQL connection failed; it will be replaced'),
    }));
    await db.start();
    const registry = new CameraRegistry({
      repo: new CamerasRepository(db.db), cipher, logger: logger.child({ component: 'camera-registry' }), onboarding: config.onboarding,
    });
    await registry.seedFromConfig(config.cameras);
    const accounts = accountsFor(config, db, logger);
    await ensureFirstAdmin(accounts, config, logger);
    const audit = new AuditLog(new AuditRepository(db.db));
    const { redisUrl, mqttUrl, mqttAuth } = await startRedisAndBroker(config, logger, track);
    const redisProbe = track(new RedisProbe(redisUrl));
    await redisProbe.start();
    await redisProbe.waitReachable(10_000);

    const topics = new Topics(config.mqtt.topicPrefix, config.mqtt.discoveryPrefix);
    // Cameras currently streaming, as the registry announced them: their Home Assistant configs are repeated on reconnect.
    const live = new Map<string, CameraConfig>();
    const haMessages = (c: CameraConfig) => (config.mqtt.homeAssistant ? topics.homeAssistantMessages(cameraRef(c)) : []);
    const announcements = () => [...live.values()].flatMap(haMessages);
    const publisher = track(new MqttPublisher({
      url: mqttUrl, auth: mqttAuth, clientId: config.mqtt.clientId, topics, announcements, logger: logger.child({ component: 'mqtt' }),
      onReconnect: (brokeAt) => void relay.resendAfterReconnect(brokeAt).catch((err: unknown) => logger.warn({ err }, 'could not queue the re-send')),
    }));
    await publisher.start();
    const outbox = new OutboxRepository(db.db);
    const images = new SnapshotStore(config.dataDir, config.alerts.timezone);
    const relay = track(new OutboxRelay({ outbox: db.relayOutbox(), publisher, readFile: (p) => images.read(p), logger: logger.child({ component: 'outbox-relay' }) }));
    relay.start();
    const liveFeed = await startLiveFeed(config, registry, { mqttUrl, mqttAuth }, logger, track);

    const queue = track(new EventQueue({ redisUrl, name: config.queue.name, attempts: config.queue.attempts, logger }));
    // The producer stores JPEGs in the relay's store: the relay then publishes each new snapshot from memory.
    const ingest = new EventIngest(queue, images);
    const events = new EventsRepository(db.db);
    const { hybridWindowSec, ...watcherOptions } = config.cameraEvents;
    const cameraMotion = track(new CameraEventWatcher({ ...watcherOptions, logger: logger.child({ component: 'camera-events' }) }));
    cameraMotion.start();
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
      onHealth: async (camera, report) => {
        if (report.condition === 'offline') {
          await registry.markHealth(camera.id, !report.active).catch((err: unknown) => logger.warn({ cameraId: camera.id, err: (err as Error).message }, 'camera status not saved'));
        }
        const job = cameraEvents.fromHealth(camera, report);
        if (job) await ingest.submit(job);
      },
    });
    const cameraEvents = new CameraEvents();
    const overload = new OverloadGuard(config.analysis.overload, supervisor, logger);
    overload.start();
    track({ close: async () => overload.close() });

    // Streams follow the registry live: a runtime config (credentials in memory only) (re)starts one, null stops it.
    registry.onChange(async ({ id, camera }) => {
      if (!camera) {
        live.delete(id);
        return supervisor.remove(id);
      }
      live.set(id, camera);
      for (const m of haMessages(camera)) {
        publisher.publish(m).catch((err: unknown) => logger.warn({ cameraId: id, err: (err as Error).message }, 'home assistant config not published'));
      }
      return supervisor.add(camera);
    });

    const retention = track(new RetentionJob({
      events, cameras: new CamerasRepository(db.db), snapshots: images, defaults: config.retention,
      intervalMs: config.retention.intervalHours * 3_600_000, logger: logger.child({ component: 'retention' }),
    }));
    retention.start();

    const service = { publicUrl: '', mqttUrl, redisUrl, supervisor, registry, accounts, audit, retention, events, outbox, queue, ingest } as { -readonly [K in keyof Service]: Service[K] };
    service.app = buildApp({
      logger,
      accounts,
      audit,
      events,
      snapshots: images,
      get publicUrl() { return service.publicUrl; },
      live: liveFeed,
      eventActions: new EventActionsRepository(db.db),
      topics,
      onActionStored: () => relay.notify(),
      zones: config.zones,
      timezone: config.alerts.timezone,
      ffmpeg: { path: config.stream.ffmpegPath, major: ffmpegMajor },
      cameraStats: () => supervisor.stats(),
      registry,
      discoveryPort: config.onboarding.discoveryPort,
      readinessChecks: {
        redis: () => redisProbe.ping(),
        mqtt: async () => { if (!publisher.connected) throw new Error('not connected'); },
        database: () => db.ping(),
      },
      readinessDetail: async () => ({ queue: await queue.counts(), outboxPending: await outbox.pendingCount(), overload: overload.state() }),
    });
    track({ close: () => service.app.close() });
    await service.app.listen({ host: config.host, port: config.port });
    const port = (service.app.server.address() as { port: number }).port;
    const wildcard = config.host === '0.0.0.0' || config.host === '::';
    const host = wildcard ? 'localhost' : config.host.includes(':') ? `[${config.host}]` : config.host;
    service.publicUrl = config.publicUrl ?? `http://${host}:${port}`;

    if (opts.worker !== false) {
      const worker = track(new EventWorker({
        redisUrl, name: config.queue.name, concurrency: config.queue.concurrency, lockDurationMs: config.queue.lockDurationMs,
        logger: logger.child({ component: 'event-worker' }), deps: workerDeps(config, db, relay, service.publicUrl, images),
      }));
      await worker.start();
    }

    // Streams close first on shutdown, so their last `end` episodes still reach the queue.
    track(supervisor);
    await registry.start();
    logger.info({ url: service.publicUrl, mqtt: mqttUrl, cameras: supervisor.stats().length }, 'Mắt Thần is running');

    service.close = closeAll;
    return service;
  } catch (err) {
    await closeAll();
    throw err;
  }
}
