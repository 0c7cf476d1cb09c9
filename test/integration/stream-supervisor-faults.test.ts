// Supervisor behaviour for faults the real ffmpeg cannot be made to show on demand, with a fake
// ffmpeg (test/fixtures/fake-ffmpeg.mjs): crash on start, hang without output, exit after N frames.

import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { buildConfig, type CameraConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { StreamSupervisor } from '../../src/streams/stream-supervisor.js';
import { LogCollector, waitFor } from '../helpers/harness.js';

const FAKE = fileURLToPath(new URL('../fixtures/fake-ffmpeg.mjs', import.meta.url));

function setup(t: Pick<typeof import('tap').default, 'teardown'>, watchdogSec = 1, analysis?: 'patrol') {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-fake-'));
  process.env.FAKE_FFMPEG_LOG = path.join(dir, 'starts.log');
  const config = buildConfig({ stream: { ffmpegPath: FAKE, backoffInitialMs: 100, backoffMaxMs: 800, watchdogSec }, analysis: { mode: analysis ?? 'full', patrolFps: 1 } });
  const logs = new LogCollector();
  const health: Array<{ cameraId: string; condition: string; active: boolean }> = [];
  const supervisor = new StreamSupervisor(config.motion, config.stream, {
    logger: createLogger({ level: 'debug', destination: logs }),
    onEpisode: async () => {},
    onHealth: async (camera, r) => { health.push({ cameraId: camera.id, condition: r.condition, active: r.active }); },
    offlineGraceMs: 60_000, frozenAfterMs: 60_000, coveredAfterMs: 60_000, ffmpegMajor: 5,
    ...(analysis ? { analysis: config.analysis } : {}),
  });
  t.teardown(async () => {
    await supervisor.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const starts = () => (existsSync(process.env.FAKE_FFMPEG_LOG!) ? readFileSync(process.env.FAKE_FFMPEG_LOG!, 'utf8').trim().split('\n') : [])
    .map((l) => { const [pid, mode] = l.split(' '); return { pid: Number(pid), mode }; });
  const entries = () => logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const camera = (id: string, mode: string): CameraConfig => ({ id, name: id, zone: 'z', householdId: null, shareWithOfficers: true, rtspUrl: `rtsp://fake/${mode}` });
  return { supervisor, starts, entries, health, camera };
}

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

t.test('an ffmpeg that crashes on start is restarted with stepped, capped, jittered back-off', async (t) => {
  const { supervisor, starts, entries, camera } = setup(t);
  await supervisor.add(camera('crashy', 'crash'));
  await waitFor('six starts', () => starts().length >= 6 || undefined, 20_000);
  const delays = entries().filter((e) => e.msg === 'ffmpeg exited; restarting').map((e) => e.retryInMs as number);
  t.ok(delays.length >= 5, `${delays.length} restarts`);
  delays.slice(0, 5).forEach((d, i) => {
    const step = Math.min(800, 100 * 2 ** i);
    t.ok(d <= step && d >= step / 2, `restart ${i + 1}: ${d} ms within [${step / 2}, ${step}]`);
  });
  t.equal(supervisor.stats()[0]?.status, 'offline');
  t.ok((supervisor.stats()[0]?.restarts ?? 0) >= 5);
});

t.test('an ffmpeg that hangs without output is stopped by the watchdog: q, SIGTERM, then SIGKILL', async (t) => {
  const { supervisor, starts, entries, camera } = setup(t);
  await supervisor.add(camera('wedged', 'hang'));
  await waitFor('a first start', () => starts()[0]);
  const first = starts()[0]!.pid;
  await waitFor('the watchdog restarts it', () => starts().length >= 2 || undefined, 20_000);
  t.ok(entries().some((e) => e.msg === 'no frames from ffmpeg; restarting it'), 'the watchdog fired');
  const exit = entries().find((e) => e.msg === 'ffmpeg exited; restarting');
  t.equal(exit?.signal, 'SIGKILL', `it ignored q and SIGTERM, so it was killed (${JSON.stringify(exit)})`);
  t.notOk(alive(first), 'the wedged process is gone');
});

t.test('an ffmpeg that exits after N frames: its frames are analysed, it is restarted, and online is reported once', async (t) => {
  const { supervisor, starts, health, camera } = setup(t);
  await supervisor.add(camera('short', 'frames-10'));
  await waitFor('a second run', () => starts().length >= 2 || undefined, 20_000);
  await waitFor('its frames analysed', () => (supervisor.stats()[0]?.framesAnalysed ?? 0) >= 20 || undefined, 20_000);
  const s = supervisor.stats()[0]!;
  t.ok(s.restarts >= 1, `restarted (${s.restarts})`);
  t.equal(s.framesAnalysed % 10, 0, `whole runs of 10 frames analysed (${s.framesAnalysed})`);
  t.same(health.filter((h) => h.condition === 'offline'), [{ cameraId: 'short', condition: 'offline', active: false }], 'online once: reconnects inside the grace time report nothing');
});

t.test('removing a camera and closing the supervisor leave no ffmpeg behind', async (t) => {
  const { supervisor, starts, camera } = setup(t, 600);
  await supervisor.add(camera('a', 'hang'));
  await supervisor.add(camera('b', 'hang'));
  const pidOf = (id: string) => supervisor.stats().find((s) => s.cameraId === id)?.pid ?? undefined;
  const a = await waitFor('a running', () => pidOf('a'));
  const b = await waitFor('b running', () => pidOf('b'));
  await waitFor('both fakes logged their start', () => starts().length >= 2 || undefined);
  t.same(starts().map((s) => s.pid).sort(), [a, b].sort(), 'the fake ffmpegs are the ones the stats show');
  await supervisor.remove('a');
  t.notOk(alive(a), 'removed camera: its ffmpeg is gone (it needed SIGKILL)');
  t.ok(alive(b), 'the other still runs');
  await supervisor.close();
  t.notOk(alive(b), 'closed: nothing left');
  t.same(supervisor.stats(), []);
});

t.test('an overload level reaches patrolling cameras at once; only a camera decoding in full swaps, later', async (t) => {
  const { supervisor, starts, camera } = setup(t, 30, 'patrol');
  for (const id of ['p1', 'p2', 'p3']) await supervisor.add(camera(id, 'frames-100000'));
  await supervisor.add({ ...camera('f1', 'frames-100000'), motion: { mode: 'server', sensitivity: 5, masks: [], analysis: 'full' } });
  await waitFor('every camera delivering', () => supervisor.stats().every((s) => s.framesAnalysed > 0) || undefined);
  const fps = () => Object.fromEntries(supervisor.stats().map((s) => [s.cameraId, s.analysis.fps]));
  const fullFps = fps().f1!;
  t.same(fps(), { p1: 1, p2: 1, p3: 1, f1: fullFps });
  const before = starts().length;

  // Level 3 divides patrol by 4 and full decoding by 2 (overload-policy.ts).
  supervisor.setOverloadLevel(3);
  t.same(fps(), { p1: 0.25, p2: 0.25, p3: 0.25, f1: fullFps }, 'every patrolling camera slowed at once, in place');
  t.ok(supervisor.applyingLevel, 'the camera in full decoding swaps after');
  await waitFor('the level applied', () => !supervisor.applyingLevel || undefined);
  await waitFor('the full camera swapped to its lower rate', () => fps().f1 === fullFps / 2 || undefined);
  t.equal(starts().length, before + 1, 'one new ffmpeg: the full camera\'s, none for patrol');
});
