// One camera's ingest loop: ffmpeg → grey frames → detector → tracker → episodes.
// Owns the ffmpeg process, its watchdog and its restart back-off.

import type { Logger } from '../logger.js';
import type { AnalysisConfig, CameraConfig, MotionConfig, StreamConfig } from '../config.js';
import type { HealthReport } from '../events/event-types.js';
import { gateVerdict } from '../motion/motion-gate.js';
import type { FrameVerdict } from '../motion/motion-detector.js';
import { DEFAULT_MOTION_SETTINGS, type CameraMotionSettings } from '../motion/motion-settings.js';
import { MotionTracker, type EpisodeEvent } from '../motion/motion-tracker.js';
import type { AnalysisRun, EpisodeImages } from './analysis-run.js';
import { AnalysisSwitch, type AnalysisStats } from './analysis-switch.js';
import { backoffDelay } from './backoff.js';
import type { FfmpegExit } from './ffmpeg-process.js';
import { FrameHealth } from './frame-health.js';
import { writePrivacyMask, type MaskFile } from './mask-file.js';
import type { SnapshotEncoder } from './snapshot-encoder.js';
import { StreamAvailability, type StreamStatus } from './stream-availability.js';

export type { StreamStatus };

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
  /** Keyframe patrol or full decoding, and how the camera moved between them. */
  analysis: AnalysisStats;
}

export type { EpisodeImages };

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
  /** Patrol/full decoding; absent = every frame decoded at motion.fps, always (no patrol). */
  analysis?: AnalysisConfig;
  now?: () => number;
}

/** Without an analysis config a camera decodes in full, as before patrol existed. */
const ALWAYS_FULL: Omit<AnalysisConfig, 'overload'> = { mode: 'full', patrolFps: 1, quietSec: 10, alertOnPatrol: true, swapTimeoutSec: 15 };

/** A run that delivered frames for this long resets the back-off to its first step. */
const HEALTHY_RUN_MS = 30_000;
const SNAPSHOT_WAIT_MS = 1000;
const HYBRID_WINDOW_MS = 10_000;

export class CameraStream {
  readonly camera: CameraConfig;
  readonly #motion: MotionConfig;
  readonly #stream: StreamConfig;
  readonly #log: Logger;
  readonly #deps: CameraStreamDeps;
  readonly #now: () => number;
  readonly #settings: CameraMotionSettings;
  readonly #hybridWindowMs: number;
  readonly #alertOnPatrol: boolean;
  #tracker: MotionTracker;
  readonly #picture: FrameHealth;
  readonly #availability: StreamAvailability;
  #runs: AnalysisSwitch | null = null;
  #closing = false;
  #attempt = 0;
  #framesAnalysed = 0;
  #lastFrameAt: number | null = null;
  #restarts = 0;
  #decodeErrors = 0;
  #night = false;
  #maskFile: MaskFile | null = null;
  #cameraSide = { active: false, lastActiveAt: null as number | null };
  #overloadLevel = 0;
  /** The run the watchdog is stopping (stopping takes up to 3 s: say it once). */
  #stalled: AnalysisRun | null = null;
  #restartTimer: NodeJS.Timeout | null = null;
  #watchdog: NodeJS.Timeout | null = null;
  /** Episodes leave in order: an `end` never overtakes the `start` still waiting for its snapshot. */
  #emitChain: Promise<void> = Promise.resolve();

  readonly #encoder: SnapshotEncoder;

  /** `encoder`: the service's snapshot encoder, shared by every camera (the supervisor owns it). */
  constructor(camera: CameraConfig, motion: MotionConfig, stream: StreamConfig, deps: CameraStreamDeps, encoder: SnapshotEncoder) {
    this.#encoder = encoder;
    this.camera = camera;
    this.#motion = motion;
    this.#stream = stream;
    this.#deps = deps;
    this.#log = deps.logger.child({ cameraId: camera.id });
    this.#now = deps.now ?? Date.now;
    this.#settings = camera.motion ?? DEFAULT_MOTION_SETTINGS;
    this.#hybridWindowMs = deps.hybridWindowMs ?? HYBRID_WINDOW_MS;
    this.#alertOnPatrol = (deps.analysis ?? ALWAYS_FULL).alertOnPatrol;
    this.#tracker = this.#newTracker();
    this.#availability = new StreamAvailability(deps.offlineGraceMs);
    this.#picture = new FrameHealth({ width: motion.width, height: motion.height, frozenAfterMs: deps.frozenAfterMs, coveredAfterMs: deps.coveredAfterMs });
  }

