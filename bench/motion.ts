// npm run bench:motion — motion-detection evaluation on labelled synthetic clips.
//
//   1. generates (or reuses from the cache) the clips of bench/motion-clips.ts;
//   2. serves every clip from the RTSP simulator and runs one real CameraStream per clip, all at
//      once (RTSP → ffmpeg → detector → tracker, the service's own per-camera pipeline, with the
//      config loader's defaults at 320×180, 5 fps), recording when each `start` episode is handed over;
//   3. where the Motion daemon is installed, runs it on the same clips (its own mounts, its own
//      playback) as the reference peer;
//   4. scores both (bench/motion-score.ts) and times MotionDetector.analyse on the clips' frames.
// It prints figures and PASS/MISS against the issue's targets; it asserts nothing.
//
// Options: --only person,car,...  (scenario ids)   --no-reference  (skip Motion)
//          --cache DIR (default .cache/bench-motion)   MATTHAN_CONFIG=file  (detector settings to try)

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadConfig, type CameraConfig, type Config, type MotionConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { ffmpegMajorVersion } from '../src/main.js';
import { createDetector } from '../src/motion/detector-factory.js';
import type { MotionDetector } from '../src/motion/motion-detector.js';
import { startRtspSimulator, type RtspSimulator } from '../src/sim/rtsp-simulator.js';
import { CameraStream } from '../src/streams/camera-stream.js';
import { buildAnalysisSpec, specToArgv } from '../src/streams/ffmpeg-args.js';
import { FixedFrameSplitter } from '../src/streams/frame-reader.js';
import { SnapshotEncoder } from '../src/streams/snapshot-encoder.js';
import { defaultScenarios, generateClips, ingestCalibrationSpec, type GeneratedClip, type Scenario } from './motion-clips.js';
import { percentile, scoreClip, summarise, toClipSeconds, watchedPlayback, type ClipScore, type Summary } from './motion-score.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** After a clip's last frame: room for the last alerts to arrive. */
const TAIL_MS = 1500;
const CLIP_START_TIMEOUT_MS = 60_000;
/** A client that reconnects mid-clip starts a new playback from the first frame: follow it this many times. */
const MAX_PLAYBACKS = 3;
const TARGET = { recall: 0.95, falsePerHour: 1, latencyP95Ms: 1000, detectorMs: 0.3 };
const RECALL_SCENARIOS = ['person', 'car'];
const FALSE_ALERT_SCENARIOS = ['lights', 'ir', 'rain', 'branch', 'corrupt'];

const { values: opts } = parseArgs({
  options: {
    only: { type: 'string' },
    'no-reference': { type: 'boolean', default: false },
    'cost-only': { type: 'boolean', default: false },
    cache: { type: 'string', default: path.join(ROOT, '.cache', 'bench-motion') },
  },
});

interface ClipRun {
  clip: GeneratedClip;
  /** Epoch ms of each playback start (one per client connection). */
  clipStarts: number[];
  /** When we stopped watching (epoch ms). */
  watchedUntil: number;
  /** Epoch ms of each alert (a `start` episode handed over). */
  alerts: number[];
  /** Epoch ms of the first motion frame of each alert's episode (the tracker's startedAt). */
  firstMotion: number[];
  firstFrameAt: number | null;
  framesAnalysed: number;
  /**
   * How far the pipeline fell behind its own usual pace, sampled per frame: arrival of frame k −
   * (arrival of the first frame + k / fps), less the 10th percentile of that (the first 5 s, when
   * ffmpeg hands over what it buffered while starting in a burst, are left out). Grows when the
   * machine cannot keep up (frames queue in TCP and ffmpeg), which makes alerts late for reasons
   * that are not the detector's.
   */
  lagMs: number[];
  error?: string;
}

/** Our streams falling behind real time by more than this make their clip's latency and recall unreliable. */
const LAG_WARN_MS = 500;

function maxLag(r: ClipRun): number {
  return r.lagMs.length ? Math.max(...r.lagMs) : 0;
}


// ---------------------------------------------------------------------------------------------

function benchConfig(): Config {
  const probe = loadConfig({ env: configEnv() });
  const motion: Partial<MotionConfig> = {};
  if (probe.motion.width !== 320) motion.width = 320;
  if (probe.motion.height !== 180) motion.height = 180;
  if (probe.motion.fps !== 5) motion.fps = 5;
  return loadConfig({ env: configEnv(), overrides: { motion } });
}

function configEnv(): NodeJS.ProcessEnv {
  return process.env.MATTHAN_CONFIG ? { MATTHAN_CONFIG: process.env.MATTHAN_CONFIG } : {};
}

