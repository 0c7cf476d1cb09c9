// A camera's analysis runs and the swaps between them: patrol ⇄ full (analysis-mode.ts decides) and
// rate changes under overload (overload-policy.ts). Make-before-break: the new ffmpeg starts while
// the old one keeps watching, and takes over only once its detector gives real verdicts (RTSP setup,
// a keyframe and the warm-up take a few seconds); until then the old run's frames still count, so an
// onset seen on a patrol keyframe is never lost to the swap.

import type { Logger } from '../logger.js';
import type { FrameVerdict } from '../motion/motion-detector.js';
import { AnalysisModePolicy, type AnalysisMode, type ModeChange } from './analysis-mode.js';
import { AnalysisRun, type AnalysisRunOptions } from './analysis-run.js';
import type { FfmpegExit } from './ffmpeg-process.js';
import { analysisFps, escalationHeld } from './overload-policy.js';
import type { StartPriority } from './start-gate.js';

export interface AnalysisSwitchOptions {
  base: AnalysisMode;
  patrolFps: number;
  fullFps: number;
  quietMs: number;
  swapTimeoutMs: number;
  /**
   * Patrol keyframes raise alerts themselves (`analysis.alertOnPatrol`): only then may the top overload
   * level hold an escalation back (escalationHeld); otherwise full decoding is the only way to an alert.
   */
  mayHoldEscalation: boolean;
  /** Everything a run needs but its mode and rate. */
  run: Omit<AnalysisRunOptions, 'mode' | 'fps'>;
  logger: Logger;
  now: () => number;
  onFrame: (run: AnalysisRun, verdict: FrameVerdict, frame: Buffer, seq: number, at: number) => void;
  onDamage: (line: string) => void;
  /** The active run's ffmpeg exited (not one that was swapped out or abandoned). */
  onExit: (run: AnalysisRun, exit: FfmpegExit) => void;
}

export interface AnalysisStats {
  /** What the running ffmpeg decodes (null while none runs); `wanted` is the policy's choice. */
  mode: AnalysisMode | null;
  wanted: AnalysisMode;
  fps: number | null;
  /** Frames the active run received but did not analyse (patrol slowed under overload). */
  decimated: number;
  swapping: boolean;
  escalations: number;
  swaps: number;
  failedSwaps: number;
  patrolSec: number;
  fullSec: number;
}

export class AnalysisSwitch {
  readonly #o: AnalysisSwitchOptions;
  readonly #policy: AnalysisModePolicy;
  readonly #retired = new Set<Promise<void>>();
  #active: AnalysisRun | null = null;
  #pending: AnalysisRun | null = null;
  #exited: AnalysisRun | null = null;
  #level = 0;
  /** An escalation the policy wants is held back by the overload level (#target). */
  #held = false;
  #holdUntil = 0;
  #since = 0;
  readonly #seconds = { patrol: 0, full: 0 };
  readonly #counts = { escalations: 0, swaps: 0, failedSwaps: 0 };

  constructor(o: AnalysisSwitchOptions) {
    this.#o = o;
    this.#policy = new AnalysisModePolicy({ base: o.base, quietMs: o.quietMs });
  }

  get active(): AnalysisRun | null {
    return this.#active;
  }

  /** Starts a run in the wanted mode as the active one (first start and restarts after an exit). */
  spawn(): void {
    const mode = this.#target();
    this.#setActive(this.#newRun(mode, this.#wantedFps(mode)));
  }

  /** After the active run's frame was handled: its verdict and whether an episode is open. */
  observe(verdict: FrameVerdict, episodeOpen: boolean, at: number): void {
    this.#policy.episodeOpen(episodeOpen, at);
    this.#changed(this.#policy.detectorMotion(verdict.motion, at));
  }

  cameraMotion(active: boolean, at: number): void {
    this.#changed(this.#policy.cameraMotion(active, at));
  }

  /** Once a second: relax after quiet, give up a swap that does not start. */
  tick(at: number): void {
    const p = this.#pending;
    // A slow rate (patrol, overload) needs longer for the warm-up frames before its first verdict.
    if (p && p.spawned && at - p.startedAt >= this.#o.swapTimeoutMs + 3000 / p.fps) {
      this.#o.logger.warn({ analysis: p.mode, frames: p.frames }, 'analysis swap gave no verdict in time; keeping the current run');
      this.#abandon(at);
    }
    this.#changed(this.#policy.tick(at));
  }

  setOverloadLevel(level: number): void {
    this.#level = level;
    this.#reconcile();
  }

