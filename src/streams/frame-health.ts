// Camera health from the picture itself: `frozen` (the picture stopped changing: a hung encoder, a
// replayed still) and `covered` (it suddenly became uniform: a hand, tape, paint, the lens turned to a
// wall). Pure: fed every analysis frame (its luma plane comes first) with its arrival time; reports
// only changes of state.
//
// Measured on the RTSP simulator (320×180): a live picture with faint sensor noise changes 15–40 % of
// its pixels by more than 2 grey levels from frame to frame, while a frozen picture re-encoded by
// x264 stays within 2 levels of its first frame on all but ~0.1 % (its mean difference, ~0.5, is too
// close to live noise's ~1.5 to tell them apart, hence a count of changed pixels, not a mean).

export type PictureCondition = 'frozen' | 'covered';

export interface PictureHealthChange {
  condition: PictureCondition;
  active: boolean;
  /** When the condition began (the first still or uniform frame), or when normal frames returned. */
  at: number;
}

export interface FrameHealthOptions {
  width: number;
  height: number;
  frozenAfterMs: number;
  coveredAfterMs: number;
}

/** A pixel this many grey levels from the reference is unchanged (re-encoding moves a frozen picture by 1–3). */
const STILL_DELTA = 2;
/** A frame with at most this share of changed pixels shows the same picture. */
const STILL_MAX_CHANGED = 0.01;
/** A frozen picture clears at this many changes of picture: one odd frame (a keyframe re-encoded: two changes, in and out) does not. */
const FROZEN_CLEAR_CHANGES = 3;
/** Mean grey-level step between neighbouring 8×8 blocks below which a frame shows nothing (noise averages out in a block). */
const UNIFORM_DETAIL = 2;
/** Covered clears only above this (hysteresis), after CLEAR_MS of such frames. */
const CLEAR_DETAIL = 3;
/** "Sudden": a frame with at least this detail came at most SUDDEN_MS before the uniform run began. */
const TEXTURED_DETAIL = 4;
const SUDDEN_MS = 2000;
const CLEAR_MS = 1000;
/** Frames further apart than this (ffmpeg restarted, the camera was away) start every run afresh. */
const MAX_GAP_MS = 5000;
/** Pixels compared: every 2nd of every 2nd row. */
const STEP = 2;
/** Blocks of BLOCK×BLOCK samples (8×8 pixels at STEP 2) for the detail measure. */
const BLOCK = 4;

export class FrameHealth {
  readonly #o: FrameHealthOptions;
  readonly #cols: number;
  readonly #rows: number;
  readonly #samples: Uint8Array;
  /** Per block of BLOCK×BLOCK samples: the sum of its samples (filled by #sample). */
  readonly #blocks: Int32Array;
  /** The first frame of the current still run (its samples), when there is one: reused, every frame in motion starts a run. */
  readonly #anchor: Uint8Array;
  #hasAnchor = false;
  #stillSince = 0;
  #frozen = false;
  #changesWhileFrozen = 0;
  #covered = false;
  #uniformSince: number | null = null;
  #lastTexturedAt: number | null = null;
  #clearSince: number | null = null;
  #lastAt: number | null = null;

  constructor(o: FrameHealthOptions) {
    this.#o = o;
    this.#cols = Math.floor(o.width / STEP);
    this.#rows = Math.floor(o.height / STEP);
    this.#samples = new Uint8Array(this.#cols * this.#rows);
    this.#blocks = new Int32Array(Math.floor(this.#cols / BLOCK) * Math.floor(this.#rows / BLOCK));
    this.#anchor = new Uint8Array(this.#samples.length);
  }

  get frozen(): boolean {
    return this.#frozen;
  }

  get covered(): boolean {
    return this.#covered;
  }

