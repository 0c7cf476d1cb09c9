// Camera URLs are untrusted: ffmpeg runs without a shell, only with a protocol whitelist,
// credentials never reach a log line, and bad URLs are refused at start naming the camera.

import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { freeLoopbackPort } from '../../src/free-port.js';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { PROTOCOL_WHITELIST } from '../../src/streams/ffmpeg-args.js';
import { startHarness, waitFor } from '../helpers/harness.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

const SECRET = 'hunter2-very-secret';

t.test('credentials stay out of logs; ffmpeg is our direct child with a protocol whitelist', async (t) => {
  const redis = await startRedis();
  const broker = await startMosquitto();
  const sim = await startRtspSimulator({ cameras: ['ok'] });
  const closedPort = await freeLoopbackPort();
  const h = await startHarness({
    redisUrl: redis.url,
    mqttUrl: broker.url,
    cameras: [
      { id: 'with-creds', name: 'A', rtspUrl: sim.url('ok').replace('rtsp://', `rtsp://admin:${SECRET}@`), zone: 'z' },
      { id: 'refused', name: 'B', rtspUrl: `rtsp://admin:${SECRET}@127.0.0.1:${closedPort}/x`, zone: 'z' },
    ],
  });
  t.teardown(async () => {
    await h.close();
    await sim.stop();
    await redis.stop();
    await broker.stop();
  });

  await waitFor('the camera with credentials streams', () => h.framesOf('with-creds') >= 3);
  const pid = h.service.supervisor.stats().find((s) => s.cameraId === 'with-creds')?.pid;
  t.ok(pid, 'ffmpeg pid known');
  const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  t.match(path.basename(argv[0] as string), /^ffmpeg$/, 'ffmpeg itself, not a shell');
  t.equal(argv[argv.indexOf('-protocol_whitelist') + 1], PROTOCOL_WHITELIST);
  t.ok(argv.indexOf('-protocol_whitelist') < argv.indexOf('-i'), 'whitelist applies to the input');
  const ppid = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
  t.equal(ppid, process.pid, 'spawned directly by the service');

  await waitFor('two failed attempts on the refused camera', () =>
    h.logs.lines.filter((l) => l.includes('"cameraId":"refused"') && l.includes('ffmpeg exited')).length >= 2, 30_000);
  t.ok(h.logs.lines.some((l) => l.includes('"cameraId":"refused"') && /Connection refused/i.test(l)), 'the reason is logged');
  t.notMatch(h.logs.text, SECRET, 'the password never appears in any log line');
  t.match(h.logs.text, 'rtsp://***@127.0.0.1', 'URLs are logged with credentials masked');
});

t.test('a non-RTSP camera URL stops the service at start, naming the camera', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-cli-'));
  for (const bad of ['file:///etc/passwd', 'http://127.0.0.1/x', 'concat:/a|/b', 'rtsp:///no-host']) {
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, `cameras:\n  - id: cong-sau\n    rtspUrl: "${bad}"\n`);
    // The compiled CLI (npm test builds it first), as an operator runs it.
    const child = spawn(process.execPath, ['dist/cli/mat-than.js', 'serve'], {
      env: { ...process.env, MATTHAN_CONFIG: file, DATA_DIR: dir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    t.equal(code, 2, `${bad}: exit code 2`);
    t.match(stderr, /camera 'cong-sau'/, `${bad}: names the camera`);
    t.match(stderr, /cameras\.0/, `${bad}: names the field`);
  }
});
