// Pure frame-difference motion detector on small grayscale frames.
// No I/O, no clocks: a frame in, a verdict out, so it can be tested on synthetic pixels.

export interface MotionDetectorOptions {
  width: number;
  height: number;
  /** Grey levels above the measured noise a pixel must differ from the background. */
  pixelThreshold: number;
  /** Fraction of the frame that must change to call it motion. */
  minAreaRatio: number;
  /** Background learning rate per frame (0..1). */
  backgroundAlpha?: number;
  /** Frames used to learn the background before any verdict. */
  warmupFrames?: number;
  /** A change over this fraction of the frame is a lighting change: re-baseline, do not alert. */
  globalChangeRatio?: number;
}

export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface FrameVerdict {
  motion: boolean;
  /** Fraction of pixels that changed (0..1). */
  score: number;
  box: Box | null;
  /** Why no verdict was reached, when motion is false for a reason other than a quiet scene. */
  skipped?: 'warmup' | 'rebaseline';
}

export class MotionDetector {
  readonly #o: Required<MotionDetectorOptions>;
  readonly #size: number;
  #background: Float32Array | null = null;
  #frames = 0;
  /** Running estimate of the mean absolute difference of a quiet scene (sensor noise). */
  #noise = 0;

  constructor(options: MotionDetectorOptions) {
    this.#o = { backgroundAlpha: 0.05, warmupFrames: 3, globalChangeRatio: 0.6, ...options };
    this.#size = options.width * options.height;
  }

  get frameSize(): number {
    return this.#size;
  }

  analyse(frame: Uint8Array): FrameVerdict {
    if (frame.length !== this.#size) {
      throw new RangeError(`frame has ${frame.length} bytes, expected ${this.#size}`);
    }
    this.#frames++;
    if (this.#background === null) {
      this.#background = Float32Array.from(frame);
      return { motion: false, score: 0, box: null, skipped: 'warmup' };
    }
    const verdict = this.#compare(frame, this.#background);
    if (verdict.score >= this.#o.globalChangeRatio) {
      this.#background.set(frame);
      return { motion: false, score: verdict.score, box: null, skipped: 'rebaseline' };
    }
    this.#learn(frame, this.#background, verdict.motion);
    if (this.#frames <= this.#o.warmupFrames) return { motion: false, score: 0, box: null, skipped: 'warmup' };
    return verdict;
  }

  #compare(frame: Uint8Array, bg: Float32Array): FrameVerdict & { meanDiff: number } {
    const { width, pixelThreshold, minAreaRatio } = this.#o;
    // Pixels must beat both the fixed threshold and three times the scene's noise.
    const threshold = pixelThreshold + 3 * this.#noise;
    let changed = 0;
    let sumDiff = 0;
    let minX = width;
    let minY = Number.MAX_SAFE_INTEGER;
    let maxX = -1;
    let maxY = -1;
    for (let i = 0; i < this.#size; i++) {
      const d = Math.abs((frame[i] as number) - (bg[i] as number));
      sumDiff += d;
      if (d > threshold) {
        changed++;
        const x = i % width;
        const y = (i - x) / width;
        if (x < minX) minX = x;
        if (x > maxX) maxX = x;
        if (y < minY) minY = y;
        maxY = y;
      }
    }
    const score = changed / this.#size;
    const motion = score >= minAreaRatio;
    const box = changed > 0 ? { x: minX, y: minY, w: maxX - minX + 1, h: maxY - minY + 1 } : null;
    return { motion, score, box, meanDiff: sumDiff / this.#size };
  }

  #learn(frame: Uint8Array, bg: Float32Array, moving: boolean): void {
    const a = this.#o.backgroundAlpha;
    let sumDiff = 0;
    for (let i = 0; i < this.#size; i++) {
      const f = frame[i] as number;
      const b = bg[i] as number;
      sumDiff += Math.abs(f - b);
      bg[i] = b + a * (f - b);
    }
    // Noise is learned only from quiet frames, so a walking person does not raise the bar for itself.
    if (!moving) {
      const mean = sumDiff / this.#size;
      this.#noise = this.#noise === 0 ? mean : this.#noise * 0.95 + mean * 0.05;
    }
  }
}
