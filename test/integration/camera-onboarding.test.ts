// Onboarding through the HTTP API of a running service: ONVIF simulators with passwords in front of
// the RTSP simulator; streams follow the registry live; credentials never leave the process.

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import t from 'tap';
import { freeLoopbackPort } from '../../src/free-port.js';
import { startOnvifSimulator, type OnvifSimulatorOptions } from '../../src/sim/onvif-simulator.js';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { startHarness, waitFor, type Harness } from '../helpers/harness.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

const USER = 'admin';
const PASSWORD = 'Onb0ard-secret-pw';
const RTSP_PASSWORD = 'rtsp-url-secret-pw';
const WRONG = 'definitely-wrong-pw';

const redis = await startRedis();
const broker = await startMosquitto();
const rtsp = await startRtspSimulator({ cameras: ['gate', 'lane'] });
const discoveryPort = await freeLoopbackPort();
const h: Harness = await startHarness({
  redisUrl: redis.url, mqttUrl: broker.url, cameras: [],
  overrides: { onboarding: { concurrency: 4, probeTimeoutMs: 2000, discoveryPort } },
});
t.teardown(async () => {
  await h.close();
  await rtsp.stop();
  await redis.stop();
  await broker.stop();
});

async function onvifSim(t: Pick<typeof import('tap').default, 'teardown'>, opts: OnvifSimulatorOptions = {}) {
  const s = await startOnvifSimulator({ username: USER, password: PASSWORD, rtspUrl: rtsp.url('gate'), ...opts });
  t.teardown(() => s.close());
  return s;
}

const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
  h.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
const body = (port: number, extra: Record<string, unknown> = {}) =>
  ({ name: 'Cổng làng', zone: 'gate', onvif: { host: '127.0.0.1', port, username: USER, password: PASSWORD }, ...extra });
const streamOf = (id: string) => h.service.supervisor.stats().find((s) => s.cameraId === id);

t.test('register by ONVIF: 201, listed without credentials, streaming without a restart; DELETE stops ffmpeg', async (t) => {
  const s = await onvifSim(t);
  const res = await api('POST', '/api/cameras', body(s.port, { id: 'cong-lang', location: { lat: 21.03, lon: 105.85, address: 'Cổng làng' } }));
  t.equal(res.statusCode, 201, res.body);
  t.match(res.json(), { camera: { id: 'cong-lang', status: 'online', kind: 'public', hasCredentials: true, rtspUrl: rtsp.url('gate'), onvif: { host: '127.0.0.1', port: s.port } } });
  t.notMatch(res.body, PASSWORD);
  t.notMatch(res.body, /"username"|"password"|"credentials"/);

  const pid = await waitFor('its stream analyses frames', () => { const st = streamOf('cong-lang'); return st && st.framesAnalysed > 0 && st.pid; });
  await waitFor('its Home Assistant config', () => h.received.find((m) => m.topic.startsWith(`${h.config.mqtt.discoveryPrefix}/`) && m.topic.includes('_cong-lang/')));
  const list = await api('GET', '/api/cameras');
  t.equal(list.statusCode, 200);
  t.match(list.json(), { cameras: [{ id: 'cong-lang', location: { lat: 21.03 }, stream: { status: 'online' } }] });
  t.notMatch(list.body, PASSWORD);
  const one = await api('GET', '/api/cameras/cong-lang');
  t.ok(one.json().camera.stream.framesAnalysed > 0, 'joined with live stream stats');

  const patched = await api('PATCH', '/api/cameras/cong-lang', { zone: 'gate-2', policeMayView: false });
  t.equal(patched.statusCode, 200, patched.body);
  t.match(patched.json(), { camera: { zone: 'gate-2', policeMayView: false } });
  await waitFor('the restarted stream carries the new zone', () => streamOf('cong-lang')?.zone === 'gate-2');

  const del = await api('DELETE', '/api/cameras/cong-lang');
  t.equal(del.statusCode, 204);
  t.notOk(streamOf('cong-lang'), 'stream removed');
  await waitFor(`ffmpeg ${pid} gone`, () => !existsSync(`/proc/${pid}`) || undefined);
  t.equal((await api('GET', '/api/cameras/cong-lang')).json().error.code, 'CAMERA_NOT_FOUND');
  t.equal((await api('DELETE', '/api/cameras/cong-lang')).statusCode, 404);
});