  stats(): CameraStreamStats {
    const now = this.#now();
    return {
      cameraId: this.camera.id,
      name: this.camera.name,
      zone: this.camera.zone,
      status: this.#availability.status,
      framesAnalysed: this.#framesAnalysed,
      restarts: this.#restarts,
      lastFrameAt: this.#lastFrameAt === null ? null : new Date(this.#lastFrameAt).toISOString(),
      motion: this.#tracker.active,
      pid: this.#runs?.active?.pid ?? null,
      mode: this.#settings.mode,
      cameraMotion: this.#cameraSide.active,
      night: this.#night,
      mutedCells: this.#runs?.active?.detector.mutedCells ?? 0,
      decodeErrors: this.#decodeErrors,
      frozen: this.#picture.frozen,
      covered: this.#picture.covered,
      ...this.#availability.totals(now),
      analysis: this.#runs?.stats(now) ?? { mode: null, wanted: this.#baseMode(), fps: null, decimated: 0, swapping: false, escalations: 0, swaps: 0, failedSwaps: 0, patrolSec: 0, fullSec: 0 },
    };
  }

  /** Process ids of this camera's ffmpeg runs (two while it swaps modes). */
  pids(): number[] {
    return this.#runs?.pids() ?? [];
  }

  /** The camera's own motion state (its ONVIF events): gates camera/hybrid modes and escalates patrol. */
  cameraMotion(active: boolean, at: number): void {
    this.#cameraSide.active = active;
    if (active) this.#cameraSide.lastActiveAt = at;
    else if (this.#cameraSide.lastActiveAt !== null) this.#cameraSide.lastActiveAt = at;
    this.#runs?.cameraMotion(active, at);
  }

  /** The service's overload level (overload-policy.ts): lowers this camera's analysis rate. */
  setOverloadLevel(level: number): void {
    this.#overloadLevel = level;
    this.#runs?.setOverloadLevel(level);
  }

  /** Whether applying overload `level` would start a new ffmpeg (so the supervisor spaces those out). */
  levelRespawns(level: number): boolean {
    return this.#runs?.levelRespawns(level) ?? false;
  }

  async start(): Promise<void> {
    this.#maskFile = await writePrivacyMask(this.#settings.masks);
    this.#closing = false;
    this.#availability.started(this.#now());
    this.#runs = this.#newSwitch();
    this.#runs.setOverloadLevel(this.#overloadLevel);
    this.#spawn();
    this.#watchdog = setInterval(() => this.#checkWatchdog(), 1000);
    this.#watchdog.unref();
  }

  async close(): Promise<void> {
    this.#closing = true;
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    if (this.#watchdog) clearInterval(this.#watchdog);
    await this.#runs?.close();
    this.#closeEpisode();
    await this.#emitChain;
    await this.#maskFile?.remove();
    this.#maskFile = null;
    this.#availability.stopped(this.#now());
  }

  #baseMode(): AnalysisConfig['mode'] {
    return this.#settings.analysis ?? (this.#deps.analysis ?? ALWAYS_FULL).mode;
  }

  #newSwitch(): AnalysisSwitch {
    const a = this.#deps.analysis ?? ALWAYS_FULL;
    return new AnalysisSwitch({
      base: this.#baseMode(), patrolFps: a.patrolFps, fullFps: this.#motion.fps, quietMs: a.quietSec * 1000, swapTimeoutMs: a.swapTimeoutSec * 1000,
      mayHoldEscalation: this.#alertOnPatrol,
      run: {
        camera: this.camera, motion: this.#motion, stream: this.#stream, settings: this.#settings, ffmpegMajor: this.#deps.ffmpegMajor,
        privacyMaskFile: this.#maskFile?.path ?? null, snapshotEncoder: this.#encoder, logger: this.#log, now: this.#now,
      },
      logger: this.#log, now: this.#now,
      onFrame: (run, verdict, frame, seq, at) => this.#onFrame(run, verdict, frame, seq, at),
      onDamage: (line) => this.#onDamage(line),
      onExit: (run, exit) => this.#onExit(run, exit),
    });
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
    this.#availability.spawning();
    this.#runs?.spawn();
  }

