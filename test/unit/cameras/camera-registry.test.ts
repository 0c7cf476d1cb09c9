// The registry against a real SQLite database and a real ONVIF simulator: what it stores, and what
// it announces to the stream supervisor.
import t from 'tap';
import { DEFAULT_MOTION_SETTINGS } from '../../../src/motion/motion-settings.js';
import { CameraRegistry, type CameraChange } from '../../../src/cameras/camera-registry.js';
import { CredentialCipher, newSecretKey } from '../../../src/cameras/credential-cipher.js';
import { CamerasRepository } from '../../../src/db/cameras.repository.js';
import { Database } from '../../../src/db/database.js';
import { createLogger } from '../../../src/logger.js';
import { startOnvifSimulator } from '../../../src/sim/onvif-simulator.js';
import { LogCollector } from '../../helpers/harness.js';

const PASSWORD = 'Reg1stry-pw!';
const onboarding = { concurrency: 4, probeTimeoutMs: 3000, discoveryPort: 3702 };

async function setup(test: Pick<typeof t, 'teardown'>, key = newSecretKey(), db?: Database) {
  const database = db ?? new Database(':memory:');
  if (!db) {
    await database.start();
    test.teardown(() => database.close());
  }
  const logs = new LogCollector();
  const registry = new CameraRegistry({
    repo: new CamerasRepository(database.db), cipher: new CredentialCipher(key), logger: createLogger({ level: 'debug', destination: logs }), onboarding,
  });
  const changes: CameraChange[] = [];
  registry.onChange(async (c) => { changes.push(c); });
  return { database, registry, changes, logs, key };
}

t.test('config cameras are seeded, credentials encrypted; config wins and stale ones go', async (t) => {
  const { registry, changes, database } = await setup(t);
  const cam = { id: 'gate', name: 'Gate', zone: 'z1', householdId: null, shareWithOfficers: true, rtspUrl: 'rtsp://u:p%40ss@10.0.0.5/s1' };
  await registry.seedFromConfig([cam, { ...cam, id: 'old' }]);
  await registry.seedFromConfig([{ ...cam, name: 'Gate 2' }]);
  const rows = await registry.list();
  t.same(rows.map((r) => [r.id, r.name, r.source, r.kind, r.rtsp_url]), [['gate', 'Gate 2', 'config', 'public', 'rtsp://10.0.0.5/s1']]);
  t.notMatch(rows[0]!.credentials ?? '', /p@ss|p%40ss/);
  await registry.start();
  t.same(changes, [{ id: 'gate', camera: { ...cam, name: 'Gate 2', kind: 'public', motion: DEFAULT_MOTION_SETTINGS, onvif: null } }], 'announced with credentials, in memory');
  await t.rejects(registry.update('gate', { zone: 'z2' }), { code: 'CAMERA_FROM_CONFIG' });
  await t.rejects(registry.remove('gate'), { code: 'CAMERA_FROM_CONFIG' });

  // A restart with another key cannot read the credentials: the camera is marked, not streamed.
  const other = await setup(t, newSecretKey(), database);
  await other.registry.start();
  t.same(other.changes, []);
  t.match(await other.registry.get('gate'), { status: 'error', status_detail: /cannot be decrypted/ });
});