t.test('wrong password: 422 and nothing saved; saveIfUnauthorized saves it without a stream; re-probe fixes it', async (t) => {
  const s = await onvifSim(t);
  const bad = body(s.port, { id: 'wrong-pw', onvif: { host: '127.0.0.1', port: s.port, username: USER, password: WRONG } });
  const res = await api('POST', '/api/cameras', bad);
  t.equal(res.statusCode, 422);
  t.equal(res.json().error.code, 'ONVIF_UNAUTHORIZED');
  t.notMatch(res.body, WRONG);
  t.equal((await api('GET', '/api/cameras/wrong-pw')).statusCode, 404, 'nothing saved');

  const saved = await api('POST', '/api/cameras', { ...bad, saveIfUnauthorized: true });
  t.equal(saved.statusCode, 201, saved.body);
  t.match(saved.json(), { camera: { id: 'wrong-pw', status: 'unauthorized', rtspUrl: null } });
  t.notOk(streamOf('wrong-pw'), 'no stream for an unauthorized camera');

  const fixed = await api('POST', '/api/cameras/wrong-pw/probe', { username: USER, password: PASSWORD });
  t.equal(fixed.statusCode, 200, fixed.body);
  t.match(fixed.json(), { camera: { status: 'online' }, error: null });
  await waitFor('stream after the fix', () => (streamOf('wrong-pw')?.framesAnalysed ?? 0) > 0);

  // Credentials the ONVIF client cannot send are the caller's mistake: 400, the working camera untouched.
  const unsendable = await api('POST', '/api/cameras/wrong-pw/probe', { username: 'has space', password: PASSWORD });
  t.equal(unsendable.statusCode, 400, unsendable.body);
  t.equal(unsendable.json().error.code, 'VALIDATION_FAILED');
  t.match((await api('GET', '/api/cameras/wrong-pw')).json(), { camera: { status: 'online' } });
  t.ok(streamOf('wrong-pw'), 'still streaming');
  t.equal((await api('DELETE', '/api/cameras/wrong-pw')).statusCode, 204);
});

t.test('camera clock 10 minutes off: registered', async (t) => {
  const s = await onvifSim(t, { clockSkewMs: 10 * 60_000 });
  const res = await api('POST', '/api/cameras', body(s.port, { id: 'skewed' }));
  t.equal(res.statusCode, 201, res.body);
  t.equal((await api('DELETE', '/api/cameras/skewed')).statusCode, 204);
});

t.test('faulty devices: a clear code, nothing saved, the service stays healthy', async (t) => {
  const s = await onvifSim(t);
  const cases: Array<[string, OnvifSimulatorOptions['faults'], number, string]> = [
    ['malformed XML', { malformedXml: true }, 422, 'ONVIF_NOT_ONVIF'],
    ['SOAP fault', { soapFault: true }, 502, 'ONVIF_FAULT'],
    ['5 MiB reply', { hugeReply: true }, 502, 'ONVIF_REPLY_TOO_LARGE'],
    ['dropped connections', { dropConnections: true }, 502, 'ONVIF_UNREACHABLE'],
  ];
  for (const [what, faults, status, code] of cases) {
    s.setFaults({ malformedXml: false, soapFault: false, hugeReply: false, dropConnections: false, ...faults });
    const res = await api('POST', '/api/cameras', body(s.port, { id: 'faulty' }));
    t.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 200)}`);
    t.equal(res.json().error.code, code, what);
  }
  const closed = await api('POST', '/api/cameras', body(await freeLoopbackPort(), { id: 'faulty' }));
  t.equal(closed.json().error.code, 'ONVIF_UNREACHABLE', 'closed port');
  t.equal((await api('GET', '/api/cameras/faulty')).statusCode, 404, 'nothing saved');
  t.equal((await api('GET', '/healthz')).statusCode, 200);
});

t.test('register by RTSP URL: credentials split out; only rtsp(s) accepted', async (t) => {
  const url = rtsp.url('lane').replace('rtsp://', `rtsp://viewer:${RTSP_PASSWORD}@`);
  const res = await api('POST', '/api/cameras', { name: 'Ngõ 3', householdId: 'ho-17', rtspUrl: url });
  t.equal(res.statusCode, 201, res.body);
  t.match(res.json(), { camera: { id: 'ngo-3', kind: 'household', shareWithOfficers: false, hasCredentials: true, rtspUrl: rtsp.url('lane'), onvif: null } });
  t.notMatch(res.body, RTSP_PASSWORD);
  await waitFor('the lane stream', () => (streamOf('ngo-3')?.framesAnalysed ?? 0) > 0);
  const pid = streamOf('ngo-3')?.pid;
  // The household draws a privacy mask and chooses its sensitivity: the stream restarts with them.
  const motion = { sensitivity: 6, masks: [{ kind: 'privacy', points: [[0, 0], [0.4, 0], [0.4, 0.3], [0, 0.3]] }] };
  const patched = await api('PATCH', '/api/cameras/ngo-3', { motion });
  t.equal(patched.statusCode, 200, patched.body);
  t.same(patched.json().camera.motion, { mode: 'server', ...motion });
  await waitFor('a new ffmpeg with the mask', () => { const s = streamOf('ngo-3'); return s && s.pid !== null && s.pid !== pid && s.framesAnalysed > 0; });
  t.equal((await api('POST', '/api/cameras/ngo-3/probe')).json().error.code, 'CAMERA_NOT_ONVIF');
  t.equal((await api('DELETE', '/api/cameras/ngo-3')).statusCode, 204);

  for (const bad of ['file:///etc/passwd', 'http://127.0.0.1/video']) {
    const r = await api('POST', '/api/cameras', { name: 'Bad', rtspUrl: bad });
    t.equal(r.statusCode, 400, bad);
    t.equal(r.json().error.code, 'CAMERA_URL_INVALID', bad);
  }
});