  #onFrame(run: AnalysisRun, rawVerdict: FrameVerdict, frame: Buffer, seq: number, at: number): void {
    this.#framesAnalysed++;
    this.#lastFrameAt = at;
    const up = this.#availability.frame(at);
    if (up.cameOnline) this.#log.info({ analysis: run.mode }, 'stream online');
    if (up.report) this.#report({ condition: 'offline', active: false, at });
    for (const change of this.#picture.update(frame, at)) this.#report(change);
    const verdict = gateVerdict(this.#settings.mode, rawVerdict, this.#cameraSide, at, this.#hybridWindowMs);
    this.#night = verdict.night === true;
    // With alertOnPatrol off a patrol keyframe only escalates; the full run's frames decide.
    const counted = run.mode === 'patrol' && !this.#alertOnPatrol ? { ...verdict, motion: false } : verdict;
    const episode = this.#tracker.update(counted, at);
    if (episode) this.#emit(episode, run, seq);
    this.#runs?.observe(verdict, this.#tracker.active, at);
  }

  #onDamage(line: string): void {
    this.#decodeErrors++;
    // One line per burst is enough for an operator; the count is in the stats.
    if (this.#decodeErrors % 100 === 1) this.#log.warn({ ffmpeg: line, decodeErrors: this.#decodeErrors }, 'decoder reported damaged data; skipping frames until it passes');
  }

  #emit(episode: EpisodeEvent, run: AnalysisRun | null, frameSeq: number): void {
    // Images are looked up now (for the triggering frame, from the run that saw it) but delivered in order.
    const images = episode.kind === 'end' || run === null ? Promise.resolve({ snapshot: null, thumbnail: null }) : run.images(frameSeq, SNAPSHOT_WAIT_MS);
    this.#chain(`motion ${episode.kind}`, async () => {
      await this.#deps.onEpisode(this.camera, episode, await images);
    });
  }

  #report(r: HealthReport): void {
    if (r.condition !== 'offline') this.#log[r.active ? 'warn' : 'info']({ condition: r.condition }, r.active ? `picture ${r.condition}` : `picture no longer ${r.condition}`);
    this.#chain(`${r.condition} ${r.active ? 'on' : 'off'}`, () => this.#deps.onHealth(this.camera, r));
  }

  /** Hand-overs leave one at a time, in order; a failure is logged, never silently dropped. */
  #chain(what: string, work: () => Promise<void>): void {
    this.#emitChain = this.#emitChain
      .then(work)
      .catch((err: unknown) => this.#log.error({ err, what }, 'could not hand over a camera event'));
  }

  #closeEpisode(): void {
    const ended = this.#tracker.flush(this.#now());
    if (ended) this.#emit(ended, null, 0);
    this.#tracker = this.#newTracker();
  }

  #onExit(run: AnalysisRun, exit: FfmpegExit): void {
    if (this.#closing) return;
    // A camera that drops mid-episode must not leave motion stuck "on".
    this.#closeEpisode();
    const healthy = run.frames > 0 && this.#now() - run.startedAt >= HEALTHY_RUN_MS;
    this.#attempt = healthy ? 1 : this.#attempt + 1;
    this.#restarts++;
    const delay = backoffDelay(this.#attempt, { initialMs: this.#stream.backoffInitialMs, maxMs: this.#stream.backoffMaxMs });
    const at = this.#now();
    // Up ends with the last frame: a stall the watchdog ended was no picture either.
    if (this.#availability.exited(at, run.frames > 0 && this.#lastFrameAt !== null ? this.#lastFrameAt : at)) this.#log.warn('stream offline');
    this.#log.warn({ code: exit.code, signal: exit.signal, stderr: exit.stderrTail.slice(-5), retryInMs: delay }, 'ffmpeg exited; restarting');
    this.#restartTimer = setTimeout(() => {
      this.#restartTimer = null;
      if (!this.#closing) this.#spawn();
    }, delay);
  }

  #checkWatchdog(): void {
    const now = this.#now();
    // Cameras that blink off for a moment (a reconnect) do not page anyone: only a stay past the grace does.
    const downSince = this.#availability.dueOffline(now);
    if (downSince !== null) {
      this.#log.warn({ offlineSinceMs: downSince }, 'camera offline');
      this.#report({ condition: 'offline', active: true, at: downSince });
    }
    const run = this.#runs?.active;
    if (!run || this.#closing) return;
    this.#runs?.tick(now);
    // Waiting for its turn to start (start-gate.ts) is not a stall.
    if (!run.spawned) return;
    const since = run.lastFrameAt ?? run.startedAt;
    if (now - since < this.#stream.watchdogSec * 1000 || this.#stalled === run) return;
    this.#stalled = run;
    this.#log.warn({ watchdogSec: this.#stream.watchdogSec }, 'no frames from ffmpeg; restarting it');
    void run.stop();
  }
}