  /** `frame` starts with the luma plane (width×height bytes); the rest is ignored. */
  update(frame: Uint8Array, at: number): PictureHealthChange[] {
    if (frame.length < this.#o.width * this.#o.height) throw new RangeError(`frame has ${frame.length} bytes, expected at least ${this.#o.width * this.#o.height}`);
    if (this.#lastAt !== null && at - this.#lastAt > MAX_GAP_MS) this.#restartRuns();
    this.#lastAt = at;
    const changedShare = this.#sample(frame);
    const detail = this.#detail();
    const changes: PictureHealthChange[] = [];
    const frozen = this.#checkFrozen(detail < UNIFORM_DETAIL, changedShare, at);
    if (frozen !== null) changes.push(frozen);
    const covered = this.#checkCovered(detail, at);
    if (covered !== null) changes.push(covered);
    return changes;
  }

  #restartRuns(): void {
    this.#hasAnchor = false;
    this.#uniformSince = null;
    this.#clearSince = null;
  }

  /**
   * One pass over the sampled pixels (every analysed frame of every camera comes through here): keeps
   * them, sums them per block for the detail measure, and returns the share more than STILL_DELTA
   * from the anchor (meaningful only while there is one). Three passes cost about twice as much.
   */
  #sample(frame: Uint8Array): number {
    const width = this.#o.width;
    const cols = this.#cols;
    const rows = this.#rows;
    const samples = this.#samples;
    const anchor = this.#anchor;
    const sums = this.#blocks;
    const bw = Math.floor(cols / BLOCK);
    const blockRows = Math.floor(rows / BLOCK) * BLOCK;
    const blockCols = bw * BLOCK;
    sums.fill(0);
    let changed = 0;
    for (let r = 0; r < rows; r++) {
      const src = r * STEP * width;
      const dst = r * cols;
      const inBlocks = r < blockRows;
      const blockRow = Math.floor(r / BLOCK) * bw;
      for (let c = 0; c < cols; c++) {
        const v = frame[src + c * STEP] as number;
        samples[dst + c] = v;
        const d = v - (anchor[dst + c] as number);
        if (d > STILL_DELTA || d < -STILL_DELTA) changed++;
        if (inBlocks && c < blockCols) {
          const b = blockRow + Math.floor(c / BLOCK);
          sums[b] = (sums[b] as number) + v;
        }
      }
    }
    return changed / samples.length;
  }

  /**
   * The picture is compared with the first frame of the current still run (not the previous frame),
   * so a slow drift (dusk, an encoder refining a still picture) cannot add up unnoticed.
   */
  #checkFrozen(uniform: boolean, changedShare: number, at: number): PictureHealthChange | null {
    // A uniform picture (covered, lights out) has nothing to freeze: it is no still run, and it is not the frozen picture.
    const same = !uniform && this.#hasAnchor && changedShare <= STILL_MAX_CHANGED;
    if (!same) {
      this.#hasAnchor = !uniform;
      if (!uniform) this.#anchor.set(this.#samples);
      this.#stillSince = at;
      if (this.#frozen && ++this.#changesWhileFrozen >= FROZEN_CLEAR_CHANGES) {
        this.#frozen = false;
        return { condition: 'frozen', active: false, at };
      }
      return null;
    }
    if (at - this.#stillSince < this.#o.frozenAfterMs) return null;
    // Still again for the whole time: earlier odd frames do not count towards clearing.
    this.#changesWhileFrozen = 0;
    if (this.#frozen) return null;
    this.#frozen = true;
    return { condition: 'frozen', active: true, at: this.#stillSince };
  }

  #checkCovered(detail: number, at: number): PictureHealthChange | null {
    if (detail >= TEXTURED_DETAIL) this.#lastTexturedAt = at;
    if (this.#covered) return this.#checkUncovered(detail, at);
    if (detail >= UNIFORM_DETAIL) {
      this.#uniformSince = null;
      return null;
    }
    // Only a picture that was textured moments ago counts: a camera that always sees darkness, or
    // a scene fading into the night, is not covered.
    if (this.#uniformSince === null) {
      const sudden = this.#lastTexturedAt !== null && at - this.#lastTexturedAt <= SUDDEN_MS;
      if (!sudden) return null;
      this.#uniformSince = at;
    }
    if (at - this.#uniformSince < this.#o.coveredAfterMs) return null;
    this.#covered = true;
    this.#clearSince = null;
    return { condition: 'covered', active: true, at: this.#uniformSince };
  }

  #checkUncovered(detail: number, at: number): PictureHealthChange | null {
    if (detail < CLEAR_DETAIL) {
      this.#clearSince = null;
      return null;
    }
    this.#clearSince ??= at;
    if (at - this.#clearSince < CLEAR_MS) return null;
    this.#covered = false;
    this.#uniformSince = null;
    return { condition: 'covered', active: false, at: this.#clearSince };
  }

  /** Mean absolute step between neighbouring block means: edges and texture, not noise or smooth gradients. */
  #detail(): number {
    const bw = Math.floor(this.#cols / BLOCK);
    const bh = Math.floor(this.#rows / BLOCK);
    if (bw < 2 || bh < 2) return TEXTURED_DETAIL;
    // #blocks holds the block sums (#sample): the steps between sums, scaled to means at the end.
    const sums = this.#blocks;
    let sum = 0;
    for (let by = 0; by < bh; by++) {
      for (let bx = 0; bx < bw; bx++) {
        const v = sums[by * bw + bx] as number;
        if (bx + 1 < bw) sum += Math.abs(v - (sums[by * bw + bx + 1] as number));
        if (by + 1 < bh) sum += Math.abs(v - (sums[(by + 1) * bw + bx] as number));
      }
    }
    // Neighbouring pairs: (bw − 1)·bh side by side, bw·(bh − 1) one above the other.
    return sum / (BLOCK * BLOCK) / ((bw - 1) * bh + bw * (bh - 1));
  }
}
