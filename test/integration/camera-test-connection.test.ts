// "Test connection" through the real app with real simulators and ffmpeg: an ONVIF camera behind a
// password and an RTSP URL each give one JPEG; failures have clear codes; nothing is saved and no
// credential shows up in an answer or a log line.

import t from 'tap';
import { freeLoopbackPort } from '../../src/free-port.js';
import { startOnvifSimulator } from '../../src/sim/onvif-simulator.js';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { jpegSize } from '../../src/streams/frame-grab-result.js';
import { startApiApp } from '../helpers/api-app.js';

const USER = 'admin';
const PASSWORD = 'T3st-connection-pw';
const rtsp = await startRtspSimulator({ cameras: ['gate'] });
const onvif = await startOnvifSimulator({ username: USER, password: PASSWORD, rtspUrl: rtsp.url('gate') });
const api = await startApiApp({ onboarding: { probeTimeoutMs: 3000 } }, 'sqlite', { cameraTestsPerMinute: 100 });
t.teardown(async () => {
  await api.close();
  await onvif.close();
  await rtsp.stop();
});
const test = (who: 'admin' | 'ho-1' | 'officer', payload: object) => api.as(who, { method: 'POST', url: '/api/cameras/test', payload });

function decode(snapshot: string): Buffer {
  t.match(snapshot, /^data:image\/jpeg;base64,/);
  return Buffer.from(snapshot.slice('data:image/jpeg;base64,'.length), 'base64');
}

t.test('by RTSP URL: one JPEG of the stream, its size, nothing saved', async (t) => {
  const res = await test('ho-1', { rtspUrl: rtsp.url('gate') });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const body = res.json();
  const jpeg = decode(body.snapshot);
  t.same(jpegSize(jpeg), { width: body.width, height: body.height });
  t.ok(body.width > 0 && body.height > 0);
  t.same(body.probe, { rtspUrl: rtsp.url('gate') });
  t.same((await api.as('admin', { method: 'GET', url: '/api/cameras' })).json().cameras, [], 'nothing registered');
});

t.test('by ONVIF with a password: the probe summary, the stream chosen, a frame; the password nowhere', async (t) => {
  const res = await test('admin', { onvif: { host: '127.0.0.1', port: onvif.port, username: USER, password: PASSWORD } });
  t.equal(res.statusCode, 200, res.body.slice(0, 300));
  const body = res.json();
  t.match(body.probe, { deviceInfo: { manufacturer: String }, profiles: Array, stream: { profileToken: String, rtspUrl: rtsp.url('gate') } });
  t.ok(decode(body.snapshot).length > 100);
  t.notMatch(res.body, PASSWORD);
  t.notMatch(api.logs.text, PASSWORD, 'not in the logs either');
});

t.test('failures: wrong password, unreachable, no stream at the address, bad input', async (t) => {
  const wrong = await test('admin', { onvif: { host: '127.0.0.1', port: onvif.port, username: USER, password: 'wrong-password' } });
  t.equal(wrong.statusCode, 422);
  t.equal(wrong.json().error.code, 'ONVIF_UNAUTHORIZED');
  const closed = await freeLoopbackPort();
  const secretUrl = `rtsp://someone:Very-secret-9@127.0.0.1:${closed}/x`;
  const unreachable = await test('admin', { rtspUrl: secretUrl });
  t.equal(unreachable.statusCode, 502, unreachable.body);
  t.equal(unreachable.json().error.code, 'CAMERA_TEST_UNREACHABLE');
  t.notMatch(unreachable.body, 'Very-secret-9');
  const noOnvif = await test('admin', { onvif: { host: '127.0.0.1', port: closed } });
  t.equal(noOnvif.json().error.code, 'ONVIF_UNREACHABLE');
  const noStream = await test('admin', { rtspUrl: `${rtsp.url('gate')}-missing` });
  t.equal(noStream.statusCode, 422, noStream.body);
  t.equal(noStream.json().error.code, 'CAMERA_TEST_NOT_A_CAMERA');
  t.equal((await test('admin', { rtspUrl: 'http://127.0.0.1/x' })).json().error.code, 'CAMERA_URL_INVALID');
  t.equal((await test('admin', { rtspUrl: 'file:///etc/passwd' })).json().error.code, 'CAMERA_URL_INVALID');
  t.equal((await test('admin', {})).json().error.code, 'VALIDATION_FAILED');
  t.equal((await test('admin', { rtspUrl: rtsp.url('gate'), onvif: { host: '127.0.0.1' } })).json().error.code, 'VALIDATION_FAILED');
  t.equal((await test('officer', { rtspUrl: rtsp.url('gate') })).statusCode, 403);
  t.notMatch(api.logs.text, 'Very-secret-9', 'the URL password is not logged');
});

t.test('rate-limited per account', async (t) => {
  const limited = await startApiApp({}, 'sqlite', { cameraTestsPerMinute: 1 });
  t.teardown(() => limited.close());
  const url = `rtsp://127.0.0.1:${await freeLoopbackPort()}/x`;
  const first = await limited.as('ho-1', { method: 'POST', url: '/api/cameras/test', payload: { rtspUrl: url } });
  t.equal(first.statusCode, 502);
  const second = await limited.as('ho-1', { method: 'POST', url: '/api/cameras/test', payload: { rtspUrl: url } });
  t.equal(second.statusCode, 429);
  t.equal(second.json().error.code, 'CAMERA_TEST_RATE_LIMITED');
  t.equal(second.headers['retry-after'], '60');
  const other = await limited.as('ho-2', { method: 'POST', url: '/api/cameras/test', payload: { rtspUrl: url } });
  t.equal(other.statusCode, 502, 'another account has its own allowance');
});