t.test('malformed requests: 4xx with a stable code', async (t) => {
  const cases: Array<[string, unknown, number, string]> = [
    ['unknown field', { name: 'x', rtspUrl: 'rtsp://h/s', color: 'red' }, 400, 'VALIDATION_FAILED'],
    ['unknown onvif field', { name: 'x', onvif: { host: 'h', pin: 1 } }, 400, 'VALIDATION_FAILED'],
    ['both onvif and rtspUrl', { name: 'x', rtspUrl: 'rtsp://h/s', onvif: { host: 'h' } }, 400, 'VALIDATION_FAILED'],
    ['neither', { name: 'x' }, 400, 'VALIDATION_FAILED'],
    ['bad id', { id: '../x', name: 'x', rtspUrl: 'rtsp://h/s' }, 400, 'VALIDATION_FAILED'],
    ['household without household', { name: 'x', kind: 'household', rtspUrl: 'rtsp://h/s' }, 400, 'VALIDATION_FAILED'],
    ['oversized body', { name: 'x', rtspUrl: `rtsp://h/${'a'.repeat(70_000)}` }, 413, 'PAYLOAD_TOO_LARGE'],
    ['unknown motion mode', { name: 'x', rtspUrl: 'rtsp://h/s', motion: { mode: 'magic' } }, 400, 'VALIDATION_FAILED'],
    ['sensitivity out of range', { name: 'x', rtspUrl: 'rtsp://h/s', motion: { sensitivity: 0 } }, 400, 'VALIDATION_FAILED'],
    ['mask point off the frame', { name: 'x', rtspUrl: 'rtsp://h/s', motion: { masks: [{ kind: 'privacy', points: [[0, 0], [1.2, 0], [1, 1]] }] } }, 400, 'VALIDATION_FAILED'],
    ['mask with two points', { name: 'x', rtspUrl: 'rtsp://h/s', motion: { masks: [{ kind: 'ignore', points: [[0, 0], [1, 1]] }] } }, 400, 'VALIDATION_FAILED'],
  ];
  for (const [what, payload, status, code] of cases) {
    const res = await api('POST', '/api/cameras', payload);
    t.equal(res.statusCode, status, `${what}: ${res.body.slice(0, 200)}`);
    t.equal(res.json().error?.code, code, what);
  }
  const patch = await api('PATCH', '/api/cameras/nope', { owner: 'x' });
  t.equal(patch.json().error.code, 'VALIDATION_FAILED');
  t.equal((await api('PATCH', '/api/cameras/nope', { zone: 'z' })).json().error.code, 'CAMERA_NOT_FOUND');
  t.same((await api('GET', '/api/cameras')).json(), { cameras: [] }, 'nothing was saved by any of them');
});

t.test('discovery scan by unicast on loopback finds the simulator; never registers it; a /23 is refused', async (t) => {
  const s = await onvifSim(t, { discovery: { address: '127.0.0.1', port: discoveryPort } });
  const res = await api('POST', '/api/discovery/scan', { targets: ['127.0.0.1'], timeoutMs: 1000 });
  t.equal(res.statusCode, 200, res.body);
  t.match(res.json().candidates, [{ uuid: s.uuid, from: '127.0.0.1', xaddrs: [s.deviceUrl] }]);
  t.same((await api('GET', '/api/cameras')).json(), { cameras: [] }, 'not auto-registered');
  const wide = await api('POST', '/api/discovery/scan', { targets: ['10.0.0.0/23'] });
  t.equal(wide.statusCode, 400);
  t.equal(wide.json().error.code, 'ONVIF_DISCOVERY_TARGET_INVALID');
  t.equal((await api('POST', '/api/discovery/scan', { targets: ['127.0.0.1'], ports: [1] })).statusCode, 400, 'unknown field');

  // The same scan from the command line (this process's TypeScript loader runs the .ts CLI; no shell).
  const cli = fileURLToPath(new URL('../../src/cli/mat-than.ts', import.meta.url));
  const loaders = process.execArgv.filter((a) => !a.startsWith('--inspect'));
  const args = [...loaders, cli, 'discover', '--targets', '127.0.0.1', '--port', String(discoveryPort), '--timeout', '1000'];
  const json = await promisify(execFile)(process.execPath, [...args, '--json']);
  t.match(JSON.parse(json.stdout), [{ uuid: s.uuid, from: '127.0.0.1' }]);
  const lines = await promisify(execFile)(process.execPath, args);
  t.match(lines.stdout, new RegExp(`^127\\.0\\.0\\.1\\t${s.deviceUrl.replaceAll('.', '\\.')}\\t.*${s.uuid}\\n$`));
  const refused = await promisify(execFile)(process.execPath, [...loaders, cli, 'discover', '--targets', '10.0.0.0/23']).catch((e: { code: number; stderr: string }) => e);
  t.match(refused, { code: 2, stderr: /at most a \/24/ });
});

t.test('no credential in any log line', async (t) => {
  t.ok(h.logs.lines.length > 0);
  for (const secret of [PASSWORD, RTSP_PASSWORD, WRONG]) t.notMatch(h.logs.text, secret);
});
