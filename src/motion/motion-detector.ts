// Pure motion detector on small frames (grey, or yuv420p when colour is wanted for day/night).
// No I/O, no clocks: a frame in, a verdict out, so every rule is tested on synthetic pixels.
//
// Per pixel: |frame − background − exposure offset| against a per-cell threshold that adapts to
// the cell's own noise. Per cell (8×8 px): changed pixels that have changed neighbours both ways
// (rain streaks and speckle fall away) make a cell active. Cells that fire all the time (a tree,
// a web) are muted until they calm down. Active cells form blobs; the largest must cover the
// minimum area. A change over most of the frame (lights, IR switch, shake) re-baselines instead.

import { blobsNear, cellLayout, findBlobs, fringeOf, type Blob, type CellLayout } from './cell-grid.js';
import { createCompareKernel, type CompareKernel } from './compare-kernel.js';
import { colourfulness, frameShape, sampledBackgroundMean, sampledMean } from './frame-checks.js';
import type { MaskPolygon } from './masks.js';
import { sensitivityFactors } from './motion-settings.js';

export interface MotionDetectorOptions {
  width: number;
  height: number;
  /** Grey levels above a cell's measured noise that a pixel must differ from the background. */
  pixelThreshold: number;
  /** Fraction of the analysed area the largest moving blob must cover. */
  minAreaRatio: number;
  /** 1..10, default 5 (see motion-settings.ts). */
  sensitivity?: number;
  masks?: readonly MaskPolygon[];
  /** Frames carry yuv420p chroma after the luma plane (enables day/night detection). Default false. */
  chroma?: boolean;
  /** Frames learned before any verdict. */
  warmupFrames?: number;
  /** A change over this fraction of the analysed cells is lighting, not an intruder: re-baseline. */
  globalChangeRatio?: number;
  /** Frames after a re-baseline in which nothing is reported while exposure settles. */
  settleFrames?: number;
  /** Frames dropped after the decoder reported damage (artefacts last until the next keyframe). */
  damageHoldFrames?: number;
  cellSize?: number;
  /** Consecutive frames a blob must persist (each near the last) before it counts. Default 3. */
  persistFrames?: number;
  /** A cell's threshold is pixelThreshold + noiseFactor × its measured noise. */
  noiseFactor?: number;
  /** `js` forces the JavaScript comparison kernel (tests compare it with the WebAssembly one). */
  kernel?: 'auto' | 'js';
}

/** Normalised to the frame: 0..1. */
export interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

export type SkipReason = 'warmup' | 'rebaseline' | 'settling' | 'corrupt' | 'damaged';

export interface FrameVerdict {
  motion: boolean;
  /** The largest blob's changed pixels over the analysed pixels (0..1). */
  score: number;
  box: Box | null;
  /** Why no verdict was reached, when motion is false for a reason other than a quiet scene. */
  skipped?: SkipReason;
  /** The night profile (a grey, IR-lit picture) is in use. */
  night?: boolean;
}

const MUTE_ON = 0.2;
const MUTE_OFF = 0.05;
/** A blob continues one of the previous frame's if it is within this many cells of it: rain and speckle do not persist. */
const PERSIST_MARGIN = 1;
/** Activity is a running mean over the first frames, then an average over about 30 s (at 5 fps). */
const ACTIVITY_WINDOW = 150;
/**
 * ...but never over fewer than this many: as a plain running mean, one active frame among the first
 * four weighed over MUTE_ON and muted its cells for tens of frames. A patrolling camera analyses a
 * keyframe every 2 s, so the first person to walk by after a start was muted where they first
 * showed and alerted a keyframe or two late (bench:ingest: 3–5 s against 0.8 s).
 */
const ACTIVITY_MIN_FRAMES = 10;
const NOISE_RATE = 1 / 32;
const NOISE_FACTOR = 2.5;
const NIGHT_BELOW = 2;
const DAY_ABOVE = 4;
const PROFILE_FRAMES = 3;
const NIGHT_LEVEL = 1.3;
const NIGHT_AREA = 1.5;

