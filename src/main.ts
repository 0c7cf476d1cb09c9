// Wiring by hand: read config → build adapters → connect the stages → start; close in reverse.
// A node runs some roles (roles.ts); the single box (`all`) runs them all and is what tests start.

import { spawnSync } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { Accounts } from './auth/accounts.js';
import { AuditLog } from './auth/audit-log.js';
import { CameraRegistry } from './cameras/camera-registry.js';
import { CredentialCipher, newSecretKey } from './cameras/credential-cipher.js';
import { clusterKeys } from './cluster/cluster-keys.js';
import { HealthListener } from './cluster/health-listener.js';
import { WatchJobs } from './cluster/watch-jobs.js';
import type { WatchNode } from './cluster/watch-node.js';
import type { CameraConfig, Config } from './config.js';
import { AuditRepository } from './db/audit.repository.js';
import { CamerasRepository } from './db/cameras.repository.js';
import { databaseTargetFrom, type AppDatabase } from './db/database.js';
import { EventsRepository } from './db/events.repository.js';
import { OutboxRepository } from './db/outbox.repository.js';
import { UsersRepository } from './db/users.repository.js';
import { MatThanError } from './errors.js';
import { newAlertState, type AlertRulesOptions } from './events/alert-rules.js';
import type { EventIngest } from './events/event-ingest.js';
import { EventQueue } from './events/event-queue.js';
import { EventWorker } from './events/event-worker.js';
import type { HandleEventDeps } from './events/handle-event.js';
import { RetentionJob } from './events/retention-job.js';
import { SnapshotStore } from './events/snapshot-store.js';
import type { Logger } from './logger.js';
import { metricsEndpoint } from './metrics/metrics-endpoint.js';
import type { OutboxRelay } from './mqtt/outbox-relay.js';
import { Topics } from './mqtt/topics.js';
import { localUrl, startApi } from './node/api-role.js';
import { cameraVisibility, startLiveFeed } from './node/live-parts.js';
import { startBroker, startShared } from './node/shared-parts.js';
import { buildIngest, followRegistry, startWatchNode } from './node/ingest-role.js';
import { startMqtt } from './node/mqtt-parts.js';
import type { Closable, NodeContext, Track } from './node/node-context.js';
import { ALL_ROLES, describeRoles, type Roles } from './roles.js';
import type { StreamSupervisor } from './streams/stream-supervisor.js';

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

