// How far the service steps its analysis down when the box cannot keep up, and back. Pure: the
// caller samples the load (load-sampler.ts) and applies the level (overload-guard.ts).
//
// The steps lower the analysis rate of patrol cameras first (they watch quiet scenes), then of
// full ones (they are following something); the last one also holds escalations (escalationHeld).
// Nothing is dropped silently: frames left out are counted, alerts still start from patrol
// keyframes, and each step is logged and shown on /readyz.

import type { AnalysisMode } from './analysis-mode.js';

export interface OverloadThresholds {
  /** Event-loop delay (p99 over a sample) above which Node is behind with the frames. */
  loopDelayMs: number;
  /** Share of the box's CPU time busy (0..1) above which ffmpeg processes fall behind. */
  cpuBusy: number;
  /** Consecutive overloaded samples before stepping down one level. */
  raiseAfter: number;
  /** Consecutive calm samples (both signals under 0.7 of their threshold) before stepping back up. */
  lowerAfter: number;
}

export interface LoadSample {
  loopDelayMs: number;
  /** null where the box's CPU cannot be read (not Linux). */
  cpuBusy: number | null;
}

/** Rate divisors per level: [patrol, full]. Level 0 is normal operation. */
const LEVELS: ReadonlyArray<readonly [number, number]> = [
  [1, 1],
  [2, 1],
  [4, 1],
  [4, 2],
  [4, 4],
];
export const MAX_OVERLOAD_LEVEL = LEVELS.length - 1;
/** Below this a full camera stops following a moving object at all. */
const MIN_FULL_FPS = 1;
const CALM = 0.7;

export interface OverloadChange {
  level: number;
  from: number;
  why: string;
}

export class OverloadPolicy {
  readonly #t: OverloadThresholds;
  #level = 0;
  #hot = 0;
  #calm = 0;

  constructor(thresholds: OverloadThresholds) {
    this.#t = thresholds;
  }

  get level(): number {
    return this.#level;
  }

  observe(s: LoadSample): OverloadChange | null {
    const t = this.#t;
    const hot = s.loopDelayMs > t.loopDelayMs || (s.cpuBusy !== null && s.cpuBusy > t.cpuBusy);
    const calm = s.loopDelayMs < t.loopDelayMs * CALM && (s.cpuBusy === null || s.cpuBusy < t.cpuBusy * CALM);
    this.#hot = hot ? this.#hot + 1 : 0;
    this.#calm = calm ? this.#calm + 1 : 0;
    const why = `loop delay ${Math.round(s.loopDelayMs)} ms, cpu ${s.cpuBusy === null ? 'n/a' : `${Math.round(s.cpuBusy * 100)}%`}`;
    if (this.#hot >= t.raiseAfter && this.#level < MAX_OVERLOAD_LEVEL) return this.#move(this.#level + 1, why);
    if (this.#calm >= t.lowerAfter && this.#level > 0) return this.#move(this.#level - 1, why);
    return null;
  }

  #move(level: number, why: string): OverloadChange {
    const from = this.#level;
    this.#level = level;
    this.#hot = 0;
    this.#calm = 0;
    return { level, from, why };
  }
}

/**
 * At the last level a patrolling camera is not escalated to full decoding (where patrol keyframes
 * raise the alerts themselves, `analysis.alertOnPatrol`): a full decoder costs about four patrol
 * ones, and on a box this far behind it falls behind the live picture before its first verdict
 * (bench:ingest at 190 cameras on 2 cores: 8 escalations started, none took over). The escalation
 * goes ahead once the level drops, if the camera still wants it.
 */
export function escalationHeld(level: number): boolean {
  return level >= MAX_OVERLOAD_LEVEL;
}

/** The analysis rate a camera in `mode` gets at overload `level`, from its normal rates. */
export function analysisFps(mode: AnalysisMode, level: number, normal: { patrolFps: number; fullFps: number }): number {
  const [patrolDiv, fullDiv] = LEVELS[Math.max(0, Math.min(MAX_OVERLOAD_LEVEL, level))]!;
  if (mode === 'patrol') return normal.patrolFps / patrolDiv;
  return Math.max(Math.min(MIN_FULL_FPS, normal.fullFps), normal.fullFps / fullDiv);
}
