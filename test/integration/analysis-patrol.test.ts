// Keyframe patrol with the real RTSP simulator and ffmpeg: a camera that patrols escalates to full
// decoding when something moves, alerts (with a snapshot), and drops back to patrol when it is quiet;
// the swapped-out ffmpeg processes are gone, and shutdown leaves none behind.

import { existsSync, readFileSync } from 'node:fs';
import t, { type Test } from 'tap';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { MAX_OVERLOAD_LEVEL } from '../../src/streams/overload-policy.js';
import { NO_OVERLOAD, startHarness, waitFor } from '../helpers/harness.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
const cmdline = (pid: number) => (existsSync(`/proc/${pid}/cmdline`) ? readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0') : []);
/** Niceness of a process (field 19 of /proc/<pid>/stat). */
const niceOf = (pid: number) => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
/** The camera's own ffmpeg processes (they read RTSP), not the service's snapshot encoder. */
const cameraFfmpegs = (pids: number[]) => pids.filter((p) => cmdline(p).includes('-rtsp_transport'));

/** A whole service (Redis, Mosquitto, the harness) watching one simulated camera in patrol, torn down with the test. */
async function patrolService(t: Test, id: string, name: string, analysis: Record<string, unknown> = {}) {
  const redis = await startRedis();
  const broker = await startMosquitto();
  const sim = await startRtspSimulator({ cameras: [id] });
  const h = await startHarness({
    redisUrl: redis.url,
    mqttUrl: broker.url,
    cameras: [{ id, name, rtspUrl: sim.url(id), zone: id }],
    overrides: { analysis: { mode: 'patrol', overload: NO_OVERLOAD, ...analysis } },
  });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await h.close();
  };
  t.teardown(async () => {
    await close();
    await sim.stop();
    await redis.stop();
    await broker.stop();
  });
  const stats = () => h.service.supervisor.stats().find((s) => s.cameraId === id)!;
  return { h, sim, stats, close };
}

t.test('patrol → full on a moving object (alert from the patrol keyframe) → patrol after quiet', async (t) => {
  const { h, sim, stats, close } = await patrolService(t, 'yard', 'Sân', { quietSec: 2 });
  const seen = new Set<number>();
  const pids = () => {
    for (const p of h.service.supervisor.pids()) seen.add(p);
    return h.service.supervisor.pids();
  };

  await waitFor('patrol analysing keyframes', () => { pids(); return stats().analysis.mode === 'patrol' && stats().framesAnalysed >= 4; });
  const patrolPid = cameraFfmpegs(pids())[0]!;
  t.ok(cmdline(patrolPid).includes('nokey'), 'the patrol ffmpeg decodes keyframes only');
  t.equal(niceOf(patrolPid), Math.min(19, niceOf(process.pid) + h.config.stream.ffmpegNice), 'and runs below the service in priority');
  t.ok(h.config.stream.ffmpegNice > 0);

  await sim.cross('yard', 4);
  const alert = await waitFor('the alert', () => { pids(); return h.eventMessages().find((m) => m.type === 'new'); }, 30_000);
  t.equal(alert.event.cameraId, 'yard');
  t.match(alert.event.snapshotSha256, /^[0-9a-f]{64}$/, 'the alert carries a snapshot');
  t.equal(pids().filter((p) => cmdline(p).includes('yuv4mpegpipe') && cmdline(p).includes('pipe:0')).length, 1, 'encoded by the running snapshot encoder');
  await waitFor('full decoding', () => { pids(); return stats().analysis.mode === 'full' || undefined; }, 30_000);
  const fullPid = cameraFfmpegs(pids()).find((p) => !cmdline(p).includes('nokey'));
  t.ok(fullPid !== undefined && fullPid !== patrolPid, 'a second ffmpeg decodes every frame');
  t.ok(stats().analysis.escalations >= 1);
  await waitFor('the patrol ffmpeg stopped after the swap', () => !alive(patrolPid) || undefined, 15_000);

  await waitFor('the end of the event', () => { pids(); return h.eventMessages().find((m) => m.type === 'end'); }, 60_000);
  await waitFor('back to patrol', () => { pids(); return (stats().analysis.mode === 'patrol' && stats().analysis.swaps >= 2) || undefined; }, 60_000);
  const now = cameraFfmpegs(pids());
  t.equal(now.length, 1, 'one camera ffmpeg once the swap is done');
  t.ok(cmdline(now[0]!).includes('nokey'), 'and it patrols');
  await waitFor('the full ffmpeg stopped', () => !alive(fullPid!) || undefined, 15_000);
  t.equal(h.eventMessages().filter((m) => m.type === 'new').length, 1, 'one object, one alert');
  t.equal(stats().restarts, 0, 'swaps are not reconnects');

  await close();
  t.ok(seen.size >= 3, `${seen.size} ffmpeg processes seen over the test`);
  t.same([...seen].filter(alive), [], 'shutdown leaves no ffmpeg behind');
});

