// One camera's ingest loop: ffmpeg → grey frames → detector → tracker → episodes.
// Owns the ffmpeg process, its watchdog and its restart back-off.

import type { Logger } from '../logger.js';
import type { CameraConfig, MotionConfig, StreamConfig } from '../config.js';
import type { HealthReport } from '../events/event-types.js';
import { gateVerdict } from '../motion/motion-gate.js';
import { createDetector } from '../motion/detector-factory.js';
import type { MotionDetector } from '../motion/motion-detector.js';
import { DEFAULT_MOTION_SETTINGS, type CameraMotionSettings } from '../motion/motion-settings.js';
import { MotionTracker, type EpisodeEvent } from '../motion/motion-tracker.js';
import { backoffDelay } from './backoff.js';
import { buildAnalysisSpec, describeSpec } from './ffmpeg-args.js';
import { FfmpegProcess, type FfmpegExit } from './ffmpeg-process.js';
import { FixedFrameSplitter } from './frame-reader.js';
import { FrameHealth } from './frame-health.js';
import { JpegChannel } from './jpeg-channel.js';
import { writePrivacyMask, type MaskFile } from './mask-file.js';
import { UptimeCounter } from './uptime.js';

export type StreamStatus = 'starting' | 'online' | 'offline' | 'stopped';

export interface CameraStreamStats {
  cameraId: string;
  name: string;
  zone: string;
  status: StreamStatus;
  framesAnalysed: number;
  restarts: number;
  lastFrameAt: string | null;
  motion: boolean;
  /** ffmpeg's process id while one runs. */
  pid: number | null;
  mode: CameraMotionSettings['mode'];
  /** The camera's own (ONVIF) motion state, in camera and hybrid modes. */
  cameraMotion: boolean;
  /** The detector runs its night profile (grey, IR-lit picture). */
  night: boolean;
  /** Grid cells muted for firing all the time (a tree in the wind). */
  mutedCells: number;
  /** Decoder errors (lost or damaged data) reported by ffmpeg; frames after them are not compared. */
  decodeErrors: number;
  /** The picture stands still / is covered (see frame-health.ts). */
  frozen: boolean;
  covered: boolean;
  /** Seconds with frames flowing, and without, since the stream started. */
  uptimeSec: number;
  downtimeSec: number;
}

export interface EpisodeImages {
  snapshot: Buffer | null;
  thumbnail: Buffer | null;
}

export interface EpisodeSink {
  (camera: CameraConfig, episode: EpisodeEvent, images: EpisodeImages): Promise<void>;
}

/**
 * `offline` inactive (online) on the first frame and on return; `offline` once a camera stayed down for
 * the grace time; `frozen` and `covered` when the picture says so, and again when they clear.
 */
export interface HealthSink {
  (camera: CameraConfig, report: HealthReport): Promise<void>;
}

export interface CameraStreamDeps {
  logger: Logger;
  onEpisode: EpisodeSink;
  onHealth: HealthSink;
  offlineGraceMs: number;
  frozenAfterMs: number;
  coveredAfterMs: number;
  /** Installed ffmpeg's major version: the RTSP socket timeout option was renamed in 5.0. */
  ffmpegMajor: number;
  /** hybrid mode: how long after a camera-side motion event our detector may confirm it. */
  hybridWindowMs?: number;
  now?: () => number;
}

/** A run that delivered frames for this long resets the back-off to its first step. */
const HEALTHY_RUN_MS = 30_000;
const SNAPSHOT_WAIT_MS = 1000;
const HYBRID_WINDOW_MS = 10_000;
/** What ffmpeg's decoders print when data was lost or damaged (concealment follows). */
const DECODE_DAMAGE = /error while decoding|concealing \d+ .*errors|corrupt|missing picture|Invalid NAL|co located POCs unavailable|mmco|left block unavailable|top block unavailable|out of range intra chroma pred|cabac decode .* failed|negative number of zero coeffs|Reference \d+ >=/i;

