// The embedded broker tells each client only what its account may see (src/mqtt/broker-acl.ts): a
// household its own cameras and alerts, an officer the shared cameras and zone alerts, police and
// clients without an account the service status only. Real service, real broker, real MQTT clients.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import t from 'tap';
import { buildConfig } from '../../src/config.js';
import { freeLoopbackPort } from '../../src/free-port.js';
import { createLogger } from '../../src/logger.js';
import { startService } from '../../src/main.js';
import { waitFor } from '../helpers/harness.js';
import { camera, newJob } from '../helpers/jobs.js';

const PASSWORD = randomBytes(12).toString('base64url');

interface Listener { client: MqttClient; got: Array<{ topic: string; payload: string }> }

async function listen(url: string, username?: string, password = PASSWORD): Promise<Listener> {
  const client = await mqtt.connectAsync(url, { username, password: username === undefined ? undefined : password, reconnectPeriod: 0 });
  const got: Listener['got'] = [];
  client.on('message', (topic, payload) => got.push({ topic, payload: payload.toString() }));
  await client.subscribeAsync(['matthan/#', 'homeassistant/#', 'test/#'], { qos: 1 });
  return { client, got };
}

/** The cameras of the motion events heard (the unreachable cameras also raise `offline` events). */
const eventCameras = (l: Listener) => l.got.filter((m) => m.topic === 'matthan/events')
  .map((m) => (JSON.parse(m.payload) as { event: { cameraId: string; type: string } }).event)
  .filter((e) => e.type === 'motion').map((e) => e.cameraId);
const topics = (l: Listener, prefix: string) => [...new Set(l.got.filter((m) => m.topic.startsWith(prefix)).map((m) => m.topic))].sort();

t.test('each MQTT client hears what its account may see, and nothing more', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mt-broker-acl-'));
  const config = buildConfig({
    host: '127.0.0.1', port: 0, dataDir, mqtt: { embeddedPort: await freeLoopbackPort() }, secretKey: randomBytes(32).toString('hex'),
    // The cameras point at a closed port: registered (for the sharing rules), never streaming.
    alerts: { cooldownSec: 0 },
  });
  const service = await startService(config, createLogger({ level: 'silent' }));
  t.teardown(async () => { await service.close(); rmSync(dataDir, { recursive: true, force: true }); });
  const deadUrl = `rtsp://127.0.0.1:${await freeLoopbackPort()}/x`;
  const own = camera({ id: 'nha-1', zone: 'z1', householdId: 'h1', shareWithOfficers: false });
  const shared = camera({ id: 'nha-2', zone: 'z1', householdId: 'h2', shareWithOfficers: true });
  const pub = camera({ id: 'cong', zone: 'z1', householdId: null, shareWithOfficers: true });
  for (const c of [own, shared, pub]) {
    await service.registry.add({ id: c.id, name: c.name, zone: c.zone, householdId: c.householdId, shareWithOfficers: c.shareWithOfficers, kind: c.householdId ? 'household' : 'public', rtspUrl: deadUrl });
  }
  for (const [username, role, householdId] of [['admin1', 'admin'], ['officer1', 'officer'], ['house1', 'household', 'h1'], ['police1', 'police']] as const) {
    await service.accounts.create({ username, role, householdId, password: PASSWORD });
  }

  await t.rejects(mqtt.connectAsync(service.mqttUrl, { username: 'house1', password: 'wrong-password', reconnectPeriod: 0 }), 'a wrong password is refused');
  const token = await service.accounts.tokenFor('officer1');
  await t.rejects(mqtt.connectAsync(service.mqttUrl, { username: 'house1', password: token, reconnectPeriod: 0 }), 'a token signs in only its own account');

  const l = {
    admin: await listen(service.mqttUrl, 'admin1'),
    officer: await listen(service.mqttUrl, 'officer1', token), // an API token works as the password
    household: await listen(service.mqttUrl, 'house1'),
    police: await listen(service.mqttUrl, 'police1'),
    anonymous: await listen(service.mqttUrl),
  };
  t.teardown(() => Promise.all(Object.values(l).map((x) => x.client.endAsync(true))));

  for (const c of [own, shared, pub]) await service.queue.add(newJob(c));
  await waitFor('the admin heard all three events', () => eventCameras(l.admin).length === 3 || undefined, 30_000);
  // A sentinel on a topic that is not ours reaches everyone, after everything the broker had before it.
  const poster = await mqtt.connectAsync(service.mqttUrl, { reconnectPeriod: 0 });
  await poster.publishAsync('test/sentinel', 'done', { qos: 1 });
  await poster.endAsync();
  for (const [name, x] of Object.entries(l)) await waitFor(`${name} got the sentinel`, () => x.got.some((m) => m.topic === 'test/sentinel') || undefined);

  t.same(eventCameras(l.admin).sort(), ['cong', 'nha-1', 'nha-2']);
  t.same(topics(l.admin, 'matthan/households/'), ['matthan/households/h1/alerts', 'matthan/households/h2/alerts']);
  t.same(eventCameras(l.officer).sort(), ['cong', 'nha-2'], 'the officer: the cameras shared with officers');
  t.same(topics(l.officer, 'matthan/zones/'), ['matthan/zones/z1/alerts']);
  t.same(topics(l.officer, 'matthan/households/'), []);
  t.same(eventCameras(l.household), ['nha-1'], 'the household: its own camera only');
  t.same(topics(l.household, 'matthan/households/'), ['matthan/households/h1/alerts']);
  t.same(topics(l.household, 'matthan/zones/'), []);
  t.same(topics(l.household, 'matthan/cameras/').filter((x) => !x.startsWith('matthan/cameras/nha-1/')), [], 'no other camera’s topics');
  for (const name of ['police', 'anonymous'] as const) {
    t.same(topics(l[name], 'matthan/'), ['matthan/status'], `${name}: the service status only`);
  }
});
