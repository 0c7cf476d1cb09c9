// An api, a worker and an ingest node as three processes on PostgreSQL, Redis and Mosquitto: a camera
// added through the api is watched by the ingest node, its motion event is stored by the worker,
// alerted over MQTT and served (with its snapshot) by the api. The api runs no ffmpeg, the ingest
// node serves no API, and a camera removed through the api stops being watched.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import mqtt from 'mqtt';
import t from 'tap';
import { NO_OVERLOAD, waitFor } from '../helpers/harness.js';
import { deploymentConfig, nodesUnavailable, startDeployment } from '../helpers/nodes.js';
import { postgresBinDir, startPostgres } from '../helpers/postgres.js';
import { startMosquitto, startRedis } from '../helpers/services.js';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';

// Three node processes on a busy two-core box: more than the 180 s per file of .taprc.
t.setTimeout(300_000);

const skip = nodesUnavailable() ?? (postgresBinDir() === null ? 'PostgreSQL is not installed (scripts/setup.sh --test installs it)' : false);

/** Argument lists of a process's direct children (Linux /proc). */
function childArgv(pid: number): string[][] {
  const children = readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean));
  return children.map((c) => { try { return readFileSync(`/proc/${c}/cmdline`, 'utf8').split('\0'); } catch { return []; } });
}
/** Names of a process's direct children. */
const childCommands = (pid: number): string[] => childArgv(pid).map((a) => path.basename(a[0] ?? ''));
/** A child ffmpeg reading a camera (not the shared snapshot encoder, which outlives a camera until idle). */
const cameraFfmpegs = (pid: number): string[][] => childArgv(pid).filter((a) => path.basename(a[0] ?? '') === 'ffmpeg' && a.includes('-rtsp_transport'));

t.test('api, worker and ingest as separate processes: events flow end to end', { skip }, async (t) => {
  const pg = (await startPostgres())!;
  t.teardown(() => pg.stop());
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const sim = await startRtspSimulator({ cameras: ['gate'], readyTimeoutMs: 60_000 });
  t.teardown(() => sim.stop());
  const raw = deploymentConfig({
    redisUrl: redis.url, mqttUrl: broker.url, databaseUrl: await pg.createDatabase('roles'),
    overrides: { analysis: { mode: 'full', overload: NO_OVERLOAD } },
  });
  const d = startDeployment(raw);
  t.teardown(() => d.close());
  const prefix = d.config.mqtt.topicPrefix;
  const sub = await mqtt.connectAsync(broker.url, { clientId: `sub-${prefix}` });
  t.teardown(() => sub.endAsync(true));
  const messages: Array<{ type: string; event: { id: string; cameraId: string } }> = [];
  sub.on('message', (topic, payload) => { if (topic === `${prefix}/events`) messages.push(JSON.parse(payload.toString()) as (typeof messages)[number]); });
  await sub.subscribeAsync(`${prefix}/#`, { qos: 1 });

  const password = 'roles-test-password';
  const id = (role: string) => ({ MQTT_CLIENT_ID: `${d.config.mqtt.clientId}-${role}` });
  const [api, worker, ingest] = [
    await d.start('api', { ...id('api'), MATTHAN_ADMIN_PASSWORD: password }),
    await d.start('worker', id('worker')),
    await d.start('ingest', id('ingest')),
  ];
  const login = await fetch(`${api.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
  const { token } = await login.json() as { token: string };
  const authed = (path: string, init: RequestInit = {}) => fetch(`${api.url}${path}`, {
    ...init, headers: { ...init.headers, authorization: `Bearer ${token}`, ...(init.body ? { 'content-type': 'application/json' } : {}) },
  });

  const added = await authed('/api/cameras', { method: 'POST', body: JSON.stringify({ id: 'gate', name: 'Gate', zone: 'z1', rtspUrl: sim.url('gate') }) });
  t.equal(added.status, 201, 'camera added through the api');
  await waitFor('the ingest node streams the camera', async () => (await ingest.health()).streams?.some((s) => s.cameraId === 'gate' && s.status === 'online'), 60_000);
  t.same(childCommands(api.proc.pid!).filter((c) => c === 'ffmpeg'), [], 'the api node runs no ffmpeg');
  t.equal(cameraFfmpegs(ingest.proc.pid!).length, 1, 'the ingest node does');
  t.equal((await fetch(`${ingest.url}/api/events`)).status, 404, 'the ingest node serves no API');
  t.match(await worker.health(), { status: 'ok', roles: 'worker' }, 'the worker answers its health listener');

  await sim.cross('gate');
  const fresh = await waitFor('the new event over MQTT', () => messages.find((m) => m.type === 'new' && m.event.cameraId === 'gate'), 60_000);
  const listed = await waitFor('the event in the api', async () => {
    const body = await (await authed('/api/events?cameraId=gate')).json() as { events: Array<{ id: string }> };
    return body.events.find((e) => e.id === fresh.event.id);
  }, 30_000);
  t.ok(listed, 'stored by the worker in PostgreSQL, listed by the api');
  const snap = await authed(`/api/events/${fresh.event.id}/snapshot.jpg`);
  t.equal(snap.status, 200, 'the snapshot the ingest node wrote is served by the api (shared DATA_DIR)');

  t.equal((await authed('/api/cameras/gate', { method: 'DELETE' })).status, 204, 'camera removed through the api');
  await waitFor('the ingest node stops watching it', async () => (await ingest.health()).ingest?.cameras.length === 0, 30_000);
  await waitFor('its ffmpeg gone', () => cameraFfmpegs(ingest.proc.pid!).length === 0 || undefined, 30_000);
});
