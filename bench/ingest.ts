// npm run bench:ingest -- --cameras N — can one box ingest N cameras? Three phases on the same
// simulated streams (640×360 H.264, 15 fps, GOP 30, RTSP/TCP from the repo's simulator):
//   1. ours: the real StreamSupervisor with the default config (keyframe patrol, escalation,
//      overload guard) watching all N, in a process of its own on the compiled service (ingest-host.mjs,
//      plain node, as deployed); a few cameras show a person walking through now and then;
//   2. floor: N bare `ffmpeg <same input and decode options> -i URL -f null -`;
//   3. Motion (where installed): one `motion` daemon on a few of the streams.
// Each phase is measured over the same window length after its streams settled; see bench/README.md.
//   options: --cameras N (190)  --seconds S (40, the window)  --objects K (4)  --motion-cameras M (12)
//            --no-reference  --cache DIR  --cpu-prof DIR (a V8 profile of ours' Node)

import { fork, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config.js';
import { ffmpegMajorVersion } from '../src/main.js';
import { startRtspSimulator, type RtspSimulator } from '../src/sim/rtsp-simulator.js';
import { buildAnalysisSpec } from '../src/streams/ffmpeg-args.js';
import type { CameraStreamStats } from '../src/streams/camera-stream.js';
import type { OverloadState } from '../src/streams/overload-guard.js';
import { CLIP_FPS, CLIP_GOP, generateClips, type ClipSpec } from './motion-clips.js';
import { percentile } from './motion-score.js';
import { BoxCpu, childrenCpuSec, processCpuSec, processTreeCpuSec, pssBytes } from './proc-stats.js';
import { startMotionDaemon } from './motion-daemon.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { values: opts } = parseArgs({
  options: {
    cameras: { type: 'string', default: '190' },
    seconds: { type: 'string', default: '40' },
    objects: { type: 'string', default: '4' },
    'motion-cameras': { type: 'string', default: '12' },
    'no-reference': { type: 'boolean', default: false },
    cache: { type: 'string', default: path.join(ROOT, '.cache', 'bench-ingest') },
    'cpu-prof': { type: 'string' },
  },
});
const N = Math.max(1, Number(opts.cameras));
const WINDOW_S = Math.max(10, Number(opts.seconds));
const K = Math.min(N, Math.max(0, Number(opts.objects)));
const M = Math.min(N, Math.max(1, Number(opts['motion-cameras'])));
const TARGET = { cpuRatio: 1.15, pssMiB: 15, vsMotion: 0.25, latencyP95Ms: 2000 };
const SETTLE_MS = 5_000;
const READY_MAX_MS = 90_000;
const MiB = 1024 * 1024;

const CROSS_S = 4;
/** Between two crossings on one camera: the quiet time that returns it to patrol, and more. */
const CROSS_GAP_MS = 22_000;

interface Walk {
  id: string;
  startAt: number;
  endAt: number;
  /** The camera's analysis state at the onset (mode, swapping, an episode already open). */
  state: string;
}

/**
 * Scripted moving objects on the live cameras, each crossing in CROSS_S seconds, every CROSS_GAP_MS
 * per camera (staggered), while all N cameras run; the onset is the simulator's `crossing-start`.
 */
function walkers(sim: RtspSimulator, stateOf: (id: string) => string): { stop(): Promise<Walk[]> } {
  const walks: Walk[] = [];
  const timers: NodeJS.Timeout[] = [];
  const running: Promise<void>[] = [];
  ids.slice(0, K).forEach((id, i) => {
    const cross = () => {
      let startAt = 0;
      let state = '';
      void sim.crossingStarted(id).then(() => { startAt = Date.now(); state = stateOf(id); });
      running.push(sim.cross(id, CROSS_S).then(() => { if (startAt > 0) walks.push({ id, startAt, endAt: Date.now(), state }); }).catch(() => {}));
    };
    timers.push(setTimeout(function again() { cross(); timers.push(setTimeout(again, CROSS_GAP_MS)); }, 3000 + (i * CROSS_GAP_MS) / Math.max(1, K)));
  });
  return {
    async stop() {
      for (const t of timers) clearTimeout(t);
      await Promise.all(running);
      return walks;
    },
  };
}

async function clips(seconds: number): Promise<string> {
  const quietSpec: ClipSpec = { id: 'ingest-quiet', scenario: 'ingest', seconds, seed: 31, objects: [], nuisance: { kind: 'none' } };
  const [q] = await generateClips([quietSpec], path.join(opts.cache!, 'clips'));
  return q!.file;
}

