// Zero config: no REDIS_URL and no MQTT_URL → a private redis-server and an embedded broker.
// Clients sign in with their account to listen; only the service may publish under its prefixes.
// (Who hears what: broker-access.test.ts.)

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { buildConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startService } from '../../src/main.js';
import { freeLoopbackPort } from '../../src/free-port.js';
import { waitFor, LogCollector } from '../helpers/harness.js';
import { camera, newJob } from '../helpers/jobs.js';

const KEY = randomBytes(32).toString('hex');

t.test('embedded broker and private Redis, end to end', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mt-embedded-'));
  const config = buildConfig({ host: '127.0.0.1', port: 0, dataDir, mqtt: { embeddedPort: await freeLoopbackPort() }, secretKey: KEY });
  const logs = new LogCollector();
  const service = await startService(config, createLogger({ level: 'info', destination: logs }));
  t.teardown(() => service.close());
  t.match(service.redisUrl, /^redis:\/\/127\.0\.0\.1:\d+$/);

  const password = randomBytes(12).toString('base64url');
  await service.accounts.create({ username: 'watcher', role: 'admin', password });
  const listener = await mqtt.connectAsync(service.mqttUrl, { username: 'watcher', password });
  t.teardown(() => listener.endAsync(true));
  const got: Array<{ topic: string; payload: string }> = [];
  listener.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
  await listener.subscribeAsync('matthan/#', { qos: 1 });
  await waitFor('retained status', () => got.find((m) => m.topic === 'matthan/status' && m.payload === 'online'));

  // A stranger's fake alert is refused (aedes drops the client that tries).
  const stranger = await mqtt.connectAsync(service.mqttUrl, { reconnectPeriod: 0 });
  const closed = new Promise<void>((r) => stranger.once('close', () => r()));
  stranger.publish('matthan/zones/z1/alerts', '{"fake":true}', { qos: 1 });
  await closed;
  stranger.end(true);

  const job = newJob(camera());
  await service.queue.add(job);
  await waitFor('the real alert', () => got.find((m) => m.topic === 'matthan/zones/z1/alerts'));
  t.same(got.filter((m) => m.topic === 'matthan/zones/z1/alerts').map((m) => (JSON.parse(m.payload) as { alertId: string }).alertId), [job.event.id], 'only the real alert arrived');
  t.match(logs.text, /refused a publish under a protected prefix/);
  const ready = await service.app.inject({ method: 'GET', url: '/readyz' });
  t.match(ready.json(), { status: 'ready', checks: { redis: 'ok', mqtt: 'ok', database: 'ok' }, queue: { failed: 0 } });
});

t.test('an unreachable REDIS_URL stops the start with a clear error', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mt-badredis-'));
  const config = buildConfig({ host: '127.0.0.1', port: 0, dataDir, redisUrl: `redis://127.0.0.1:${await freeLoopbackPort()}`, mqtt: { embeddedPort: 0 }, secretKey: KEY });
  await t.rejects(startService(config, createLogger({ level: 'silent' })), { code: 'REDIS_UNREACHABLE' });
});

t.test('without a secret key the service refuses to start (outside demo mode)', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mt-nokey-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const config = buildConfig({ host: '127.0.0.1', port: 0, dataDir, mqtt: { embeddedPort: 0 } });
  await t.rejects(startService(config, createLogger({ level: 'silent' })), { code: 'SECRET_KEY_MISSING' });
  await t.rejects(startService({ ...config, secretKey: 'too-short' }, createLogger({ level: 'silent' })), { code: 'SECRET_KEY_INVALID' });
});