/** Which detector is measured: the last commit of its sources, and whether the work tree changed them since. */
function detectorVersion(): string {
  const what = 'src/motion/';
  const log = spawnSync('git', ['log', '-1', '--format=%h %cs', '--', what], { cwd: ROOT, encoding: 'utf8' });
  if (log.status !== 0 || !log.stdout.trim()) return `${what} (no git history)`;
  const dirty = spawnSync('git', ['diff', '--quiet', 'HEAD', '--', what], { cwd: ROOT }).status === 1;
  return `${what} @ ${log.stdout.trim()}${dirty ? ' + uncommitted changes' : ''}`;
}

function onPath(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, cmd);
    try {
      accessSync(file, constants.X_OK);
      return file;
    } catch {
      // not here
    }
  }
  return null;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, Math.max(0, ms)));

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${what} within ${ms} ms`)), ms);
    p.then(
      (v) => (clearTimeout(timer), resolve(v)),
      (e: unknown) => (clearTimeout(timer), reject(e instanceof Error ? e : new Error(String(e)))),
    );
  });
}

// ---------------------------------------------------------------------------------------------
// Ours: one CameraStream per clip

/**
 * Waits until the playback being watched has reached the clip's end (plus the tail). A playback
 * that began before that end (a reconnect mid-clip) is followed to its own end; one that began
 * after it (the client reconnecting once the clip ended) is not.
 */
async function followPlaybacks(sim: RtspSimulator, id: string, seconds: number): Promise<void> {
  let current = sim.clipStarts(id).at(-1);
  for (let i = 0; current !== undefined && i < MAX_PLAYBACKS; i++) {
    const end = current + seconds * 1000;
    await sleep(end + TAIL_MS - Date.now());
    const restarted = sim.clipStarts(id).find((t) => t > current! && t < end);
    if (restarted === undefined) return;
    current = sim.clipStarts(id).filter((t) => t < end).at(-1);
  }
}

async function runOurs(sim: RtspSimulator, clip: GeneratedClip, config: Config, logFile: NodeJS.WritableStream, ffmpegMajor: number): Promise<ClipRun> {
  const id = `ours-${clip.spec.id}`;
  const run: ClipRun = { clip, clipStarts: [], watchedUntil: Infinity, alerts: [], firstMotion: [], firstFrameAt: null, framesAnalysed: 0, lagMs: [] };
  const camera: CameraConfig = { id, name: clip.spec.id, rtspUrl: sim.url(id), zone: 'bench', householdId: null, shareWithOfficers: true };
  const logger = createLogger({ level: 'warn', destination: logFile });
  const encoder = new SnapshotEncoder({ ...config.stream, logger });
  const stream = new CameraStream(camera, config.motion, config.stream, {
    logger,
    onEpisode: async (_cam, episode) => {
      if (episode.kind === 'start') {
        run.alerts.push(Date.now());
        run.firstMotion.push(episode.startedAt);
      }
    },
    onHealth: async (_cam, report) => {
      // The stream's first frame reports the camera online (the `offline` condition inactive).
      if (report.condition === 'offline' && !report.active && run.firstFrameAt === null) run.firstFrameAt = report.at;
    },
    offlineGraceMs: config.health.offlineGraceSec * 1000,
    frozenAfterMs: config.health.frozenAfterSec * 1000,
    coveredAfterMs: config.health.coveredAfterSec * 1000,
    ffmpegMajor,
  }, encoder);
  const started = sim.clipStarted(id);
  const behind: number[] = [];
  let lastK = 0;
  // Per playback: the first frame seen (count, arrival) is the reference.
  let playback = 0;
  let ref: { k: number; at: number } | null = null;
  const sampler = setInterval(() => {
    const st = stream.stats();
    if (st.lastFrameAt === null || st.framesAnalysed === lastK) return;
    lastK = st.framesAnalysed;
    const at = Date.parse(st.lastFrameAt);
    const playbacks = sim.clipStarts(id).length;
    if (playbacks !== playback || ref === null) {
      playback = playbacks;
      ref = { k: lastK, at };
      return;
    }
    const frames = lastK - ref.k;
    if (frames <= 5 * config.motion.fps) return;
    behind.push(at - ref.at - (frames * 1000) / config.motion.fps);
  }, 100);
  try {
    await stream.start();
    await withTimeout(started, CLIP_START_TIMEOUT_MS, `playback of ${id}`);
    await followPlaybacks(sim, id, clip.spec.seconds);
  } catch (err) {
    run.error = (err as Error).message;
  } finally {
    clearInterval(sampler);
    const base = percentile(behind, 10);
    run.lagMs = behind.map((b) => Math.round(b - base));
    run.framesAnalysed = stream.stats().framesAnalysed;
    run.watchedUntil = Date.now();
    await stream.close();
    await encoder.close();
    run.clipStarts = [...sim.clipStarts(id)];
  }
  return run;
}

// ---------------------------------------------------------------------------------------------
// Ingest delay: CameraStream's own ffmpeg command on a clip whose whole frame toggles at known times

async function measureIngest(sim: RtspSimulator, clip: GeneratedClip, config: Config, ffmpegMajor: number): Promise<number[]> {
  const m = config.motion;
  const at = clip.spec.nuisance.kind === 'steps' ? clip.spec.nuisance.at : [];
  const spec = buildAnalysisSpec({
    rtspUrl: sim.url('ingest-cal'), fps: m.fps, width: m.width, height: m.height, rtspTimeoutSec: config.stream.rtspTimeoutSec, ffmpegMajor,
    snapshotWidth: config.stream.snapshotWidth, imageTarget: '/dev/null',
  });
  const frameSize = newDetector(m).frameSize;
  const plane = m.width * m.height; // luma (or grey) comes first in every format the detector takes
  const started = sim.clipStarted('ingest-cal');
  const child = spawn(config.stream.ffmpegPath, ['-y', '-nostdin', ...specToArgv(spec)], { stdio: ['ignore', 'pipe', 'ignore'] });
  child.once('error', () => {});
  const splitter = new FixedFrameSplitter(frameSize);
  const seen: Array<[number, number]> = [];
  child.stdout.on('data', (chunk: Buffer) => {
    const now = Date.now();
    splitter.push(chunk, (f) => {
      let sum = 0;
      for (let i = 0; i < plane; i += 7) sum += f[i]!;
      seen.push([now, sum / Math.ceil(plane / 7)]);
    });
  });
  try {
    const t0 = await withTimeout(started, CLIP_START_TIMEOUT_MS, 'playback of ingest-cal');
    await sleep(t0 + clip.spec.seconds * 1000 - Date.now());
    child.kill('SIGKILL');
    if (seen.length < 2) return [];
    const means = seen.map(([, v]) => v);
    const mid = (Math.min(...means) + Math.max(...means)) / 2;
    const lags: number[] = [];
    for (let i = 1; i < seen.length; i++) {
      if (seen[i - 1]![1] > mid === seen[i]![1] > mid) continue;
      const clipT = (seen[i]![0] - t0) / 1000;
      const toggle = at.filter((a) => a <= clipT).at(-1);
      if (toggle !== undefined) lags.push(Math.round((clipT - toggle) * 1000));
    }
    return lags;
  } catch {
    child.kill('SIGKILL');
    return [];
  }
}

// ---------------------------------------------------------------------------------------------
// Reference: the Motion daemon on its own mounts

interface MotionRef {
  done(): Promise<void>;
  /** When Motion was stopped (epoch ms). */
  stoppedAt: number;
  events(clipId: string): number[];
  log: string;
}

async function startMotion(bin: string, dir: string, sim: RtspSimulator, clips: GeneratedClip[], eventGapSec: number): Promise<MotionRef> {
  await mkdir(dir, { recursive: true });
  const cameraFiles: string[] = [];
  for (const [i, clip] of clips.entries()) {
    const id = `ref-${clip.spec.id}`;
    const file = path.join(dir, `${id}.conf`);
    const events = path.join(dir, `${id}.events`);
    // Motion runs its hooks through /bin/sh itself; this one appends the wall time in seconds.
    const hook = `/usr/bin/python3 -c "import sys,time; open(sys.argv[1],'a').write(repr(time.time())+chr(10))" ${events}`;
    await writeFile(
      file,
      [
        `camera_id ${i + 1}`,
        `camera_name ${id}`,
        `netcam_url ${sim.url(id)}`,
        'netcam_params rtsp_transport=tcp',
        'width 640',
        'height 360',
        `on_event_start ${hook}`,
        '',
      ].join('\n'),
    );
    cameraFiles.push(file);
  }
  const conf = path.join(dir, 'motion.conf');
  const log = path.join(dir, 'motion.log');
  // Detection settings stay at Motion's defaults (threshold 1500, noise_level 32, auto noise tune,
  // lightswitch off, minimum_motion_frames 1, framerate 15); only outputs are turned off and
  // event_gap (default 60 s, which would merge every object of a clip into one event) is set to
  // our own quiet time so both sides can raise one alert per object.
  await writeFile(
    conf,
    [
      'daemon off',
      'setup_mode off',
      'log_level 6',
      `target_dir ${dir}`,
      'picture_output off',
      'movie_output off',
      'snapshot_interval 0',
      'stream_port 0',
      'webcontrol_port 0',
      `event_gap ${eventGapSec}`,
      ...cameraFiles.map((f) => `camera ${f}`),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(bin, ['-n', '-c', conf, '-l', log], { stdio: ['ignore', 'ignore', 'ignore'] });
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('error', () => {});
  const ids = clips.map((c) => `ref-${c.spec.id}`);
  const played = Promise.all(
    clips.map(async (c, i) => {
      const id = ids[i]!;
      try {
        if (sim.clipStarts(id).length === 0) await withTimeout(sim.clipStarted(id), CLIP_START_TIMEOUT_MS, `Motion playback of ${id}`);
        // Motion opens a stream, hangs up and opens it again: give the second playback time to begin.
        await sleep(10_000);
        await followPlaybacks(sim, id, c.spec.seconds);
      } catch {
        // reported as a missing playback
      }
    }),
  );
  const ref: MotionRef = {
    log,
    stoppedAt: Infinity,
    async done() {
      await Promise.race([played, exited]);
      ref.stoppedAt = Date.now();
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(killer);
    },
    events(clipId: string) {
      const file = path.join(dir, `ref-${clipId}.events`);
      if (!existsSync(file)) return [];
      return readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => Math.round(Number(l) * 1000))
        .filter(Number.isFinite);
    },
  };
  return ref;
}

// ---------------------------------------------------------------------------------------------
// Detector cost: the clip's frames exactly as CameraStream's ffmpeg makes them, timed in-process

const BYTES_PER_PIXEL: Record<string, number> = { gray: 1, yuv420p: 1.5, nv12: 1.5, yuvj420p: 1.5 };

async function decodeForDetector(file: string, motion: MotionConfig, ffmpegPath: string, ffmpegMajor: number, frameSize: number): Promise<Buffer[]> {
  const spec = buildAnalysisSpec({
    rtspUrl: 'rtsp://unused', fps: motion.fps, width: motion.width, height: motion.height, rtspTimeoutSec: 10, ffmpegMajor,
    snapshotWidth: 640, imageTarget: 'unused',
  });
  // The same filter graph; the detector output goes to stdout, the snapshot-size branch to a null sink.
  const outputs = spec.outputs.flatMap((o) => {
    if (o.target === 'stdout') return [...o.options, 'pipe:1'];
    const map = o.options[o.options.indexOf('-map') + 1]!;
    return ['-map', map, '-f', 'null', '-'];
  });
  const args = ['-nostdin', '-i', file, ...spec.globalOptions, '-filter_complex', spec.complexFilter, ...outputs];
  const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  // One buffer for the whole clip, frames as views into it: no per-frame garbage for the GC to
  // collect (on other threads, but in this process's CPU time) while the detector is timed.
  const chunks: Buffer[] = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-1000)));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  });
  const all = Buffer.concat(chunks);
  const frames: Buffer[] = [];
  for (let o = 0; o + frameSize <= all.length; o += frameSize) frames.push(all.subarray(o, o + frameSize));
  if (code !== 0 && frames.length === 0) throw new Error(`ffmpeg decode of ${file} failed: ${stderr.trim()}`);
  return frames;
}

interface Cost {
  frames: number;
  meanMs: number;
  /** The slowest clip's mean. */
  worstClipMs: number;
  pixFmt: string;
  frameSize: number;
}

/** As CameraStream builds it, for a camera with default settings. */
const newDetector = (m: MotionConfig): MotionDetector => createDetector(m);

async function detectorCost(clips: GeneratedClip[], config: Config, ffmpegMajor: number): Promise<Cost> {
  const m = config.motion;
  const frameSize = newDetector(m).frameSize;
  const spec = buildAnalysisSpec({
    rtspUrl: 'rtsp://unused', fps: m.fps, width: m.width, height: m.height, rtspTimeoutSec: 10, ffmpegMajor,
    snapshotWidth: 640, imageTarget: 'unused',
  });
  const det = spec.outputs.find((o) => o.target === 'stdout')!.options;
  const pixFmt = det[det.indexOf('-pix_fmt') + 1] ?? '?';
  const expected = (BYTES_PER_PIXEL[pixFmt] ?? NaN) * m.width * m.height;
  if (expected !== frameSize) {
    console.log(`note: detector frameSize ${frameSize} B, ffmpeg ${pixFmt} ${m.width}×${m.height} gives ${expected} B`);
  }
  // CPU time of whole passes (per-call getrusage is too coarse on Linux), after one untimed pass so
  // V8 has compiled the hot loop as it would have in a service that has run for a minute.
  let frames = 0;
  let totalMs = 0;
  const perClip: number[] = [];
  let warmed = false;
  for (const clip of clips) {
    const decoded = await decodeForDetector(clip.file, m, config.stream.ffmpegPath, ffmpegMajor, frameSize);
    if (!warmed) {
      const warm = newDetector(m);
      for (const f of decoded) warm.analyse(f);
      warmed = true;
    }
    const detector = newDetector(m);
    const t0 = process.cpuUsage();
    for (const f of decoded) detector.analyse(f);
    const used = process.cpuUsage(t0);
    const ms = (used.user + used.system) / 1000;
    frames += decoded.length;
    totalMs += ms;
    if (decoded.length > 0) perClip.push(ms / decoded.length);
  }
  return { frames, meanMs: totalMs / Math.max(1, frames), worstClipMs: Math.max(0, ...perClip), pixFmt, frameSize };
}

// ---------------------------------------------------------------------------------------------
// Report

function scoreRuns(runs: ClipRun[], alertsOf: (r: ClipRun) => number[], startsOf: (r: ClipRun) => readonly number[], until: (r: ClipRun) => number): Summary {
  const scores: ClipScore[] = runs.flatMap((r) => {
    const { start } = watchedPlayback(startsOf(r), r.clip.spec.seconds, until(r));
    if (start === undefined) return [];
    return [scoreClip(r.clip.spec.objects, toClipSeconds(alertsOf(r), start), r.clip.spec.seconds)];
  });
  return summarise(scores);
}

const f1 = (v: number) => (Number.isFinite(v) ? v.toFixed(1) : '–');
const f2 = (v: number) => (Number.isFinite(v) ? v.toFixed(2) : '–');
const i0 = (v: number) => (Number.isFinite(v) ? v.toFixed(0) : '–');
const pad = (s: string, n: number) => s.padStart(n);

function cols(s: Summary | null): string {
  if (!s) return ['', '', '', '', '', ''].map((_, i) => pad('–', [4, 6, 5, 7, 6, 6][i]!)).join(' ');
  return [pad(String(s.hits), 4), pad(f2(s.recall), 6), pad(String(s.falseAlerts), 5), pad(f1(s.falsePerHour), 7), pad(i0(s.latencyP50Ms), 6), pad(i0(s.latencyP95Ms), 6)].join(' ');
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const config = benchConfig();
  const m = config.motion;
  const ffmpegMajor = ffmpegMajorVersion(config.stream.ffmpegPath);
  const only = opts.only ? new Set(opts.only.split(',').map((s) => s.trim())) : null;
  const scenarios: Scenario[] = defaultScenarios().filter((s) => !only || only.has(s.id));
  if (scenarios.length === 0) throw new Error(`--only matched no scenario (have: ${defaultScenarios().map((s) => s.id).join(', ')})`);
  const cacheDir = path.resolve(opts.cache!);
  const runDir = path.join(cacheDir, 'last-run');
  await rm(runDir, { recursive: true, force: true });
  await mkdir(runDir, { recursive: true });

  const motionBin = opts['no-reference'] ? null : onPath('motion');
  console.log(
    `bench:motion — detector ${m.width}×${m.height} @ ${m.fps} fps (pixelThreshold ${m.pixelThreshold}, minAreaRatio ${m.minAreaRatio}, ` +
      `minFrames ${m.minFrames}, endAfterSec ${m.endAfterSec}), ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)}`,
  );
  console.log(`measuring ${detectorVersion()}`);

  const specs = scenarios.flatMap((s) => s.clips);
  const tGen = Date.now();
  let made = 0;
  const longestSpec = Math.max(...specs.map((c) => c.seconds));
  const [calibration, ...clips] = await generateClips([ingestCalibrationSpec(Math.min(60, longestSpec)), ...specs], path.join(cacheDir, 'clips'), {
    parallel: 2,
    onProgress: (_id, cached) => (made += cached ? 0 : 1),
  });
  console.log(`clips: ${clips.length} + ingest calibration (${made} generated, ${clips.length + 1 - made} cached) in ${((Date.now() - tGen) / 1000).toFixed(0)} s under ${path.relative(process.cwd(), path.join(cacheDir, 'clips')) || '.'}`);

  if (opts['cost-only']) {
    // Just the detector's CPU per frame, with nothing streaming beside it.
    const cost = await detectorCost(clips, config, ffmpegMajor);
    console.log(`detector cost: ${cost.meanMs.toFixed(3)} ms/frame mean, ${cost.worstClipMs.toFixed(3)} ms in the slowest clip, over ${cost.frames} frames (CPU time of whole warm passes); load ${os.loadavg()[0]!.toFixed(2)}`);
    console.log(`  ${cost.meanMs <= TARGET.detectorMs ? 'PASS' : 'MISS'}  detector ≤ ${TARGET.detectorMs} ms per ${m.width}×${m.height} frame`);
    return;
  }

  const mounts: Record<string, string> = {};
  for (const c of clips) {
    mounts[`ours-${c.spec.id}`] = c.file;
    if (motionBin) mounts[`ref-${c.spec.id}`] = c.file;
  }
  mounts['ingest-cal'] = calibration!.file;
  const sim = await startRtspSimulator({ cameras: [], clips: mounts });
  const stopAll: Array<() => Promise<void>> = [() => sim.stop()];
  process.once('SIGINT', () => void Promise.all(stopAll.map((s) => s())).finally(() => process.exit(130)));

  const longest = Math.max(...clips.map((c) => c.spec.seconds));
  console.log(`streaming ${clips.length} clips${motionBin ? ' to our pipeline and to Motion' : ''} at once (longest ${longest} s) …`);
  const tRun = Date.now();
  const logFile = createWriteStream(path.join(runDir, 'camera-streams.log'));
  const ours = Promise.all(clips.map((c) => runOurs(sim, c, config, logFile, ffmpegMajor)));
  const ingest = measureIngest(sim, calibration!, config, ffmpegMajor);
  // Motion connects once our streams play, so the two sides do not all set up at the same moment.
  await Promise.race([
    Promise.all(clips.map((c) => (sim.clipStarts(`ours-${c.spec.id}`).length ? null : sim.clipStarted(`ours-${c.spec.id}`)))),
    sleep(CLIP_START_TIMEOUT_MS),
  ]);
  const motionRef = motionBin ? await startMotion(motionBin, path.join(runDir, 'motion'), sim, clips, Math.max(1, Math.round(m.endAfterSec))) : null;
  const [runs, ingestLags] = await Promise.all([ours, ingest, motionRef?.done()]);
  const runSeconds = (Date.now() - tRun) / 1000;
  const refStarts = new Map(clips.map((c) => [c.spec.id, motionBin ? sim.clipStarts(`ref-${c.spec.id}`) : []] as const));
  await sim.stop();
  logFile.end();

  await writeFile(
    path.join(runDir, 'runs.json'),
    JSON.stringify(
      runs.map((r) => ({
        clip: r.clip.spec.id, file: r.clip.file, seconds: r.clip.spec.seconds, labels: r.clip.spec.objects.map((o) => [o.kind, o.onset, o.end]),
        ours: { playbacks: r.clipStarts, alerts: r.alerts, firstMotion: r.firstMotion, firstFrameAt: r.firstFrameAt, framesAnalysed: r.framesAnalysed, maxLagMs: maxLag(r), error: r.error },
        motion: motionRef ? { playbacks: refStarts.get(r.clip.spec.id), events: motionRef.events(r.clip.spec.id) } : null,
      })),
      null,
      1,
    ),
  );

  const tCost = Date.now();
  const cost = await detectorCost(clips, config, ffmpegMajor);
  const costSeconds = (Date.now() - tCost) / 1000;

  // ------------------------------------------------------------------ table
  const rows: Array<{ sc: Scenario; ours: Summary; ref: Summary | null }> = scenarios.map((sc) => {
    const rs = runs.filter((r) => r.clip.spec.scenario === sc.id);
    const ours = scoreRuns(rs, (r) => r.alerts, (r) => r.clipStarts, (r) => r.watchedUntil);
    const ref = motionRef
      ? scoreRuns(rs, (r) => motionRef.events(r.clip.spec.id), (r) => refStarts.get(r.clip.spec.id) ?? [], () => motionRef.stoppedAt)
      : null;
    return { sc, ours, ref };
  });
  console.log('');
  const head1 = `${''.padEnd(16)} ${pad('footage', 8)} ${pad('labelled', 8)} | ${'ours'.padEnd(41)}|${motionBin ? ' motion (reference)' : ''}`;
  const sub = `${pad('hits', 4)} ${pad('recall', 6)} ${pad('false', 5)} ${pad('false/h', 7)} ${pad('p50 ms', 6)} ${pad('p95 ms', 6)}`;
  console.log(head1);
  console.log(`${'scenario'.padEnd(16)} ${pad('s', 8)} ${pad('onsets', 8)} | ${sub} |${motionBin ? ' ' + sub : ''}`);
  for (const { sc, ours, ref } of rows) {
    const lagged = runs.some((r) => r.clip.spec.scenario === sc.id && maxLag(r) > LAG_WARN_MS);
    const name = `${sc.id}${lagged ? ' !' : ''}`;
    console.log(`${name.padEnd(16)} ${pad(f1(ours.footageSec), 8)} ${pad(String(ours.onsets), 8)} | ${cols(ours)} |${motionBin ? ' ' + cols(ref) : ''}`);
  }
  if (!motionBin) console.log(opts['no-reference'] ? 'motion: skipped (--no-reference)' : 'motion: not installed (apt-get install motion to print the reference peer)');

  // ------------------------------------------------------------------ health of the run itself
  const firstFrame = runs.filter((r) => r.firstFrameAt !== null && r.clipStarts[0] !== undefined).map((r) => r.firstFrameAt! - r.clipStarts[0]!);
  const toHandOver = runs.flatMap((r) => r.alerts.map((a, i) => a - r.firstMotion[i]!));
  const lags = runs.flatMap((r) => r.lagMs);
  const lagged = runs.filter((r) => maxLag(r) > LAG_WARN_MS);
  const expectedFrames = runs.reduce((a, r) => a + r.clip.spec.seconds * m.fps, 0);
  const analysed = runs.reduce((a, r) => a + r.framesAnalysed, 0);
  console.log('');
  console.log(
    `ours: ${analysed} frames analysed of ${expectedFrames} in the clips; first analysed frame ${i0(percentile(firstFrame, 50))} ms after a clip's first frame was sent ` +
      `(median; the RTSP client drops what it reads while probing)`,
  );
  console.log(
    `ours: ingest delay (RTSP → CameraStream's ffmpeg command → frame out, whole-frame toggles on the frame grid): ` +
      `${i0(percentile(ingestLags, 50))} ms median, ${i0(percentile(ingestLags, 95))} ms p95 over ${ingestLags.length} toggles — the floor under every latency`,
  );
  console.log(
    `ours: first motion frame → alert handed over: ${i0(percentile(toHandOver, 50))} ms median, ${i0(percentile(toHandOver, 95))} ms p95 ` +
      `(minFrames ${m.minFrames} at ${m.fps} fps, then the snapshot wait)`,
  );
  console.log(
    `ours: behind real time ${i0(percentile(lags, 50))} ms median, ${i0(percentile(lags, 95))} ms p95, ${i0(Math.max(0, ...lags))} ms max` +
      (lagged.length
        ? ` — ! ${lagged.length} clip(s) fell over ${LAG_WARN_MS} ms behind (${lagged.map((r) => `${r.clip.spec.id} ${i0(maxLag(r))}`).join(', ')} ms): ` +
          'the machine did not keep up, so latency and recall there read worse than the detector is'
        : ''),
  );
  const playbackProblems = (who: string, id: string, starts: readonly number[], seconds: number, until: number) => {
    const { start, cutShort } = watchedPlayback(starts, seconds, until);
    if (start === undefined) console.log(`  ${who} ${id}: never played`);
    else if (cutShort) console.log(`  ${who} ${id}: no playback ran to its end before we stopped watching; scored against the last`);
  };
  for (const r of runs) {
    if (r.error) console.log(`  ours ${r.clip.spec.id}: ${r.error}`);
    playbackProblems('ours', r.clip.spec.id, r.clipStarts, r.clip.spec.seconds, r.watchedUntil);
  }
  if (motionRef) for (const c of clips) playbackProblems('motion', c.spec.id, refStarts.get(c.spec.id) ?? [], c.spec.seconds, motionRef.stoppedAt);
  const neverPlayed = runs.filter((r) => r.clipStarts.length === 0).length;
  const reconnected = runs.filter((r) => r.clipStarts.filter((t) => t < r.watchedUntil - TAIL_MS - 2000).length > 1).length;
  const unreliable = [
    neverPlayed ? `${neverPlayed} clip(s) never played` : '',
    reconnected ? `${reconnected} of our streams reconnected mid-clip` : '',
    lagged.length ? `${lagged.length} of our streams fell behind real time` : '',
    ingestLags.length && percentile(ingestLags, 95) > 1.5 * percentile(ingestLags, 50) + 100 ? 'the ingest delay varied widely' : '',
  ].filter(Boolean);
  if (unreliable.length) {
    console.log(
      `!! this run is not a clean measurement: ${unreliable.join('; ')} (load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} on ${os.cpus().length} cores). ` +
        'Latency, recall and detector cost read worse than on a quiet machine; rerun when it is.',
    );
  }
  const falseList = runs
    .map((r) => {
      const { start } = watchedPlayback(r.clipStarts, r.clip.spec.seconds, r.watchedUntil);
      return { id: r.clip.spec.id, at: start === undefined ? [] : scoreClip(r.clip.spec.objects, toClipSeconds(r.alerts, start), r.clip.spec.seconds).falseAt };
    })
    .filter((x) => x.at.length > 0);
  if (falseList.length) {
    console.log(`ours, false alerts at (clip s): ${falseList.map((x) => `${x.id} ${x.at.slice(0, 8).map((a) => a.toFixed(1)).join(' ')}${x.at.length > 8 ? ' …' : ''}`).join('; ')}`);
  }

  // ------------------------------------------------------------------ detector cost
  console.log('');
  console.log(
    `detector cost: ${cost.meanMs.toFixed(3)} ms/frame mean, ${cost.worstClipMs.toFixed(3)} ms in the slowest clip, over ${cost.frames} frames (CPU time of whole warm passes) ` +
      `(${m.width}×${m.height} ${cost.pixFmt}, ${cost.frameSize} B, MotionDetector.analyse in-process)`,
  );

  // ------------------------------------------------------------------ targets
  console.log('');
  console.log('targets (ours; motion for comparison):');
  const by = new Map(rows.map((r) => [r.sc.id, r]));
  const line = (ok: boolean | null, what: string, value: string, ref?: string) =>
    console.log(`  ${ok === null ? 'n/a ' : ok ? 'PASS' : 'MISS'}  ${what.padEnd(40)} ${value}${ref ? `   (motion ${ref})` : ''}`);
  for (const id of RECALL_SCENARIOS) {
    const r = by.get(id);
    line(r ? r.ours.recall >= TARGET.recall : null, `recall ${id} ≥ ${TARGET.recall}`, r ? f2(r.ours.recall) : 'not run', r?.ref ? f2(r.ref.recall) : undefined);
  }
  for (const id of FALSE_ALERT_SCENARIOS) {
    const r = by.get(id);
    line(
      r ? r.ours.falsePerHour <= TARGET.falsePerHour : null,
      `false alerts ${id} ≤ ${TARGET.falsePerHour}/camera-hour`,
      r ? `${f1(r.ours.falsePerHour)}/h (${r.ours.falseAlerts} in ${f1(r.ours.footageSec / 60)} min)` : 'not run',
      r?.ref ? `${f1(r.ref.falsePerHour)}/h` : undefined,
    );
  }
  const latOf = (pick: (r: (typeof rows)[number]) => Summary | null) =>
    RECALL_SCENARIOS.flatMap((id) => {
      const r = by.get(id);
      return r ? (pick(r)?.latenciesMs ?? []) : [];
    });
  const lat = latOf((r) => r.ours);
  const refLat = latOf((r) => r.ref);
  line(
    lat.length ? percentile(lat, 95) <= TARGET.latencyP95Ms : null,
    `onset latency p95 ≤ ${TARGET.latencyP95Ms} ms (person+car)`,
    `${i0(percentile(lat, 95))} ms over ${lat.length} detected`,
    motionBin && refLat.length ? `${i0(percentile(refLat, 95))} ms` : undefined,
  );
  line(cost.meanMs <= TARGET.detectorMs, `detector ≤ ${TARGET.detectorMs} ms per ${m.width}×${m.height} frame`, `${cost.meanMs.toFixed(3)} ms mean`);
  const nuisanceH = rows.filter((r) => FALSE_ALERT_SCENARIOS.includes(r.sc.id)).reduce((a, r) => a + r.ours.footageSec, 0) / 3600;
  console.log('');
  console.log(
    `took ${((Date.now() - t0) / 1000).toFixed(0)} s (streaming ${runSeconds.toFixed(0)} s, detector timing ${costSeconds.toFixed(0)} s); ` +
      `load ${os.loadavg()[0]!.toFixed(2)}; ${f2(nuisanceH)} h of nuisance footage, so one false alert in a scenario is already ${f1(1 / (nuisanceH / FALSE_ALERT_SCENARIOS.length || NaN))}/h there. ` +
      `Logs: ${path.relative(process.cwd(), runDir)}`,
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