export class CameraStream {
  readonly camera: CameraConfig;
  readonly #motion: MotionConfig;
  readonly #stream: StreamConfig;
  readonly #log: Logger;
  readonly #onEpisode: EpisodeSink;
  readonly #onHealth: HealthSink;
  readonly #offlineGraceMs: number;
  readonly #ffmpegMajor: number;
  readonly #now: () => number;
  readonly #settings: CameraMotionSettings;
  readonly #hybridWindowMs: number;
  readonly #jpegs = new JpegChannel();
  readonly #thumbs = new JpegChannel();
  /** What consumers were last told: null before the first report. */
  #reportedOnline: boolean | null = null;
  #offlineSince: number | null = null;
  #tracker: MotionTracker;
  readonly #picture: FrameHealth;
  readonly #uptime = new UptimeCounter();
  #proc: FfmpegProcess | null = null;
  #status: StreamStatus = 'stopped';
  #closing = false;
  #attempt = 0;
  #framesAnalysed = 0;
  #runFrames = 0;
  #runStartedAt = 0;
  #lastFrameAt: number | null = null;
  #restarts = 0;
  #decodeErrors = 0;
  #night = false;
  #detector: MotionDetector | null = null;
  #maskFile: MaskFile | null = null;
  #cameraSide = { active: false, lastActiveAt: null as number | null };
  #restartTimer: NodeJS.Timeout | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  /** Episodes leave in order: an `end` never overtakes the `start` still waiting for its snapshot. */
  #emitChain: Promise<void> = Promise.resolve();

  constructor(camera: CameraConfig, motion: MotionConfig, stream: StreamConfig, deps: CameraStreamDeps) {
    this.camera = camera;
    this.#motion = motion;
    this.#stream = stream;
    this.#log = deps.logger.child({ cameraId: camera.id });
    this.#onEpisode = deps.onEpisode;
    this.#onHealth = deps.onHealth;
    this.#offlineGraceMs = deps.offlineGraceMs;
    this.#ffmpegMajor = deps.ffmpegMajor;
    this.#now = deps.now ?? Date.now;
    this.#settings = camera.motion ?? DEFAULT_MOTION_SETTINGS;
    this.#hybridWindowMs = deps.hybridWindowMs ?? HYBRID_WINDOW_MS;
    this.#tracker = this.#newTracker();
    this.#picture = new FrameHealth({ width: motion.width, height: motion.height, frozenAfterMs: deps.frozenAfterMs, coveredAfterMs: deps.coveredAfterMs });
  }

  stats(): CameraStreamStats {
    return {
      cameraId: this.camera.id,
      name: this.camera.name,
      zone: this.camera.zone,
      status: this.#status,
      framesAnalysed: this.#framesAnalysed,
      restarts: this.#restarts,
      lastFrameAt: this.#lastFrameAt === null ? null : new Date(this.#lastFrameAt).toISOString(),
      motion: this.#tracker.active,
      pid: this.#proc?.pid ?? null,
      mode: this.#settings.mode,
      cameraMotion: this.#cameraSide.active,
      night: this.#night,
      mutedCells: this.#detector?.mutedCells ?? 0,
      decodeErrors: this.#decodeErrors,
      frozen: this.#picture.frozen,
      covered: this.#picture.covered,
      ...this.#uptime.totals(this.#now()),
    };
  }

