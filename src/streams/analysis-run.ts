// One ffmpeg run of one camera in one analysis mode at one rate: the process, its detector (built
// for that mode), and the channel of raw snapshot-size images numbered in step with its frames.
// A camera has one such run, two while it swaps modes (analysis-switch.ts).

import { EventEmitter } from 'node:events';
import type { CameraConfig, MotionConfig, StreamConfig } from '../config.js';
import type { Logger } from '../logger.js';
import { createDetector } from '../motion/detector-factory.js';
import type { FrameVerdict, MotionDetector } from '../motion/motion-detector.js';
import type { CameraMotionSettings } from '../motion/motion-settings.js';
import type { AnalysisMode } from './analysis-mode.js';
import { buildAnalysisSpec, describeSpec } from './ffmpeg-args.js';
import { FfmpegProcess, type FfmpegExit } from './ffmpeg-process.js';
import { FixedFrameSplitter } from './frame-reader.js';
import { FrameThinning } from './frame-thinning.js';
import { RawFrameChannel } from './raw-frame-channel.js';
import { SocketChannel } from './socket-channel.js';
import { ffmpegStarts, type StartPriority } from './start-gate.js';
import type { SnapshotEncoder } from './snapshot-encoder.js';

/** One socket read of detection frames (a 320×180 frame is 86 KB). */
const DETECTION_READ_BYTES = 128 * 1024;
/** What ffmpeg's decoders print when data was lost or damaged (concealment follows). */
const DECODE_DAMAGE = /error while decoding|concealing \d+ .*errors|corrupt|missing picture|Invalid NAL|co located POCs unavailable|mmco|left block unavailable|top block unavailable|out of range intra chroma pred|cabac decode .* failed|negative number of zero coeffs|Reference \d+ >=/i;

export interface AnalysisRunOptions {
  camera: CameraConfig;
  motion: MotionConfig;
  stream: StreamConfig;
  settings: CameraMotionSettings;
  ffmpegMajor: number;
  mode: AnalysisMode;
  fps: number;
  /** Escalations start ahead of routine (re)starts at the service-wide start gate. */
  priority?: StartPriority;
  privacyMaskFile: string | null;
  /** Turns the frame an event asks for into its JPEGs (one encoder for the whole service). */
  snapshotEncoder: SnapshotEncoder;
  logger: Logger;
  now: () => number;
}

export interface AnalysisRunEvents {
  /** A frame (lent: valid only during the call) and the detector's verdict on it; `seq` numbers it (1-based) within this run. */
  frame: [verdict: FrameVerdict, frame: Buffer, seq: number, at: number];
  /** The decoder reported damaged data (the detector already skips the frames it affects). */
  damage: [line: string];
  exit: [exit: FfmpegExit];
}

export interface EpisodeImages {
  snapshot: Buffer | null;
  thumbnail: Buffer | null;
}

export class AnalysisRun extends EventEmitter<AnalysisRunEvents> {
  readonly mode: AnalysisMode;
  readonly fps: number;
  readonly detector: MotionDetector;
  /** When ffmpeg was spawned (construction time until then: see `spawned`). */
  startedAt: number;
  /** Past the start gate (start-gate.ts), ffmpeg spawned: watchdogs count from here. */
  spawned = false;
  frames = 0;
  /** Frames counted but not analysed: a patrol run slowed in Node under overload (setAnalysisFps). */
  decimated = 0;
  lastFrameAt: number | null = null;
  /** Which frames a slowed patrol run analyses (setAnalysisFps); every one otherwise. */
  readonly #thinning = new FrameThinning();
  #analysisFps: number;
  readonly #o: AnalysisRunOptions;
  /** The analysed frames at snapshot size, raw: the one an event wants is encoded then. */
  readonly #images: RawFrameChannel;
  /** The detection frames: ffmpeg listens, Node reads them into a shared buffer (socket-channel.ts); none are kept. */
  readonly #detection: SocketChannel<never>;
  #proc: FfmpegProcess | null = null;
  #starting: Promise<void> | null = null;
  #stopped: Promise<void> | null = null;
  #exited = false;
  #inGate = false;
  #release: (() => void) | null = null;

