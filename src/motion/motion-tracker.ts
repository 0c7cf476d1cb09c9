// Turns per-frame verdicts into motion episodes with a start and an end.
// Pure: the caller passes the frame time, so tests drive it with synthetic clocks.

import type { Box, FrameVerdict } from './motion-detector.js';

export interface MotionTrackerOptions {
  /** Consecutive motion frames needed to open an episode (minimum duration; drops one-frame glitches). */
  minFrames: number;
  /** Quiet time that closes an episode. */
  endAfterMs: number;
  /** Hard cap on an episode's length: motion that never stops is closed anyway. */
  maxEpisodeMs: number;
  /** An open episode reports again (a better snapshot) when its score grows by this factor... */
  updateScoreFactor?: number;
  /** ...at most this often. */
  updateMinIntervalMs?: number;
}

export type EpisodeEvent =
  | { kind: 'start'; startedAt: number; score: number; box: Box | null }
  | { kind: 'update'; at: number; score: number; box: Box | null }
  | { kind: 'end'; startedAt: number; endedAt: number; score: number; box: Box | null; forced: boolean };

type State =
  | { name: 'idle'; streak: number; firstAt: number }
  | { name: 'active'; startedAt: number; lastMotionAt: number; score: number; box: Box | null; reportedScore: number; reportedAt: number }
  /** After a forced end, wait for a quiet frame before a new episode may open. */
  | { name: 'saturated' };

export class MotionTracker {
  readonly #o: MotionTrackerOptions;
  #state: State = { name: 'idle', streak: 0, firstAt: 0 };

  constructor(options: MotionTrackerOptions) {
    this.#o = options;
  }

  get active(): boolean {
    return this.#state.name === 'active';
  }

  update(verdict: FrameVerdict, at: number): EpisodeEvent | null {
    const s = this.#state;
    switch (s.name) {
      case 'idle':
        return this.#onIdle(s, verdict, at);
      case 'active':
        return this.#onActive(s, verdict, at);
      case 'saturated':
        if (!verdict.motion) this.#state = { name: 'idle', streak: 0, firstAt: 0 };
        return null;
    }
  }

  /** Closes an open episode now (camera stopped, service shutting down). */
  flush(at: number): EpisodeEvent | null {
    const s = this.#state;
    this.#state = { name: 'idle', streak: 0, firstAt: 0 };
    if (s.name !== 'active') return null;
    return { kind: 'end', startedAt: s.startedAt, endedAt: Math.min(at, s.lastMotionAt), score: s.score, box: s.box, forced: true };
  }

  #onIdle(s: Extract<State, { name: 'idle' }>, v: FrameVerdict, at: number): EpisodeEvent | null {
    if (!v.motion) {
      s.streak = 0;
      return null;
    }
    if (s.streak === 0) s.firstAt = at;
    s.streak++;
    if (s.streak < this.#o.minFrames) return null;
    this.#state = { name: 'active', startedAt: s.firstAt, lastMotionAt: at, score: v.score, box: v.box, reportedScore: v.score, reportedAt: at };
    return { kind: 'start', startedAt: s.firstAt, score: v.score, box: v.box };
  }

  #onActive(s: Extract<State, { name: 'active' }>, v: FrameVerdict, at: number): EpisodeEvent | null {
    if (v.motion) {
      s.lastMotionAt = at;
      if (v.score > s.score) {
        s.score = v.score;
        s.box = v.box;
      }
    }
    const quietFor = at - s.lastMotionAt;
    const forced = at - s.startedAt >= this.#o.maxEpisodeMs;
    if (quietFor < this.#o.endAfterMs && !forced) return this.#maybeUpdate(s, at);
    this.#state = forced && v.motion ? { name: 'saturated' } : { name: 'idle', streak: 0, firstAt: 0 };
    return { kind: 'end', startedAt: s.startedAt, endedAt: s.lastMotionAt, score: s.score, box: s.box, forced };
  }

  #maybeUpdate(s: Extract<State, { name: 'active' }>, at: number): EpisodeEvent | null {
    const factor = this.#o.updateScoreFactor ?? Infinity;
    const interval = this.#o.updateMinIntervalMs ?? 0;
    if (s.lastMotionAt !== at || s.score < s.reportedScore * factor || at - s.reportedAt < interval) return null;
    s.reportedScore = s.score;
    s.reportedAt = at;
    return { kind: 'update', at, score: s.score, box: s.box };
  }
}