  /** The camera's own motion state (its ONVIF events), used by the camera and hybrid modes. */
  cameraMotion(active: boolean, at: number): void {
    this.#cameraSide.active = active;
    if (active) this.#cameraSide.lastActiveAt = at;
    else if (this.#cameraSide.lastActiveAt !== null) this.#cameraSide.lastActiveAt = at;
  }

  async start(): Promise<void> {
    this.#maskFile = await writePrivacyMask(this.#settings.masks);
    await this.#jpegs.start();
    await this.#thumbs.start();
    this.#closing = false;
    this.#offlineSince = this.#now();
    this.#uptime.start(this.#offlineSince);
    this.#spawn();
    this.#watchdog = setInterval(() => this.#checkWatchdog(), 1000);
    this.#watchdog.unref();
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    if (this.#watchdog) clearInterval(this.#watchdog);
    await this.#proc?.stop();
    this.#proc = null;
    this.#closeEpisode();
    await this.#emitChain;
    await this.#jpegs.close();
    await this.#thumbs.close();
    await this.#maskFile?.remove();
    this.#maskFile = null;
    this.#status = 'stopped';
    this.#uptime.stop(this.#now());
  }

  #newTracker(): MotionTracker {
    return new MotionTracker({
      minFrames: this.#motion.minFrames,
      endAfterMs: this.#motion.endAfterSec * 1000,
      maxEpisodeMs: this.#motion.maxEpisodeSec * 1000,
      updateScoreFactor: this.#motion.updateScoreFactor,
      updateMinIntervalMs: this.#motion.updateMinIntervalSec * 1000,
    });
  }

  #spawn(): void {
    const m = this.#motion;
    const spec = buildAnalysisSpec({
      rtspUrl: this.camera.rtspUrl,
      fps: m.fps,
      width: m.width,
      height: m.height,
      rtspTimeoutSec: this.#stream.rtspTimeoutSec,
      ffmpegMajor: this.#ffmpegMajor,
      snapshotWidth: this.#stream.snapshotWidth,
      thumbnailWidth: this.#stream.thumbnailWidth,
      snapshotTarget: this.#jpegs.target,
      thumbnailTarget: this.#thumbs.target,
      privacyMaskFile: this.#maskFile?.path ?? null,
    });
    const detector = createDetector(m, this.#settings);
    this.#detector = detector;
    const splitter = new FixedFrameSplitter(detector.frameSize);
    const proc = new FfmpegProcess(spec, this.#stream.ffmpegPath);
    this.#proc = proc;
    this.#status = this.#status === 'offline' ? 'offline' : 'starting';
    this.#runFrames = 0;
    this.#runStartedAt = this.#now();
    this.#jpegs.resetSequence();
    this.#thumbs.resetSequence();
    proc.stdout.on('data', (chunk: Buffer) => {
      for (const frame of splitter.push(chunk)) this.#onFrame(detector, frame);
    });
    proc.on('stderr', (line) => {
      // ffmpeg's chatter matters until the stream is up; after that only decoder damage (frames after
      // it are not compared) and its final words (on exit).
      if (this.#runFrames === 0) this.#log.warn({ ffmpeg: line }, 'ffmpeg reported a problem');
      else if (DECODE_DAMAGE.test(line)) this.#onDamage(detector, line);
    });
    proc.on('exit', (exit) => this.#onExit(proc, exit));
    this.#log.debug({ command: describeSpec(spec) }, 'starting ffmpeg');
    proc.start();
  }

  #onFrame(detector: MotionDetector, frame: Buffer): void {
    const at = this.#now();
    this.#runFrames++;
    this.#framesAnalysed++;
    this.#lastFrameAt = at;
    if (this.#status !== 'online') {
      this.#status = 'online';
      this.#offlineSince = null;
      this.#uptime.set(true, at);
      this.#log.info('stream online');
      if (this.#reportedOnline !== true) this.#reportHealth(true, at);
    }
    for (const change of this.#picture.update(frame, at)) this.#report(change);
    const verdict = gateVerdict(this.#settings.mode, detector.analyse(frame), this.#cameraSide, at, this.#hybridWindowMs);
    this.#night = verdict.night === true;
    const episode = this.#tracker.update(verdict, at);
    if (episode) this.#emit(episode, this.#runFrames);
  }

  #onDamage(detector: MotionDetector, line: string): void {
    this.#decodeErrors++;
    detector.noteDamage();
    // One line per burst is enough for an operator; the count is in the stats.
    if (this.#decodeErrors % 100 === 1) this.#log.warn({ ffmpeg: line, decodeErrors: this.#decodeErrors }, 'decoder reported damaged data; skipping frames until it passes');
  }

  #emit(episode: EpisodeEvent, frameSeq: number): void {
    // Images are looked up now (for the triggering frame) but delivered in order.
    const wantsImages = episode.kind !== 'end';
    const images = Promise.all([
      wantsImages ? this.#jpegs.imageFor(frameSeq, SNAPSHOT_WAIT_MS) : null,
      wantsImages ? this.#thumbs.imageFor(frameSeq, SNAPSHOT_WAIT_MS) : null,
    ]);
    this.#chain(`motion ${episode.kind}`, async () => {
      const [snapshot, thumbnail] = await images;
      await this.#onEpisode(this.camera, episode, { snapshot, thumbnail });
    });
  }

  #reportHealth(online: boolean, at: number): void {
    this.#reportedOnline = online;
    this.#report({ condition: 'offline', active: !online, at });
  }

  #report(r: HealthReport): void {
    if (r.condition !== 'offline') this.#log[r.active ? 'warn' : 'info']({ condition: r.condition }, r.active ? `picture ${r.condition}` : `picture no longer ${r.condition}`);
    this.#chain(`${r.condition} ${r.active ? 'on' : 'off'}`, () => this.#onHealth(this.camera, r));
  }

  /** Hand-overs leave one at a time, in order; a failure is logged, never silently dropped. */
  #chain(what: string, work: () => Promise<void>): void {
    this.#emitChain = this.#emitChain
      .then(work)
      .catch((err: unknown) => this.#log.error({ err, what }, 'could not hand over a camera event'));
  }

  #closeEpisode(): void {
    const ended = this.#tracker.flush(this.#now());
    if (ended) this.#emit(ended, 0);
    this.#tracker = this.#newTracker();
  }