/** ffmpeg's version where it is optional (an api box): missing, it is logged and taken as current. */
function optionalFfmpegMajor(config: Config, logger: Logger): number {
  try {
    return ffmpegMajorVersion(config.stream.ffmpegPath);
  } catch (err) {
    logger.warn({ err: (err as Error).message }, 'ffmpeg not found: "test connection" of a camera will fail on this node');
    return 99;
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


export interface StartOptions {
  /** Run the event worker in this process (default). Off when workers run as their own processes. */
  worker?: boolean;
  /** Demo mode: without a configured secret key, use a throw-away one instead of refusing to start. */
  demo?: boolean;
}

export interface NodeOptions {
  roles: Roles;
  demo?: boolean;
}

/** One node's running parts: those of roles it does not run are absent. */
export interface ServiceNode {
  readonly roles: Roles;
  readonly registry: CameraRegistry;
  readonly queue: EventQueue;
  readonly redisUrl: string;
  readonly mqttUrl: string | null;
  readonly app: FastifyInstance | null;
  readonly publicUrl: string;
  readonly accounts: Accounts | null;
  readonly audit: AuditLog | null;
  readonly events: EventsRepository;
  readonly outbox: OutboxRepository;
  readonly supervisor: StreamSupervisor | null;
  readonly ingest: EventIngest | null;
  readonly retention: RetentionJob | null;
  readonly watchNode: WatchNode | null;
  /** GET /healthz of a node without the API (cluster.healthPort set); '' otherwise. */
  readonly healthUrl: string;
  close(): Promise<void>;
}

/** Nodes of several share state only through Redis, PostgreSQL and the broker: no embedded ones, no SQLite file. */
export function checkSharedStores(config: Config, roles: Roles): void {
  if (roles.single) return;
  const missing = [
    config.redisUrl === null && 'redisUrl (REDIS_URL)',
    (roles.api || roles.worker) && config.mqtt.url === null && 'mqtt.url (MQTT_URL)',
    databaseTargetFrom(config.databaseUrl, config.dataDir).engine !== 'postgres' && 'databaseUrl (DATABASE_URL, postgres://)',
  ].filter(Boolean);
  if (missing.length > 0) throw new MatThanError('CONFIG_INVALID', `--role ${describeRoles(roles)} shares state with other nodes: set ${missing.join(', ')}`);
}

/** The single box: every role, cameras followed in-process. */
export async function startService(config: Config, logger: Logger, opts: StartOptions = {}): Promise<Service> {
  const roles = opts.worker === false ? { ...ALL_ROLES, worker: false } : ALL_ROLES;
  return await startNode(config, logger, { roles, demo: opts.demo }) as unknown as Service;
}

/** Starts the stages of the node's roles; on any failure closes what was already started and rethrows. */
export async function startNode(config: Config, logger: Logger, opts: NodeOptions): Promise<ServiceNode> {
  const { roles } = opts;
  const started: Closable[] = [];
  const track: Track = (c) => { started.unshift(c); return c; };
  const closeAll = async () => {
    for (const c of started) c.beginShutdown?.();
    for (const c of started.splice(0)) await c.close().catch((err: unknown) => logger.error({ err }, 'error while closing'));
  };
  try {
    checkSharedStores(config, roles);
    const cipher = credentialCipher(config, logger, opts.demo === true);
    // Ingest runs ffmpeg; the api only for a camera's 'test connection' (one frame), so an api box
    // without ffmpeg starts, and that one route says it cannot.
    const ffmpegMajor = roles.ingest ? ffmpegMajorVersion(config.stream.ffmpegPath) : roles.api ? optionalFfmpegMajor(config, logger) : 0;
    const ctx = await startShared(config, logger, track, cipher);
    const { registry, queue, db } = ctx;
    const accounts = roles.api ? accountsFor(config, db, logger) : null;
    if (roles.api) {
      await registry.seedFromConfig(config.cameras);
      await ensureFirstAdmin(accounts!, config, logger);
    }
    // Who may see which camera: the live feed and the embedded broker share one cache of it.
    const cameras = roles.api ? cameraVisibility(registry) : null;
    const { mqttUrl, mqttAuth } = await startBroker(config, logger, track, roles, accounts && cameras ? { accounts, cameras } : null);
    const mqtt = mqttUrl !== null && (roles.api || roles.worker) ? await startMqtt(ctx, { url: mqttUrl, auth: mqttAuth }, roles.worker || roles.single) : null;
    const ing = roles.ingest ? buildIngest(ctx, ffmpegMajor) : null;
    const announce = mqtt?.announce ?? (() => undefined);
    if (ing && roles.single) followRegistry(ctx, ing.supervisor, announce);
    if (roles.api && !roles.single) followRegistryWithJobs(ctx, announce, track);
    const events = new EventsRepository(db.db);
    const outbox = new OutboxRepository(db.db);
    const retention = roles.worker || roles.single ? track(new RetentionJob({
      events, cameras: new CamerasRepository(db.db), snapshots: ctx.images, defaults: config.retention,
      intervalMs: config.retention.intervalHours * 3_600_000, logger: logger.child({ component: 'retention' }),
    })) : null;
    retention?.start();
    const audit = roles.api ? new AuditLog(new AuditRepository(db.db)) : null;
    const live = roles.api && mqttUrl !== null ? await startLiveFeed(ctx, cameras!, { url: mqttUrl, auth: mqttAuth }) : null;
    ctx.metrics.watch({
      ...(ing ? { cameras: () => ing.supervisor.stats(), overloadLevel: () => ing.overload.state().level } : {}),
      queueCounts: () => queue.counts(), outboxPending: () => outbox.pendingCount(),
    });
    const api = roles.api
      ? await startApi(ctx, {
        accounts: accounts!, audit: audit!, events, outbox, publisher: mqtt!.publisher, supervisor: ing?.supervisor ?? null, overload: ing?.overload ?? null,
        live: live!, relay: mqtt?.relay ?? null, ffmpegMajor, metrics: metricsEndpoint(config, ctx.metrics, logger),
      })
      : null;
    const publicUrl = api?.publicUrl ?? config.publicUrl ?? localUrl(config.host, config.port);
    if (roles.worker) await startEventWorker(ctx, mqtt?.relay ?? { notify() {} }, publicUrl);
    // Streams close first on shutdown, so their last `end` episodes still reach the queue.
    if (ing) track(ing.supervisor);
    const watchNode = ing && !roles.single ? await startWatchNode(ctx, ing.supervisor) : null;
    if (roles.api || roles.single) await registry.start();
    const healthUrl = api ? '' : await startHealthListener(ctx, roles, watchNode, ing?.supervisor ?? null);
    logger.info({ roles: describeRoles(roles), url: api ? publicUrl : undefined, health: healthUrl || undefined, mqtt: mqttUrl, cameras: ing?.supervisor.stats().length }, 'Mắt Thần is running');
    return {
      roles, registry, queue, redisUrl: ctx.redisUrl, mqttUrl, app: api?.app ?? null, publicUrl, accounts, audit, events, outbox,
      supervisor: ing?.supervisor ?? null, ingest: ing?.ingest ?? null, retention, watchNode, healthUrl, close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}

/** An api node of several: each registry change becomes a watch job (or its end) and a note to the ingest nodes. */
function followRegistryWithJobs(ctx: NodeContext, announce: (id: string, camera: CameraConfig | null) => void, track: Track): void {
  const redis = new Redis(ctx.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', (err) => ctx.logger.warn({ err: err.message }, 'redis connection error'));
  const jobs = new WatchJobs(ctx.redisUrl, redis, clusterKeys(ctx.config.queue.name), ctx.logger.child({ component: 'watch-jobs' }));
  track({ close: async () => { await jobs.close(); await redis.quit().catch(() => undefined); } });
  ctx.registry.onChange(async ({ id, camera }) => {
    announce(id, camera);
    await jobs.changed(id, camera !== null);
  });
}

async function startEventWorker(ctx: NodeContext, relay: Pick<OutboxRelay, 'notify'>, publicUrl: string): Promise<void> {
  const { config, logger } = ctx;
  const worker = ctx.track(new EventWorker({
    redisUrl: ctx.redisUrl, name: config.queue.name, concurrency: config.queue.concurrency, lockDurationMs: config.queue.lockDurationMs,
    logger: logger.child({ component: 'event-worker' }), deps: workerDeps(config, ctx.db, relay, publicUrl, ctx.images), metrics: ctx.metrics,
  }));
  await worker.start();
}

/** Nodes without the API answer GET /healthz on cluster.healthPort (when set), nothing else. */
async function startHealthListener(ctx: NodeContext, roles: Roles, watchNode: WatchNode | null, supervisor: StreamSupervisor | null): Promise<string> {
  const port = ctx.config.cluster.healthPort;
  if (port === null) return '';
  const listener = ctx.track(new HealthListener(ctx.config.host, port, metricsEndpoint(ctx.config, ctx.metrics, ctx.logger), async () => {
    await ctx.redisProbe.ping();
    await ctx.db.ping();
    const streams = supervisor?.stats().map((st) => ({ cameraId: st.cameraId, status: st.status, framesAnalysed: st.framesAnalysed }));
    return { status: 'ok', roles: describeRoles(roles), ...(watchNode ? { ingest: watchNode.state(), streams } : {}) };
  }));
  await listener.start();
  return listener.url;
}
