// What every node starts before its roles: the store, the registry, Redis (a private redis-server
// when none is configured), the snapshot store, the queue producer and the metrics; and, on the single
// box without `mqtt.url`, the embedded broker.

import { randomBytes } from 'node:crypto';
import type { Accounts } from '../auth/accounts.js';
import { CameraRegistry } from '../cameras/camera-registry.js';
import type { CredentialCipher } from '../cameras/credential-cipher.js';
import type { Config } from '../config.js';
import { CamerasRepository } from '../db/cameras.repository.js';
import { openDatabase } from '../db/database.js';
import { EventQueue } from '../events/event-queue.js';
import { SnapshotStore } from '../events/snapshot-store.js';
import type { CameraVisibilityCache } from '../live/camera-visibility.js';
import type { Logger } from '../logger.js';
import { serviceMetrics } from '../metrics/metrics-endpoint.js';
import { brokerSignIn } from '../mqtt/broker-sign-in.js';
import { EmbeddedBroker } from '../mqtt/embedded-broker.js';
import { RedisProbe } from '../redis/redis-probe.js';
import { RedisServer } from '../redis/redis-server.js';
import type { Roles } from '../roles.js';
import type { NodeContext, Track } from './node-context.js';

/** The store, the registry, Redis (private redis-server when none is configured) and the queue producer. */
export async function startShared(config: Config, logger: Logger, track: Track, cipher: CredentialCipher): Promise<NodeContext> {
  const db = track(openDatabase(config.databaseUrl, config.dataDir, {
    logger,
    pg: { onConnectionError: (err) => logger.warn({ err: err.message }, 'a pooled PostgreSQL connection failed; it will be replaced') },
  }));
  await db.start();
  const registry = new CameraRegistry({
    repo: new CamerasRepository(db.db), cipher, logger: logger.child({ component: 'camera-registry' }), onboarding: config.onboarding,
  });
  let redisUrl = config.redisUrl;
  if (redisUrl === null) {
    const redis = track(new RedisServer({ dataDir: config.dataDir, logger }));
    await redis.start();
    redisUrl = redis.url;
  }
  const redisProbe = track(new RedisProbe(redisUrl));
  await redisProbe.start();
  await redisProbe.waitReachable(10_000);
  // Closed after everything that writes to it (track closes in reverse order).
  const images = track(new SnapshotStore(config.dataDir, config.alerts.timezone));
  images.start();
  const queue = track(new EventQueue({ redisUrl, name: config.queue.name, attempts: config.queue.attempts, logger }));
  return { config, logger, track, db, registry, redisUrl, redisProbe, images, queue, metrics: serviceMetrics(config) };
}

/**
 * The embedded broker on the single box without `mqtt.url` (nodes of several use the configured one):
 * clients sign in with their account and hear what it may see (mqtt/broker-acl.ts).
 */
export async function startBroker(
  config: Config, logger: Logger, track: Track, roles: Roles, access: { accounts: Accounts; cameras: CameraVisibilityCache } | null,
) {
  if (config.mqtt.url !== null || !roles.single || access === null) return { mqttUrl: config.mqtt.url, mqttAuth: undefined };
  const mqttAuth = { username: config.mqtt.clientId, password: randomBytes(24).toString('base64url') };
  const broker = track(new EmbeddedBroker({
    host: config.host, port: config.mqtt.embeddedPort, logger, publisher: mqttAuth,
    protectedPrefixes: [config.mqtt.topicPrefix, config.mqtt.discoveryPrefix],
    signIn: brokerSignIn(access.accounts),
    acl: {
      prefix: config.mqtt.topicPrefix, discoveryPrefix: config.mqtt.discoveryPrefix, anonymous: config.mqtt.anonymous,
      camera: (id) => access.cameras.peek(id),
    },
  }));
  await broker.start();
  return { mqttUrl: broker.url, mqttAuth };
}
