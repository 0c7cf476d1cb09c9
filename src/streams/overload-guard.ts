// Samples the load now and then, lets the overload policy decide a level, and applies it to the
// cameras. Transitions are logged; the state is shown on /readyz and in the camera stats.

import type { Logger } from '../logger.js';
import { LoadSampler } from './load-sampler.js';
import { MAX_OVERLOAD_LEVEL, OverloadPolicy, type LoadSample, type OverloadThresholds } from './overload-policy.js';

export interface OverloadTarget {
  setOverloadLevel(level: number): void;
  /** The previous level is still being applied: its effect cannot be judged yet. */
  readonly applyingLevel?: boolean;
  /**
   * Streams are coming up in a wave (starts queue at the start gate): their RTSP set-up and probing load the
   * box for a while and pass by themselves, and no analysis rate changes them. Judged as overload, a
   * start of 120 cameras drove the level to its maximum, which then took minutes to come back down.
   */
  readonly startWave?: boolean;
}

/** Where the guard's samples come from (a LoadSampler; tests give their own). */
export type LoadSource = Pick<LoadSampler, 'start' | 'sample' | 'close'>;

export interface OverloadState {
  level: number;
  maxLevel: number;
  /** When the level last changed (ISO), and why. */
  since: string | null;
  reason: string | null;
  last: LoadSample | null;
  /** Level changes since start (each one logged). */
  transitions: number;
}

/**
 * A wave of starts longer than this is no wave: the box cannot bring its cameras up (at 190 cameras on a
 * saturated box, 30 of them were still queueing after minutes), and a guard that kept waiting for it to
 * pass would never act on the overload that keeps it going.
 */
const WAVE_GRACE_SEC = 60;

export class OverloadGuard {
  readonly #policy: OverloadPolicy;
  readonly #sampler: LoadSource;
  readonly #target: OverloadTarget;
  readonly #log: Logger;
  readonly #sampleMs: number;
  readonly #waveGraceMs: number;
  /** When the current wave of starts began (null: none). */
  #waveSince: number | null = null;
  #timer: NodeJS.Timeout | null = null;
  #state: OverloadState = { level: 0, maxLevel: MAX_OVERLOAD_LEVEL, since: null, reason: null, last: null, transitions: 0 };

  constructor(o: OverloadThresholds & { sampleSec: number; waveGraceSec?: number }, target: OverloadTarget, logger: Logger, sampler: LoadSource = new LoadSampler()) {
    this.#sampler = sampler;
    this.#policy = new OverloadPolicy(o);
    this.#sampleMs = o.sampleSec * 1000;
    this.#waveGraceMs = (o.waveGraceSec ?? WAVE_GRACE_SEC) * 1000;
    this.#target = target;
    this.#log = logger.child({ component: 'overload' });
  }

  start(): void {
    this.#sampler.start();
    this.#timer = setInterval(() => this.#tick(), this.#sampleMs);
    this.#timer.unref();
  }

  state(): OverloadState {
    return { ...this.#state };
  }

  close(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#sampler.close();
  }

  #tick(): void {
    const sample = this.#sampler.sample();
    this.#state.last = sample;
    // Judge a level only once every camera runs at it, and not during a wave of starts (for a while).
    const now = Date.now();
    if (this.#target.startWave !== true) this.#waveSince = null;
    else this.#waveSince ??= now;
    const inWave = this.#waveSince !== null && now - this.#waveSince < this.#waveGraceMs;
    if (this.#target.applyingLevel === true || inWave) return;
    const change = this.#policy.observe(sample);
    if (!change) return;
    this.#state = { ...this.#state, level: change.level, since: new Date().toISOString(), reason: change.why, transitions: this.#state.transitions + 1 };
    const log = change.level > change.from ? this.#log.warn.bind(this.#log) : this.#log.info.bind(this.#log);
    log({ level: change.level, from: change.from, why: change.why },
      change.level > change.from ? 'box overloaded: lowering the analysis rate (patrol cameras first)' : 'load eased: raising the analysis rate again');
    this.#target.setOverloadLevel(change.level);
  }
}
