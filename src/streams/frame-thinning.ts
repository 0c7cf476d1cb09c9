// Which arriving frames a slowed patrol run analyses (overload: a lower analysis rate in Node, same
// ffmpeg). Pure: the caller passes arrival times.
//
// A token bucket, not a minimum gap: frames reach Node with jitter (a loaded box delivers a camera's
// keyframes 1.7 s, then 2.3 s apart), and a gap rule at 0.9 of the interval threw away every early
// one — at half rate on a 2 s GOP it dropped most keyframes instead of none, and with them the ones
// that showed a person. Here the average is held and a frame may come up to half an interval early.

/** Credit (in frames) that may build up while frames are late, so an early one still passes. */
const BURST = 1.5;
/** A frame passes with at least this much credit, and spends one (so credit may dip below zero). */
const PASS_AT = 0.5;

export class FrameThinning {
  #rate = Number.POSITIVE_INFINITY;
  #credit = BURST;
  #lastAt: number | null = null;

  /** Frames per second to analyse at most; Infinity: every frame. */
  setRate(fps: number): void {
    this.#rate = fps;
  }

  /** True when the frame arriving at `at` (ms) is to be analysed. */
  admit(at: number): boolean {
    if (this.#rate === Number.POSITIVE_INFINITY) return true;
    if (this.#lastAt !== null) this.#credit = Math.min(BURST, this.#credit + ((at - this.#lastAt) / 1000) * this.#rate);
    this.#lastAt = at;
    if (this.#credit < PASS_AT) return false;
    this.#credit -= 1;
    return true;
  }
}