export class MotionDetector {
  readonly #w: number;
  readonly #h: number;
  readonly #n: number;
  readonly #frameSize: number;
  readonly #grid: CellLayout;
  readonly #o: Required<Omit<MotionDetectorOptions, 'masks' | 'sensitivity' | 'chroma' | 'kernel'>> & { chroma: boolean };
  readonly #level: number;
  readonly #area: number;
  readonly #kernel: CompareKernel;
  readonly #bg: Uint16Array;
  readonly #hit: Uint8Array;
  readonly #changed: Int32Array;
  readonly #diff: Int32Array;
  readonly #eroded: Int32Array;
  readonly #thr: Int32Array;
  readonly #noise: Float32Array;
  readonly #activity: Float32Array;
  readonly #muted: Uint8Array;
  readonly #active: Uint8Array;
  readonly #fringe: Uint8Array;
  readonly #stack: Int32Array;
  readonly #seen: Uint8Array;
  #frames = 0;
  #started = false;
  #settle = 0;
  #damaged = 0;
  #rebaselineNext = false;
  /**
   * Last frame's blobs over the minimum area and how many frames each has persisted. Kept as two
   * swapped arrays that are only ever refilled: fresh empty arrays each frame change V8's hidden
   * classes and kept deoptimising this code (measured: 926 deopts in 1,875 frames).
   */
  #previous: PersistedBlob[] = [];
  #current: PersistedBlob[] = [];
  #night = false;
  #profileVotes = 0;
  #colour = -1;