t.test('onvif add, edits that do and do not restart, re-probe with a wrong password, remove', async (t) => {
  const sim = await startOnvifSimulator({ username: 'admin', password: PASSWORD, rtspUrl: 'rtsp://127.0.0.1:8554/{profile}' });
  t.teardown(() => sim.close());
  const { registry, changes, logs } = await setup(t);
  const { camera, probe } = await registry.add({ name: 'Cổng làng', zone: 'gate', onvif: { host: '127.0.0.1', port: sim.port, username: 'admin', password: PASSWORD } });
  t.equal(camera.id, 'cong-lang');
  t.match(camera, { status: 'online', rtsp_url: 'rtsp://127.0.0.1:8554/sub', profile_token: 'sub', stream_width: 640, kind: 'public' });
  t.equal(probe?.profiles.length, 2);
  t.same(changes.map((c) => c.camera?.rtspUrl), [`rtsp://admin:${encodeURIComponent(PASSWORD)}@127.0.0.1:8554/sub`]);

  await registry.update('cong-lang', { policeMayView: false, location: { lat: 21.0 } });
  t.equal(changes.length, 1, 'no stream-relevant change: no restart');
  t.match(await registry.get('cong-lang'), { police_may_view: 0, lat: 21, zone: 'gate' });
  await registry.update('cong-lang', { zone: 'gate-2' });
  t.equal(changes.at(-1)?.camera?.zone, 'gate-2', 'zone change restarts the stream');

  await registry.markHealth('cong-lang', false);
  t.equal((await registry.get('cong-lang')).status, 'offline', 'stream health shows as the status');
  await registry.markHealth('cong-lang', true);
  t.equal((await registry.get('cong-lang')).status, 'online');

  const r = await registry.reprobe('cong-lang', { username: 'admin', password: 'wrong' });
  t.equal(r.error?.code, 'ONVIF_UNAUTHORIZED');
  t.equal(r.camera.status, 'unauthorized');
  t.same(changes.at(-1), { id: 'cong-lang', camera: null }, 'unauthorized: stream stopped');
  await registry.markHealth('cong-lang', true);
  t.equal((await registry.get('cong-lang')).status, 'unauthorized', 'a late health report does not hide the failed probe');
  const fixed = await registry.reprobe('cong-lang');
  t.equal(fixed.camera.status, 'online', 'the stored (right) password was kept');
  t.ok(changes.at(-1)?.camera);

  await t.rejects(registry.add({ id: 'cong-lang', name: 'again', rtspUrl: 'rtsp://h/s' }), { code: 'CAMERA_EXISTS' });
  await registry.remove('cong-lang');
  t.same(changes.at(-1), { id: 'cong-lang', camera: null });
  await t.rejects(registry.get('cong-lang'), { code: 'CAMERA_NOT_FOUND' });
  t.notMatch(logs.text, PASSWORD);
});

t.test('rtsp add validates the URL; a household camera needs its household', async (t) => {
  const { registry } = await setup(t);
  await t.rejects(registry.add({ name: 'x', rtspUrl: 'file:///etc/passwd' }), { code: 'CAMERA_URL_INVALID' });
  await t.rejects(registry.add({ name: 'x', kind: 'household', rtspUrl: 'rtsp://h/s' }), { code: 'VALIDATION_FAILED' });
  const { camera } = await registry.add({ name: 'Ngõ 3', householdId: 'ho-17', rtspUrl: 'rtsp://u:pw@h/s' });
  t.match(camera, { kind: 'household', share_with_officers: 0, police_may_view: 0, rtsp_url: 'rtsp://h/s' });
});

t.test('motion settings: stored with the camera, patched in part, announced to the stream, refused when wrong', async (t) => {
  const { registry, changes } = await setup(t);
  const mask = { kind: 'privacy' as const, points: [[0, 0], [0.5, 0], [0.5, 0.5]] as Array<[number, number]> };
  const { camera } = await registry.add({ name: 'Sân nhà', householdId: 'hh-7', rtspUrl: 'rtsp://10.0.0.7/s', motion: { sensitivity: 7, masks: [mask] } });
  t.same(JSON.parse(camera.motion ?? 'null'), { mode: 'server', sensitivity: 7, masks: [mask] });
  t.same(changes.at(-1)?.camera?.motion, { mode: 'server', sensitivity: 7, masks: [mask] }, 'the stream gets the settings');
  const patched = await registry.update(camera.id, { motion: { mode: 'hybrid' } });
  t.same(JSON.parse(patched.motion ?? 'null'), { mode: 'hybrid', sensitivity: 7, masks: [mask] }, 'a partial patch keeps the masks');
  t.same(changes.at(-1)?.camera?.motion?.mode, 'hybrid', 'the change restarts the stream with the new mode');
  await t.rejects(registry.update(camera.id, { motion: { masks: [{ kind: 'privacy', points: [[0, 0], [2, 0], [1, 1]] }] } }), { code: 'VALIDATION_FAILED', message: /point 1/ });
  const plain = await registry.add({ name: 'Cổng', rtspUrl: 'rtsp://10.0.0.8/s' });
  t.equal(plain.camera.motion, null, 'defaults are stored as null');
  t.same(changes.at(-1)?.camera?.motion, DEFAULT_MOTION_SETTINGS);
});