  constructor(o: AnalysisRunOptions) {
    super();
    this.#o = o;
    this.mode = o.mode;
    this.fps = o.fps;
    this.#analysisFps = o.fps;
    this.startedAt = o.now();
    this.detector = createDetector(o.motion, o.settings, o.mode);
    this.#images = new RawFrameChannel(o.mode === 'patrol' ? 1 : 2);
    const splitter = new FixedFrameSplitter(this.detector.frameSize);
    // The frame is lent: everything that looks at it (detector, picture health) does so synchronously.
    const frames = { push: (chunk: Buffer): never[] => (splitter.push(chunk, (frame) => this.#onFrame(frame)), []) };
    this.#detection = new SocketChannel<never>('det.sock', 0, () => frames, { ffmpegListensReadBytes: DETECTION_READ_BYTES });
  }

  /** The rate frames are analysed at: ffmpeg's rate (`fps`), or lower when slowed in Node. */
  get analysisFps(): number {
    return this.#analysisFps;
  }

  /**
   * Slows analysis without a new ffmpeg: frames still arrive (and keep their `seq`, so the images of
   * an analysed frame stay findable) but only that many a second are analysed, on average (frame-thinning.ts).
   * Used for patrol under overload, where the decoder works at the keyframe rate whatever the rate
   * asked for, so a respawned ffmpeg at a lower rate would save little and cost a restart.
   */
  setAnalysisFps(fps: number): void {
    this.#analysisFps = Math.min(fps, this.fps);
    this.#thinning.setRate(fps >= this.fps ? Number.POSITIVE_INFINITY : fps);
  }

  get pid(): number | null {
    return this.#proc?.pid ?? null;
  }

  /** Never rejects: a run that cannot start (its sockets) ends with an `exit` like a failed ffmpeg. */
  start(): Promise<void> {
    this.#starting ??= this.#start().catch((err: unknown) => {
      this.#o.logger.error({ err }, 'could not start ffmpeg');
      this.#exit({ code: null, signal: null, stderrTail: [(err as Error).message] });
    });
    return this.#starting;
  }

  async #start(): Promise<void> {
    await this.#images.start();
    await this.#detection.start();
    if (this.#stopped) return;
    this.#inGate = true;
    const release = await ffmpegStarts.acquire(this.#o.priority);
    this.#inGate = false;
    if (this.#stopped) return release();
    this.#release = release;
    this.startedAt = this.#o.now();
    this.spawned = true;
    const { motion: m, stream: s } = this.#o;
    const spec = buildAnalysisSpec({
      rtspUrl: this.#o.camera.rtspUrl, fps: this.fps, width: m.width, height: m.height,
      rtspTimeoutSec: s.rtspTimeoutSec, ffmpegMajor: this.#o.ffmpegMajor,
      snapshotWidth: s.snapshotWidth, imageTarget: this.#images.target, imageTargetListens: this.#images.ffmpegListens, detectionTarget: this.#detection.target,
      privacyMaskFile: this.#o.privacyMaskFile, keyframesOnly: this.mode === 'patrol',
    });
    // Below the service in priority: on a saturated box the decoders fall behind (their input
    // buffers), not the event loop that raises the alerts (stalled 1 s at 190 cameras here before).
    const proc = new FfmpegProcess(spec, s.ffmpegPath, s.ffmpegNice);
    this.#proc = proc;
    proc.on('stderr', (line) => this.#onStderr(line));
    proc.on('exit', (exit) => this.#exit(exit));
    this.#o.logger.debug({ command: describeSpec(spec), analysis: this.mode, fps: this.fps }, 'starting ffmpeg');
    proc.start();
  }

  /** Stops ffmpeg (q → SIGTERM → SIGKILL) and closes the channels; images already received stay readable. */
  stop(): Promise<void> {
    this.#stopped ??= (async () => {
      // A run still waiting for the gate has nothing to stop (it gives its turn back when it comes).
      if (!this.#inGate) await this.#starting;
      if (this.#proc) await this.#proc.stop();
      else this.#exit({ code: null, signal: null, stderrTail: ['stopped before ffmpeg started'] });
      await this.#images.close();
      await this.#detection.close();
    })();
    return this.#stopped;
  }

  /** The JPEGs of frame `seq` of this run (or the latest ones), waiting up to `waitMs` for them. */
  async images(seq: number, waitMs: number): Promise<EpisodeImages> {
    const frame = await this.#images.frameFor(seq, waitMs);
    return frame ? this.#o.snapshotEncoder.encode(frame) : { snapshot: null, thumbnail: null };
  }

  #exit(exit: FfmpegExit): void {
    this.#release?.();
    if (this.#exited) return;
    this.#exited = true;
    this.emit('exit', exit);
  }

  #onFrame(frame: Buffer): void {
    const at = this.#o.now();
    this.frames++;
    this.lastFrameAt = at;
    if (this.frames === 1) this.#release?.();
    if (!this.#thinning.admit(at)) this.decimated++;
    // An event on this frame asks for its picture while the verdict is handed on, synchronously.
    else this.emit('frame', this.detector.analyse(frame), frame, this.frames, at);
    this.#images.judged(this.frames);
  }

  #onStderr(line: string): void {
    // ffmpeg's chatter matters until the stream is up; after that only decoder damage (frames after
    // it are not compared) and its final words (on exit).
    if (this.frames === 0) this.#o.logger.warn({ ffmpeg: line, analysis: this.mode }, 'ffmpeg reported a problem');
    else if (DECODE_DAMAGE.test(line)) {
      this.detector.noteDamage();
      this.emit('damage', line);
    }
  }
}