  #onExit(proc: FfmpegProcess, exit: FfmpegExit): void {
    if (proc !== this.#proc) return;
    this.#proc = null;
    if (this.#closing) return;
    // A camera that drops mid-episode must not leave motion stuck "on".
    this.#closeEpisode();
    const healthy = this.#runFrames > 0 && this.#now() - this.#runStartedAt >= HEALTHY_RUN_MS;
    this.#attempt = healthy ? 1 : this.#attempt + 1;
    this.#restarts++;
    const delay = backoffDelay(this.#attempt, { initialMs: this.#stream.backoffInitialMs, maxMs: this.#stream.backoffMaxMs });
    if (this.#status !== 'offline') {
      this.#log.warn('stream offline');
      this.#offlineSince = this.#now();
      // Up ends with the last frame: a stall the watchdog ended was no picture either.
      this.#uptime.set(false, this.#runFrames > 0 && this.#lastFrameAt !== null ? this.#lastFrameAt : this.#offlineSince);
    }
    this.#status = 'offline';
    this.#log.warn({ code: exit.code, signal: exit.signal, stderr: exit.stderrTail.slice(-5), retryInMs: delay }, 'ffmpeg exited; restarting');
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (!this.#closing) this.#spawn();
    }, delay);
  }

  #checkWatchdog(): void {
    // Cameras that blink off for a moment (a reconnect) do not page anyone: only a stay past the grace does.
    if (this.#offlineSince !== null && this.#reportedOnline !== false && this.#now() - this.#offlineSince >= this.#offlineGraceMs) {
      this.#log.warn({ offlineSinceMs: this.#offlineSince }, 'camera offline');
      this.#reportHealth(false, this.#offlineSince);
    }
    const proc = this.#proc;
    if (!proc || this.#closing) return;
    const since = this.#lastFrameAt !== null && this.#runFrames > 0 ? this.#lastFrameAt : this.#runStartedAt;
    if (this.#now() - since < this.#stream.watchdogSec * 1000) return;
    this.#log.warn({ watchdogSec: this.#stream.watchdogSec }, 'no frames from ffmpeg; restarting it');
    void proc.stop();
  }
}