  /**
   * Whether `level` would take a new ffmpeg: patrol changes its rate in place, full decoding respawns at
   * a new rate, and a held escalation starts once the level releases it.
   */
  levelRespawns(level: number): boolean {
    if (this.#active === null) return false;
    const mode = this.#target(level);
    return mode !== this.#target() || (mode === 'full' && this.#active.fps !== this.#wantedFps(mode, level));
  }

  /** Stops every run; resolves once their ffmpeg processes are gone. */
  async close(): Promise<void> {
    const runs = [this.#active, this.#pending];
    this.#account(this.#o.now());
    this.#active = null;
    this.#pending = null;
    await Promise.all([...runs.map((r) => r?.stop()), ...this.#retired]);
  }

  stats(at: number): AnalysisStats {
    this.#account(at);
    return {
      mode: this.#active?.mode ?? null, wanted: this.#policy.mode, fps: this.#active?.analysisFps ?? null, decimated: this.#active?.decimated ?? 0, swapping: this.#pending !== null,
      ...this.#counts, patrolSec: Math.round(this.#seconds.patrol), fullSec: Math.round(this.#seconds.full),
    };
  }

  /** The process ids of the runs (active and pending), for the benchmark and tests. */
  pids(): number[] {
    return [this.#active?.pid, this.#pending?.pid].filter((p): p is number => typeof p === 'number');
  }

  #changed(change: ModeChange | null): void {
    if (!change) return;
    if (change.mode === 'full') this.#counts.escalations++;
    this.#o.logger.info({ analysis: change.mode, reason: change.reason }, change.mode === 'full' ? 'escalating to full decoding' : 'back to keyframe patrol');
    this.#reconcile();
  }

  #wantedFps(mode: AnalysisMode, level = this.#level): number {
    return analysisFps(mode, level, { patrolFps: this.#o.patrolFps, fullFps: this.#o.fullFps });
  }

  /**
   * The mode to decode in: the policy's, except that a patrolling camera is not escalated at the top
   * overload level (escalationHeld); a camera already decoding in full keeps doing so (slowed).
   */
  #target(level = this.#level): AnalysisMode {
    const mode = this.#policy.mode;
    const held = mode === 'full' && this.#o.mayHoldEscalation && escalationHeld(level) && this.#active?.mode !== 'full';
    return held ? 'patrol' : mode;
  }

  #reconcile(): void {
    const mode = this.#target();
    const fps = this.#wantedFps(mode);
    if (mode !== this.#policy.mode && !this.#held) this.#o.logger.info({ level: this.#level }, 'escalation held while the box is overloaded; patrol keyframes still raise alerts');
    this.#held = mode !== this.#policy.mode;
    // Patrol changes rate in place (AnalysisRun.setAnalysisFps); full decoding respawns at the new rate,
    // which saves the JPEG encoding of the frames no longer taken.
    const matches = (r: AnalysisRun | null) => r !== null && r.mode === mode && (mode === 'patrol' || r.fps === fps);
    for (const r of [this.#active, this.#pending]) if (r?.mode === 'patrol' && mode === 'patrol') r.setAnalysisFps(fps);
    if (this.#pending && !matches(this.#pending)) this.#abandon(this.#o.now(), false);
    // No active run: the restart that follows spawns the wanted mode.
    if (!this.#active || matches(this.#active) || this.#pending) return;
    // After a failed swap an escalation still goes ahead; a rate change waits its turn.
    if (mode === this.#active.mode && this.#o.now() < this.#holdUntil) return;
    const next = this.#newRun(mode, fps, mode === 'full' ? 'urgent' : 'routine');
    this.#pending = next;
    next.on('frame', (verdict, frame, seq, at) => {
      if (this.#pending !== next || verdict.skipped === 'warmup') return;
      this.#promote(next);
      this.#o.onFrame(next, verdict, frame, seq, at);
    });
    next.on('exit', (exit) => {
      if (this.#pending !== next) return;
      this.#o.logger.warn({ analysis: next.mode, code: exit.code, stderr: exit.stderrTail.slice(-3) }, 'analysis swap: new ffmpeg exited');
      this.#abandon(this.#o.now());
    });
  }

  #promote(next: AnalysisRun): void {
    const old = this.#active;
    this.#pending = null;
    this.#counts.swaps++;
    this.#o.logger.info({ analysis: next.mode, fps: next.fps, from: old?.mode }, 'analysis swapped');
    this.#setActive(next);
    if (old) this.#retire(old);
  }

  #abandon(at: number, failed = true): void {
    const p = this.#pending;
    if (!p) return;
    this.#pending = null;
    if (failed) {
      this.#counts.failedSwaps++;
      this.#holdUntil = at + this.#o.swapTimeoutMs;
    }
    this.#retire(p);
  }

  #retire(run: AnalysisRun): void {
    const done = run.stop().finally(() => this.#retired.delete(done));
    this.#retired.add(done);
  }

  #newRun(mode = this.#policy.mode, fps = this.#wantedFps(mode), priority: StartPriority = 'routine'): AnalysisRun {
    // A patrol ffmpeg always runs at the normal patrol rate; overload slows it in Node.
    const run = new AnalysisRun({ ...this.#o.run, mode, fps: mode === 'patrol' ? this.#o.patrolFps : fps, priority });
    if (mode === 'patrol') run.setAnalysisFps(fps);
    run.on('damage', (line) => {
      if (this.#active === run) this.#o.onDamage(line);
    });
    void run.start();
    return run;
  }

  #setActive(run: AnalysisRun): void {
    this.#account(this.#o.now());
    this.#active = run;
    run.on('frame', (verdict, frame, seq, at) => {
      // ffmpeg's last frames can be read after its exit was seen: they still count until a new run is up.
      if (this.#active === run || (this.#active === null && this.#exited === run)) this.#o.onFrame(run, verdict, frame, seq, at);
    });
    run.on('exit', (exit) => {
      if (this.#active !== run) return;
      this.#account(this.#o.now());
      this.#active = null;
      this.#exited = run;
      this.#abandon(this.#o.now(), false);
      // Its process is gone; this closes its JPEG channels.
      this.#retire(run);
      this.#o.onExit(run, exit);
    });
  }

  /** Adds the time since the last call to the active run's mode. */
  #account(at: number): void {
    if (this.#active && this.#since > 0) this.#seconds[this.#active.mode] += (at - this.#since) / 1000;
    this.#since = at;
  }
}