  constructor(options: MotionDetectorOptions) {
    const { width, height } = options;
    this.#w = width;
    this.#h = height;
    this.#n = width * height;
    this.#o = {
      warmupFrames: 15, globalChangeRatio: 0.35, settleFrames: 5, damageHoldFrames: 12, cellSize: 8, noiseFactor: NOISE_FACTOR, persistFrames: 3,
      ...options, chroma: options.chroma ?? false,
    };
    this.#frameSize = this.#o.chroma ? this.#n + 2 * Math.ceil(width / 2) * Math.ceil(height / 2) : this.#n;
    const f = sensitivityFactors(options.sensitivity ?? 5);
    this.#level = options.pixelThreshold * f.level;
    this.#area = options.minAreaRatio * f.area;
    this.#grid = cellLayout(width, height, this.#o.cellSize, options.masks ?? []);
    const cells = this.#grid.cols * this.#grid.rows;
    this.#kernel = createCompareKernel(this.#grid, width, height, options.kernel);
    this.#bg = this.#kernel.bg;
    this.#hit = this.#kernel.hit;
    this.#changed = this.#kernel.changed;
    this.#diff = this.#kernel.diff;
    this.#eroded = new Int32Array(cells);
    this.#thr = this.#kernel.thr.fill(Math.round(this.#level + NOISE_FACTOR));
    this.#noise = new Float32Array(cells).fill(1);
    this.#activity = new Float32Array(cells);
    this.#muted = new Uint8Array(cells);
    this.#active = new Uint8Array(cells);
    this.#fringe = new Uint8Array(cells);
    this.#stack = new Int32Array(cells);
    this.#seen = new Uint8Array(cells);
  }

  /** Bytes per frame: width×height for grey, plus the two quarter-size chroma planes for yuv420p. */
  get frameSize(): number {
    return this.#frameSize;
  }

  get mutedCells(): number {
    let n = 0;
    for (let c = 0; c < this.#muted.length; c++) n += this.#muted[c] as number;
    return n;
  }

  /** The decoder reported lost or damaged data: its next frames carry artefacts, so skip them. */
  noteDamage(): void {
    this.#damaged = this.#o.damageHoldFrames;
  }

  analyse(frame: Uint8Array): FrameVerdict {
    if (frame.length !== this.#frameSize) throw new RangeError(`frame has ${frame.length} bytes, expected ${this.#frameSize}`);
    this.#frames++;
    if (!this.#started) {
      this.#rebaseline(frame);
      this.#settle = 0; // the warm-up covers it
      this.#started = true;
      return this.#skip('warmup');
    }
    if (this.#damaged > 0) {
      // Until the damage has passed, nothing is compared; then start afresh from the next frame.
      if (--this.#damaged === 0) this.#rebaselineNext = true;
      return this.#skip('damaged');
    }
    if (this.#rebaselineNext) {
      this.#rebaselineNext = false;
      this.#rebaseline(frame);
      return this.#skip('rebaseline');
    }
    const shape = frameShape(frame, this.#bg, this.#w, this.#h);
    if (shape === 'corrupt') return this.#skip('corrupt');
    if (this.#profileChanged(frame) || shape === 'uniform') {
      this.#rebaseline(frame);
      return this.#skip('rebaseline');
    }
    const offset = sampledMean(frame, this.#n) - sampledBackgroundMean(this.#bg, this.#n);
    const rawActive = this.#compare(frame, Math.round(offset));
    if (rawActive >= this.#grid.analysedCells * this.#o.globalChangeRatio) {
      this.#rebaseline(frame);
      return this.#skip('rebaseline');
    }
    if (this.#settle > 0) {
      this.#settle--;
      return this.#skip('settling');
    }
    const verdict = this.#judge();
    this.#learnNoise();
    if (this.#frames <= this.#o.warmupFrames) return this.#skip('warmup');
    return verdict;
  }

  #skip(skipped: FrameVerdict['skipped']): FrameVerdict {
    return { motion: false, score: 0, box: null, skipped, night: this.#night };
  }

  #rebaseline(frame: Uint8Array): void {
    const bg = this.#bg;
    const n = this.#n;
    for (let i = 0; i < n; i++) bg[i] = (frame[i] as number) << 8;
    this.#settle = this.#o.settleFrames;
    this.#previous.length = 0;
  }

  /** Day/night from colour: a sustained collapse to grey selects the night profile (and back). */
  #profileChanged(frame: Uint8Array): boolean {
    if (!this.#o.chroma) return false;
    const c = colourfulness(frame, this.#n);
    const before = this.#colour;
    this.#colour = c;
    // The IR-cut filter clicking (or coloured light switching) changes the colour at a stroke.
    const jump = before >= 0 && Math.abs(c - before) > Math.max(1.5, 0.4 * Math.max(c, before));
    const wantsOther = this.#night ? c > DAY_ABOVE : c < NIGHT_BELOW;
    this.#profileVotes = wantsOther ? this.#profileVotes + 1 : 0;
    if (this.#profileVotes < PROFILE_FRAMES) return jump;
    this.#night = !this.#night;
    this.#profileVotes = 0;
    return true;
  }

  /** Per-pixel comparison (compare-kernel.ts); returns the cells over their changed-pixel minimum. */
  #compare(frame: Uint8Array, offset: number): number {
    const { minPixels } = this.#grid;
    this.#kernel.compare(frame, offset, this.#frames & 1);
    let raw = 0;
    for (let c = 0; c < this.#changed.length; c++) if ((this.#changed[c] as number) >= (minPixels[c] as number)) raw++;
    return raw;
  }

  /** Erodes candidate cells, updates muting, and measures the largest blob. */
  #judge(): FrameVerdict {
    const { cols, rows, minPixels, analysedPixels } = this.#grid;
    const rate = 1 / Math.min(Math.max(this.#frames, ACTIVITY_MIN_FRAMES), ACTIVITY_WINDOW);
    for (let c = 0; c < this.#active.length; c++) {
      const candidate = (this.#changed[c] as number) >= (minPixels[c] as number);
      const kept = candidate ? this.#erodedCount(c) : 0;
      this.#eroded[c] = kept;
      const active = kept >= (minPixels[c] as number) ? 1 : 0;
      const a = (this.#activity[c] as number) + (active - (this.#activity[c] as number)) * rate;
      this.#activity[c] = a;
      if (a > MUTE_ON) this.#muted[c] = 1;
      else if (a < MUTE_OFF) this.#muted[c] = 0;
      this.#active[c] = active === 1 && this.#muted[c] === 0 ? 1 : 0;
    }
    const minBlob = this.#area * (this.#night ? NIGHT_AREA : 1) * analysedPixels;
    // A blob only on and around muted cells is the branch reaching a little further than usual.
    fringeOf(this.#muted, cols, rows, this.#fringe);
    const blobs = findBlobs(this.#active, this.#eroded, this.#fringe, cols, rows, minBlob, this.#stack, this.#seen);
    const previous = this.#previous;
    const current = this.#current;
    current.length = 0;
    let blob: Blob | undefined;
    // Blobs come largest first: the first one seen for persistFrames frames (each near the last) counts.
    for (const b of blobs) {
      let age = 1;
      for (const p of previous) if (p.age >= age && blobsNear(b, p.blob, PERSIST_MARGIN)) age = p.age + 1;
      current.push({ blob: b, age });
      if (blob === undefined && age >= this.#o.persistFrames) blob = b;
    }
    this.#previous = current;
    this.#current = previous;
    if (blob === undefined) return { motion: false, score: 0, box: null, night: this.#night };
    return { motion: true, score: round4(blob.pixels / analysedPixels), box: this.#box(blob), night: this.#night };
  }

  #box(blob: Blob): Box {
    const s = this.#grid.size;
    const x0 = blob.col0 * s;
    const y0 = blob.row0 * s;
    return {
      x: round4(x0 / this.#w), y: round4(y0 / this.#h),
      w: round4((Math.min(this.#w, (blob.col1 + 1) * s) - x0) / this.#w),
      h: round4((Math.min(this.#h, (blob.row1 + 1) * s) - y0) / this.#h),
    };
  }

  /** Changed pixels of a cell that have a changed neighbour horizontally and vertically. */
  #erodedCount(c: number): number {
    const { cols, size } = this.#grid;
    const w = this.#w;
    const hit = this.#hit;
    const col = c % cols;
    const x0 = col * size;
    const y0 = ((c - col) / cols) * size;
    const x1 = Math.min(w, x0 + size);
    const y1 = Math.min(this.#h, y0 + size);
    let kept = 0;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const i = y * w + x;
        if (hit[i] !== 1) continue;
        const horizontal = (x > 0 && hit[i - 1] === 1) || (x < w - 1 && hit[i + 1] === 1);
        const vertical = (y > 0 && hit[i - w] === 1) || (y < this.#h - 1 && hit[i + w] === 1);
        if (horizontal && vertical) kept++;
      }
    }
    return kept;
  }

  /** Thresholds follow each cell's noise, learned from frames in which that cell was quiet and not muted. */
  #learnNoise(): void {
    const { pixels } = this.#grid;
    const level = this.#level * (this.#night ? NIGHT_LEVEL : 1);
    for (let c = 0; c < this.#noise.length; c++) {
      const n = pixels[c] as number;
      // Muted cells keep their threshold: learning the branch as "noise" would unmute it and fire again.
      if (n === 0 || this.#active[c] === 1 || this.#muted[c] === 1) continue;
      const mean = (this.#diff[c] as number) / n;
      const noise = (this.#noise[c] as number) + (mean - (this.#noise[c] as number)) * NOISE_RATE;
      this.#noise[c] = noise;
      this.#thr[c] = Math.round(level + this.#o.noiseFactor * noise);
    }
  }
}

const round4 = (v: number) => Math.round(v * 10_000) / 10_000;

interface PersistedBlob {
  blob: Blob;
  age: number;
}