const ids = Array.from({ length: N }, (_, i) => (i < K ? `walk-${i}` : `cam-${String(i).padStart(3, '0')}`));

interface Window {
  cpuSec: number;
  boxCores: number | null;
  pssBytes: number;
  /** Cores the simulator used over the window (it shares the box). */
  simCores: number | null;
}

/** Shared playbacks of the quiet clip (staggered by when their first client came). */
const SHARED_PLAYBACKS = 16;
let simPid: number | null = null;

/**
 * Waits until `ready` (every stream delivering; at most READY_MAX_MS), then SETTLE_MS, then measures
 * `read` (cumulative CPU s) over the window, with PSS at its middle; `nodeRead`, ours' Node alone.
 */
async function measure(
  ready: () => boolean, read: () => number | Promise<number>, pss: () => Promise<number>,
  onReady?: () => void, onWindow?: () => void | Promise<void>, nodeRead: () => number = () => 0,
): Promise<Window & { readyMs: number; readyAll: boolean; nodeSec: number }> {
  const t0 = Date.now();
  while (!ready() && Date.now() - t0 < READY_MAX_MS) await sleep(250);
  const readyMs = Date.now() - t0;
  const readyAll = ready();
  console.error(`  … ready after ${(readyMs / 1000).toFixed(1)} s${readyAll ? '' : ' (not every stream delivers)'}; measuring`);
  onReady?.();
  await sleep(SETTLE_MS);
  await onWindow?.();
  const c0 = await read();
  const n0 = nodeRead();
  const s0 = simPid === null ? null : processCpuSec(simPid);
  const box = new BoxCpu();
  await sleep((WINDOW_S * 1000) / 2);
  const mem = await pss();
  await sleep((WINDOW_S * 1000) / 2);
  const simCores = simPid === null || s0 === null ? null : (processCpuSec(simPid) - s0) / WINDOW_S;
  return { cpuSec: (await read()) - c0, boxCores: box.busyCores(os.cpus().length), pssBytes: mem, readyMs, readyAll, nodeSec: nodeRead() - n0, simCores };
}

interface HostSnapshot {
  stats: CameraStreamStats[];
  pids: number[];
  overload: OverloadState;
}

/**
 * Ours runs in a process of its own (bench/ingest-host.mjs) on the compiled service, under plain node as
 * deployed: the bench's TypeScript loader alone is ~36 MB of memory, and its bookkeeping is not ours.
 */
