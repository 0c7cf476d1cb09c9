// probeCamera against the ONVIF simulator on loopback: the happy path, every auth and clock case,
// every fault switch (a classified error, never a crash or a hang) and the NAT rewrite.
import t from 'tap';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { isMatThanError, type ErrorCode } from '../../src/errors.js';
import { createLogger } from '../../src/logger.js';
import { probeCamera, type ProbeOptions } from '../../src/onvif/onvif-client.js';
import { freeLoopbackPort } from '../../src/free-port.js';
import { startOnvifSimulator, type OnvifSimulatorOptions } from '../../src/sim/onvif-simulator.js';
import { LogCollector } from '../helpers/harness.js';

/** What the helpers need of a (sub)test. */
type Tap = Pick<typeof t, 'teardown' | 'ok' | 'notMatch'>;

const USER = 'admin';
const PASSWORD = 'S3cret-pw!';
const TEN_MINUTES = 10 * 60_000;
const logs = new LogCollector();
const logger = createLogger({ level: 'debug', destination: logs });

async function sim(t: Tap, opts: OnvifSimulatorOptions = {}) {
  const s = await startOnvifSimulator({ username: USER, password: PASSWORD, ...opts });
  t.teardown(() => s.close());
  return s;
}

const options = (port: number, extra: Partial<ProbeOptions> = {}): ProbeOptions =>
  ({ host: '127.0.0.1', port, username: USER, password: PASSWORD, timeoutMs: 3000, logger, ...extra });

/** Resolves to the rejection; fails the test when the probe succeeds or rejects with another code. */
async function rejects(t: Tap, probe: Promise<unknown>, code: ErrorCode, what: string): Promise<Error> {
  const err = await probe.then(() => new Error('probe unexpectedly succeeded'), (e: unknown) => e as Error);
  t.ok(isMatThanError(err, code), `${what}: ${code} (got ${(err as { code?: string }).code ?? ''}: ${err.message})`);
  t.notMatch(err.message, PASSWORD, `${what}: no password in the error`);
  return err;
}

t.test('happy path: device info, profiles, detection = sub profile, a real JPEG snapshot', async (t) => {
  const s = await sim(t, { rtspUrl: 'rtsp://127.0.0.1:8554/live/{profile}' });
  const r = await probeCamera(options(s.port));
  t.same(r.deviceInfo, { manufacturer: 'MatThan', model: 'SimCam 1', firmwareVersion: '1.0.0', serialNumber: 'SIM0001', hardwareId: 'SIM-1' });
  t.same(r.profiles.map((p) => [p.token, p.encoding, p.width, p.height, p.fps]), [['main', 'H264', 1920, 1080, 25], ['sub', 'H264', 640, 360, 15]]);
  t.same(r.detection, { profileToken: 'sub', rtspUrl: 'rtsp://127.0.0.1:8554/live/sub', width: 640, height: 360 });
  t.equal(r.snapshot.profileToken, 'main', 'snapshot from the largest profile');
  t.ok(Math.abs(r.clockOffsetMs) < 60_000, 'camera clock agrees with ours');
  for (const p of r.profiles) t.notMatch(p.rtspUrl, /@/, 'no credentials in URLs by default');

  const res = await fetch(r.snapshot.uri!);
  const jpeg = Buffer.from(await res.arrayBuffer());
  t.equal(res.headers.get('content-type'), 'image/jpeg');
  t.same([jpeg[0], jpeg[1], jpeg.at(-2), jpeg.at(-1)], [0xff, 0xd8, 0xff, 0xd9], 'a complete JPEG (SOI..EOI)');

  const withCreds = await probeCamera(options(s.port, { withCredentials: true }));
  t.equal(withCreds.detection.rtspUrl, `rtsp://${USER}:${encodeURIComponent(PASSWORD)}@127.0.0.1:8554/live/sub`, 'withCredentials injects them');
  t.notMatch(withCreds.snapshot.uri ?? '', /@/, 'never into the snapshot URI');
});

t.test('no H.264 sub profile wide enough: the smallest one of at least 320 px', async (t) => {
  const s = await sim(t, { profiles: [
    { token: 'tiny', encoding: 'H264', width: 176, height: 144 },
    { token: 'mjpeg', encoding: 'JPEG', width: 352, height: 288 },
    { token: 'mid', encoding: 'H264', width: 1280, height: 720 },
    { token: 'big', encoding: 'H264', width: 2560, height: 1440 },
  ] });
  const r = await probeCamera(options(s.port));
  t.equal(r.detection.profileToken, 'mid');
  t.equal(r.snapshot.profileToken, 'big');
  t.equal(r.profiles.length, 4, 'non-H.264 profiles are still listed');
});

t.test('no snapshot URI: snapshots come from the largest profile', async (t) => {
  const s = await sim(t, { snapshot: false });
  t.same((await probeCamera(options(s.port))).snapshot, { uri: null, profileToken: 'main' });
});

t.test('NAT: stream and snapshot URIs naming a private host are rewritten to the host we used', async (t) => {
  const s = await sim(t, { streamHost: '10.1.2.3', rtspUrl: 'rtsp://127.0.0.1:8554/ch/{profile}' });
  const r = await probeCamera(options(s.port));
  t.equal(r.detection.rtspUrl, 'rtsp://127.0.0.1:8554/ch/sub', 'same port and path, our host');
  t.equal(r.snapshot.uri, `http://127.0.0.1:${s.port}/snapshot.jpg`);
  t.equal((await fetch(r.snapshot.uri!)).status, 200, 'the rewritten snapshot URI works');
});