t.test('overload slows a patrolling camera in place: same ffmpeg, fewer keyframes analysed', async (t) => {
  const { h, stats } = await patrolService(t, 'lane', 'Ngõ');
  await waitFor('patrol analysing keyframes', () => stats().analysis.mode === 'patrol' && stats().framesAnalysed >= 2);
  const [pid] = h.service.supervisor.pids();
  const normalFps = stats().analysis.fps!;
  h.service.supervisor.setOverloadLevel(MAX_OVERLOAD_LEVEL);
  await waitFor('the level applied', () => !h.service.supervisor.applyingLevel || undefined);
  t.ok(stats().analysis.fps! < normalFps, `analysis rate ${normalFps} → ${stats().analysis.fps}`);
  const analysed = stats().framesAnalysed;
  await waitFor('keyframes skipped, and one analysed since', () => (stats().analysis.decimated >= 3 && stats().framesAnalysed > analysed) || undefined, 30_000);
  t.ok(stats().analysis.decimated >= 3, `${stats().analysis.decimated} keyframes received but not analysed`);
  t.same(h.service.supervisor.pids(), [pid], 'no new ffmpeg for a rate change in patrol');
  t.equal(stats().analysis.swaps, 0);
  h.service.supervisor.setOverloadLevel(0);
  await waitFor('the level lifted', () => !h.service.supervisor.applyingLevel || undefined);
  t.equal(stats().analysis.fps, normalFps, 'back to the normal rate');
  t.same(h.service.supervisor.pids(), [pid], 'still the same ffmpeg');
});

t.test('at the top overload level a patrolling camera alerts from its keyframes without escalating; the escalation follows once the level drops', async (t) => {
  const { h, sim, stats } = await patrolService(t, 'gate', 'Cổng', { quietSec: 30 });
  await waitFor('patrol analysing keyframes', () => stats().analysis.mode === 'patrol' && stats().framesAnalysed >= 2);
  const [pid] = cameraFfmpegs(h.service.supervisor.pids());
  h.service.supervisor.setOverloadLevel(MAX_OVERLOAD_LEVEL);
  await waitFor('the level applied', () => !h.service.supervisor.applyingLevel || undefined);
  // Long enough to be on at least one of the keyframes analysed at the slowed rate.
  const crossing = sim.cross('gate', 10);
  const alert = await waitFor('the alert', () => h.eventMessages().find((m) => m.type === 'new'), 30_000);
  t.equal(alert.event.cameraId, 'gate', 'the patrol keyframe raised the alert');
  t.equal(stats().analysis.wanted, 'full', 'the camera wants full decoding');
  t.equal(stats().analysis.mode, 'patrol', 'but keeps patrolling');
  t.equal(stats().analysis.swapping, false, 'and no full ffmpeg is starting');
  t.same(cameraFfmpegs(h.service.supervisor.pids()), [pid], 'one camera ffmpeg, the patrolling one');
  await crossing;
  t.equal(stats().analysis.mode, 'patrol', 'still patrolling when the object has gone (quiet time 30 s: full is still wanted)');
  h.service.supervisor.setOverloadLevel(0);
  await waitFor('full decoding once the level dropped', () => stats().analysis.mode === 'full' || undefined, 30_000);
  t.ok(stats().analysis.swaps >= 1, 'the held escalation went ahead');
});