function startHost(): { pid: number; call<T>(op: string, extra?: object): Promise<T>; onEpisode(fn: (cameraId: string, at: number) => void): void } {
  const child = fork(path.join(ROOT, 'bench', 'ingest-host.mjs'), [], {
    // --cpu-prof DIR: a V8 profile of ours' Node (bench/profile-summary.ts reads it).
    execArgv: opts['cpu-prof'] === undefined ? [] : ['--cpu-prof', '--cpu-prof-dir', opts['cpu-prof']], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let seq = 0;
  let episodes: (cameraId: string, at: number) => void = () => {};
  child.on('message', (m: { id?: number; value?: unknown; error?: string; episode?: { cameraId: string; at: number } }) => {
    if (m.episode) return episodes(m.episode.cameraId, m.episode.at);
    const p = pending.get(m.id as number);
    pending.delete(m.id as number);
    if (m.error !== undefined) p?.reject(new Error(`ingest host: ${m.error}`));
    else p?.resolve(m.value);
  });
  child.once('exit', (code) => { for (const p of pending.values()) p.reject(new Error(`ingest host exited (${code})`)); });
  return {
    pid: child.pid as number,
    call: <T>(op: string, extra: object = {}) => new Promise<T>((resolve, reject) => {
      const id = ++seq;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      child.send({ op, id, ...extra });
    }),
    onEpisode: (fn) => { episodes = fn; },
  };
}

/** CPU seconds of a process, its children already reaped, and its live children `pids`. */
function treeCpuSec(pid: number, pids: number[]): number {
  return processTreeCpuSec(pid) + pids.reduce((a, p) => a + processCpuSec(p), 0);
}

async function ours(sim: RtspSimulator) {
  const config = loadConfig({ env: {} });
  const alerts = new Map<string, number[]>();
  let nodePss = 0;
  const host = startHost();
  host.onEpisode((cameraId, at) => alerts.set(cameraId, [...(alerts.get(cameraId) ?? []), at]));
  await mkdir(opts.cache!, { recursive: true });
  await host.call('start', { cameras: ids.map((id) => ({ id, name: id, zone: 'z', householdId: null, shareWithOfficers: true, rtspUrl: sim.url(id) })), log: path.join(opts.cache!, 'last-run.log') });
  const snapshot = () => host.call<HostSnapshot>('snapshot');
  const pids = () => host.call<number[]>('pids');
  // Kept fresh while waiting for the streams (the ready check reads it); inside the window only the
  // walking cameras' states are asked for (the walkers' labels): the full stats of every camera four
  // times a second would be the bench's cost counted as ours.
  let latest = await snapshot();
  let inWindow = false;
  let labels: Record<string, string> = {};
  const poll = setInterval(() => {
    if (inWindow) void host.call<Record<string, string>>('states', { cameras: ids.slice(0, K) }).then((l) => { labels = l; }, () => {});
    else void snapshot().then((s) => { latest = s; }, () => {});
  }, 250);
  // The counters at the window's start (frames analysed, seconds in each mode): before it, cameras
  // waiting at the start gate count seconds in patrol without frames.
  let before = latest.stats;
  let crossings: { stop(): Promise<Walk[]> } | null = null;
  const w = await measure(
    () => latest.stats.every((s) => s.framesAnalysed > 0),
    async () => treeCpuSec(host.pid, await pids()),
    async () => {
      nodePss = await pssBytes(host.pid);
      return nodePss + (await Promise.all((await pids()).map(pssBytes))).reduce((a, b) => a + b, 0);
    },
    // Objects cross once every stream delivers, while all N run.
    () => {
      inWindow = true;
      crossings = walkers(sim, (id) => labels[id] ?? '?');
    },
    async () => { before = (await snapshot()).stats; },
    () => processCpuSec(host.pid),
  );
  const walks = (await (crossings as { stop(): Promise<Walk[]> } | null)?.stop()) ?? [];
  clearInterval(poll);
  const end = await snapshot();
  const endedAt = Date.now();
  // The service's log stays in the cache directory (last-run.log) for a look afterwards.
  await host.call('close');
  return { w, nodeSec: w.nodeSec, nodePss, before, after: end.stats, alerts, overload: end.overload, walks, config, endedAt };
}

/** `startMs`: how long our streams needed to deliver (the floor's processes get the same before settling). */
async function floor(sim: RtspSimulator, config: ReturnType<typeof loadConfig>, startMs: number): Promise<Window> {
  const base = buildAnalysisSpec({
    rtspUrl: 'x', fps: 1, width: 320, height: 180, rtspTimeoutSec: config.stream.rtspTimeoutSec, ffmpegMajor: ffmpegMajorVersion(config.stream.ffmpegPath),
    snapshotWidth: 640, imageTarget: 'x', keyframesOnly: config.analysis.mode === 'patrol',
  });
  // Started at the pace ours came up (the service lets 8 ffmpegs probe at once), not in one burst.
  const children: ChildProcess[] = [];
  for (const id of ids) {
    children.push(spawn(config.stream.ffmpegPath,
      ['-hide_banner', '-nostats', '-loglevel', 'error', ...base.inputOptions, '-i', sim.url(id), '-map', '0:v', '-f', 'null', '-'],
      { stdio: ['ignore', 'ignore', 'ignore'] }));
    await sleep(startMs / N);
  }
  const pids = children.map((c) => c.pid!).filter(Boolean);
  const w = await measure(() => true, () => childrenCpuSec(pids), async () => (await Promise.all(pids.map(pssBytes))).reduce((a, b) => a + b, 0));
  await Promise.all(children.map((c) => new Promise<void>((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('close', () => resolve());
    c.kill('SIGTERM');
  })));
  return w;
}

function latencies(r: Awaited<ReturnType<typeof ours>>): { ms: number[]; missed: number; objects: number; each: string[] } {
  const ms: number[] = [];
  const each: string[] = [];
  let missed = 0;
  for (const w of r.walks) {
    const alerts = r.alerts.get(w.id) ?? [];
    const hit = alerts.find((a) => a >= w.startAt && a <= w.endAt + 1000);
    if (hit === undefined) missed++;
    else ms.push(hit - w.startAt);
    // A miss says why, where it can: an alert that came after the window (before the camera's next
    // crossing: nothing else moves on these cameras) is the decoder running behind the live picture;
    // none at all is a crossing no analysed frame showed.
    const next = Math.min(r.endedAt, ...r.walks.filter((x) => x.id === w.id && x.startAt > w.startAt).map((x) => x.startAt));
    const late = hit === undefined ? alerts.find((a) => a > w.endAt + 1000 && a < next) : undefined;
    const miss = late === undefined ? 'missed, no alert' : `missed, alerted ${Math.round(late - w.startAt)} ms after the onset`;
    each.push(`${hit === undefined ? miss : `${Math.round(hit - w.startAt)} ms`} (${w.state})`);
  }
  return { ms, missed, objects: r.walks.length, each };
}

async function main(): Promise<void> {
  // Long enough for a slow start (every client plays from the first frame); one length for windows
  // up to 60 s, so the cached clips are reused.
  const clipSeconds = Math.max(150, Math.ceil(SETTLE_MS / 1000 + WINDOW_S + 90));
  console.log(`bench:ingest — ${N} cameras (${K} with a walking person), 640×360 H.264 ${CLIP_FPS} fps GOP ${CLIP_GOP}, RTSP/TCP; ` +
    `window ${WINDOW_S} s, ${SETTLE_MS / 1000} s after every stream delivers; ${os.cpus().length} cores, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const quiet = await clips(clipSeconds);
  // The walking cameras are live (shared: an escalated ffmpeg joins the same picture, as on a real
  // camera); the others play the clip, each client from its start.
  // The quiet cameras share SHARED_PLAYBACKS playbacks of the clip: one GStreamer pipeline per
  // client took ~8.5 ms of CPU per camera-second, 1.6 of the 2 cores for 186 cameras, which left
  // the box saturated whatever ours cost; shared, ~2.4 ms (the RTP sending per client remains).
  const sim = await startRtspSimulator({
    cameras: ids.slice(0, K), width: 640, height: 360, fps: CLIP_FPS, gop: CLIP_GOP,
    clips: Object.fromEntries(ids.slice(K).map((id) => [id, quiet])), shareClips: SHARED_PLAYBACKS,
  });
  simPid = sim.pid ?? null;
  try {
    console.error('phase 1: ours');
    const r = await ours(sim);
    console.error('phase 2: floor');
    const f = await floor(sim, r.config, r.w.readyMs);
    const motionBin = opts['no-reference'] ? null : onPath('motion');
    if (motionBin) console.error('phase 3: Motion');
    const mo = motionBin ? await startMotionDaemon(motionBin, path.join(opts.cache!, 'motion'), ids.slice(K, K + M).map((id) => sim.url(id))) : null;
    const t0 = Date.now();
    const mw = mo ? await measure(() => Date.now() - t0 >= 10_000, () => processCpuSec(mo.pid), () => pssBytes(mo.pid)) : null;
    await mo?.stop();
    report(r, f, mw, latencies(r));
  } finally {
    await sim.stop();
  }
}

function report(r: Awaited<ReturnType<typeof ours>>, f: Window, mw: Window | null, lat: ReturnType<typeof latencies>): void {
  const perCam = (w: Window) => w.cpuSec / WINDOW_S / N;
  const before = new Map(r.before.map((s) => [s.cameraId, s]));
  let frames = 0;
  let expected = 0;
  let reconnects = 0;
  let delivering = 0;
  const keyRate = Math.min(r.config.analysis.patrolFps, CLIP_FPS / CLIP_GOP);
  for (const s of r.after) {
    const b = before.get(s.cameraId);
    frames += s.framesAnalysed - (b?.framesAnalysed ?? 0);
    if (s.framesAnalysed > (b?.framesAnalysed ?? 0)) delivering++;
    expected += (s.analysis.patrolSec - (b?.analysis.patrolSec ?? 0)) * keyRate + (s.analysis.fullSec - (b?.analysis.fullSec ?? 0)) * r.config.motion.fps;
    reconnects += s.restarts - (b?.restarts ?? 0);
  }
  const ratio = r.w.cpuSec / f.cpuSec;
  const oursPerCam = perCam(r.w);
  const motionPerCam = mw ? mw.cpuSec / WINDOW_S / M : null;
  const p95 = lat.ms.length ? percentile(lat.ms, 95) : null;
  const f3 = (v: number) => v.toFixed(4);
  const box = (w: Window | null) => (w?.boxCores == null ? 'n/a' : `${w.boxCores.toFixed(2)} of ${os.cpus().length} cores busy`) +
    (w?.simCores == null ? '' : ` (simulator ${w.simCores.toFixed(2)})`);
  console.log('');
  console.log(`ours (ffmpeg + Node)   ${f3(oursPerCam)} CPU-s per camera-second (Node ${f3(r.nodeSec / WINDOW_S / N)}), PSS ${(r.w.pssBytes / N / MiB).toFixed(2)} MiB per camera (Node ${(r.nodePss / N / MiB).toFixed(2)})   box: ${box(r.w)}`);
  console.log(`floor (bare ffmpeg)    ${f3(perCam(f))} CPU-s per camera-second, PSS ${(f.pssBytes / N / MiB).toFixed(2)} MiB per camera   box: ${box(f)}`);
  console.log(mw ? `motion daemon (${M} cams) ${f3(motionPerCam!)} CPU-s per camera-second, PSS ${(mw.pssBytes / M / MiB).toFixed(2)} MiB per camera   box: ${box(mw)}` : `motion daemon: ${opts['no-reference'] ? 'skipped (--no-reference)' : 'not installed'}`);
  console.log(delivering === N
    ? r.w.readyAll
      ? `every stream delivering after ${(r.w.readyMs / 1000).toFixed(1)} s (the floor's ffmpegs were started over as long)`
      : `every stream delivering by the window's end, not yet when it opened after ${(r.w.readyMs / 1000).toFixed(1)} s of waiting (the floor's ffmpegs were started over as long)`
    : `NOT every stream delivering: ${delivering} of ${N} analysed a frame in the window, which opened after waiting ${(r.w.readyMs / 1000).toFixed(1)} s; ours per camera is then understated`);
  console.log(`frames analysed ${frames} of ${Math.round(expected)} expected (${((frames / Math.max(1, expected)) * 100).toFixed(1)}%) in the window; reconnects ${reconnects}`);
  const esc = r.after.reduce((a, s) => a + s.analysis.escalations, 0);
  console.log(`escalations ${esc}, swaps ${r.after.reduce((a, s) => a + s.analysis.swaps, 0)}, failed swaps ${r.after.reduce((a, s) => a + s.analysis.failedSwaps, 0)}; overload level ${r.overload.level} (transitions ${r.overload.transitions}${r.overload.reason ? `, last: ${r.overload.reason}` : ''})`);
  console.log(`onset latency (patrol → alert) on ${K} live cameras: ${lat.ms.length} of ${lat.objects} crossings alerted, p50 ${p95 === null ? 'n/a' : Math.round(percentile(lat.ms, 50))} ms, p95 ${p95 === null ? 'n/a' : Math.round(p95)} ms, missed ${lat.missed}`);
  console.log(`  each crossing, with the camera's state at its onset: ${lat.each.join('; ')}`);
  // Patrol decodes keyframes only: an object appearing at a random moment waits for the next one,
  // uniformly over a GOP, before anything can see it. That part of the latency is the camera's.
  const gopMs = (CLIP_GOP / CLIP_FPS) * 1000;
  console.log(`  of which waiting for the next keyframe (a keyframe every ${Math.round(gopMs)} ms): on average ${Math.round(gopMs / 2)} ms, p95 ${Math.round(gopMs * 0.95)} ms — before any network, decoding or analysis`);
  console.log('');
  console.log('targets:');
  const line = (ok: boolean | null, what: string, value: string) => console.log(`  ${ok === null ? 'n/a ' : ok ? 'PASS' : 'MISS'}  ${what.padEnd(44)} ${value}`);
  // With streams still waiting to start, ours per camera is understated: no verdict on it.
  const partial = delivering < N ? ` (only ${delivering} of ${N} streams delivered: not a verdict)` : '';
  line(partial ? null : ratio <= TARGET.cpuRatio, `ingest CPU / bare ffmpeg floor ≤ ${TARGET.cpuRatio}`, ratio.toFixed(3) + partial);
  line(partial ? null : r.w.pssBytes / N / MiB <= TARGET.pssMiB, `PSS per camera ≤ ${TARGET.pssMiB} MiB`, `${(r.w.pssBytes / N / MiB).toFixed(2)} MiB${partial}`);
  line(motionPerCam === null ? null : oursPerCam / motionPerCam <= TARGET.vsMotion, `ours in patrol / Motion ≤ ${TARGET.vsMotion}`, motionPerCam === null ? 'n/a' : (oursPerCam / motionPerCam).toFixed(3));
  line(lat.missed > 0 ? false : p95 === null ? null : p95 <= TARGET.latencyP95Ms, `onset latency p95 ≤ ${TARGET.latencyP95Ms} ms, none missed`, `${p95 === null ? 'n/a' : `${Math.round(p95)} ms`}, missed ${lat.missed}`);
  console.log(`load at the end ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
}

function onPath(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const p = path.join(dir, cmd);
    try {
      if (existsSync(p)) return p;
    } catch { /* next */ }
  }
  return null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