t.test('credentials', async (t) => {
  const s = await sim(t);
  await rejects(t, probeCamera(options(s.port, { password: 'wrong-one' })), 'ONVIF_UNAUTHORIZED', 'wrong password');
  await rejects(t, probeCamera(options(s.port, { username: 'nobody' })), 'ONVIF_UNAUTHORIZED', 'unknown user');
  s.setFaults({ always401: true });
  await rejects(t, probeCamera(options(s.port)), 'ONVIF_UNAUTHORIZED', 'always 401');
  await rejects(t, probeCamera(options(s.port, { username: 'a<b' })), 'VALIDATION_FAILED', 'username that would break the XML');
});

t.test('a Digest-only camera is reached through HTTP Digest', async (t) => {
  const s = await sim(t, { authModes: ['digest'] });
  t.equal((await probeCamera(options(s.port))).detection.profileToken, 'sub');
  await rejects(t, probeCamera(options(s.port, { password: 'nope' })), 'ONVIF_UNAUTHORIZED', 'digest, wrong password');
});

t.test('camera clock 10 minutes ahead: tokens use its clock', async (t) => {
  const s = await sim(t, { clockSkewMs: TEN_MINUTES });
  const r = await probeCamera(options(s.port));
  t.equal(r.detection.profileToken, 'sub');
  t.ok(Math.abs(r.clockOffsetMs - TEN_MINUTES) < 60_000, `offset ≈ +10 min (${r.clockOffsetMs} ms)`);
});

t.test('camera clock jumps after we read it: auth fails once, the clock is re-read, the retry works', async (t) => {
  const s = await sim(t, { clockSkewMs: TEN_MINUTES, faults: { clockReportErrorMs: -TEN_MINUTES, clockReportErrorOnce: true } });
  const r = await probeCamera(options(s.port));
  t.equal(r.detection.profileToken, 'sub');
  t.ok(Math.abs(r.clockOffsetMs - TEN_MINUTES) < 60_000, 'the offset of the second reading is reported');
});

t.test('camera reports a clock it does not authenticate with: ONVIF_CLOCK_SKEW', async (t) => {
  const s = await sim(t, { faults: { clockReportErrorMs: 7 * 3600_000 } });
  const err = await rejects(t, probeCamera(options(s.port)), 'ONVIF_CLOCK_SKEW', 'timezone-confused camera');
  const offsetS = Number(/(-?\d+) s off ours/.exec(err.message)?.[1]);
  t.ok(Math.abs(offsetS - 7 * 3600) < 60, `names the offset, ≈ 7 h (${offsetS} s)`);
});

t.test('faults give a classified error, never a crash or a hang', async (t) => {
  const s = await sim(t);
  const cases: Array<[string, Parameters<typeof s.setFaults>[0], ErrorCode]> = [
    ['SOAP fault on every call', { soapFault: true }, 'ONVIF_FAULT'],
    ['malformed XML', { malformedXml: true }, 'ONVIF_NOT_ONVIF'],
    ['5 MiB reply', { hugeReply: true }, 'ONVIF_REPLY_TOO_LARGE'],
    ['regex-hostile reply', { pathologicalXml: true }, 'ONVIF_NOT_ONVIF'],
    ['dropped connection', { dropConnections: true }, 'ONVIF_UNREACHABLE'],
    ['reply slower than the deadline', { delayMs: 5000 }, 'ONVIF_UNREACHABLE'],
  ];
  const off = { soapFault: false, malformedXml: false, hugeReply: false, pathologicalXml: false, dropConnections: false, delayMs: 0 };
  for (const [what, faults, code] of cases) {
    s.setFaults({ ...off, ...faults });
    await rejects(t, probeCamera(options(s.port, { timeoutMs: 500 })), code, what);
  }
  s.setFaults(off);
  t.equal((await probeCamera(options(s.port))).detection.profileToken, 'sub', 'the same camera still probes fine afterwards');
  t.notMatch(logs.text, PASSWORD, 'no password in any log line');
});

t.test('closed port: ONVIF_UNREACHABLE', async (t) => {
  const port = await freeLoopbackPort();
  const err = await rejects(t, probeCamera(options(port)), 'ONVIF_UNREACHABLE', 'closed port');
  t.match(err.message, /ECONNREFUSED/);
});

t.test('an HTTP server that is not a camera: ONVIF_NOT_ONVIF', async (t) => {
  const server = http.createServer((_req, res) => res.writeHead(404, { 'Content-Type': 'text/html' }).end('<html><body>Not Found</body></html>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const err = await rejects(t, probeCamera(options((server.address() as AddressInfo).port)), 'ONVIF_NOT_ONVIF', 'plain HTTP');
  t.match(err.message, /HTTP 404/);
});

t.test('MJPEG-only camera: ONVIF_NO_H264', async (t) => {
  const s = await sim(t, { profiles: [{ token: 'jpeg', encoding: 'JPEG', width: 1280, height: 720 }] });
  const err = await rejects(t, probeCamera(options(s.port)), 'ONVIF_NO_H264', 'MJPEG only');
  t.match(err.message, /JPEG/);
});
