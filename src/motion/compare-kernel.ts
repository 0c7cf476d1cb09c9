// The detector's hot loop: per pixel, the difference against the background (masked pixels count
// as 0); per cell, the sums; and the background update — changed pixels join slowly (1/128 a frame
// on average: a parked car fades in over ~25 s), the rest quickly (1/16). Half the rows learn each
// frame, at twice the rate: the same background, half the stores.
//
// Two implementations with identical results: WebAssembly SIMD (compare-kernel.wat, 8 pixels per
// step, about 5× faster) where the frame allows it, and plain JavaScript otherwise. The buffers
// live where the kernel works on them (the WebAssembly instance's memory), and the detector reads
// and writes them there.

import { COMPARE_KERNEL_WASM } from './compare-kernel-bytes.js';
import type { CellLayout } from './cell-grid.js';

export interface CompareKernel {
  /** 8.8 fixed-point background per pixel. */
  readonly bg: Uint16Array;
  /** 1 for pixels over their cell's threshold in the last compare, else 0. */
  readonly hit: Uint8Array;
  /** Per-cell threshold, set by the detector. */
  readonly thr: Int32Array;
  /** Per cell, from the last compare: changed pixels, and the sum of the differences. */
  readonly changed: Int32Array;
  readonly diff: Int32Array;
  readonly kind: 'wasm-simd' | 'js';
  /** Compares the frame's luma (offset = exposure compensation); `parity` picks the rows that learn. */
  compare(frame: Uint8Array, offset: number, parity: number): void;
}

export function createCompareKernel(grid: CellLayout, width: number, height: number, prefer: 'auto' | 'js' = 'auto'): CompareKernel {
  if (prefer === 'auto' && grid.size === 8 && width % 8 === 0) {
    const module = wasmModule();
    if (module) return new WasmCompareKernel(module, grid, width, height);
  }
  return new JsCompareKernel(grid, width, height);
}

let compiled: WebAssembly.Module | null | undefined;

/** Compiled once per process; null where WebAssembly SIMD is unavailable. */
function wasmModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(COMPARE_KERNEL_WASM);
    } catch {
      compiled = null;
    }
  }
  return compiled;
}

const PAGE = 65_536;
const align8 = (n: number) => (n + 7) & ~7;

class WasmCompareKernel implements CompareKernel {
  readonly kind = 'wasm-simd';
  readonly bg: Uint16Array;
  readonly hit: Uint8Array;
  readonly thr: Int32Array;
  readonly changed: Int32Array;
  readonly diff: Int32Array;
  readonly #frame: Uint8Array;
  readonly #run: (...args: number[]) => void;
  readonly #args: number[];

  constructor(module: WebAssembly.Module, grid: CellLayout, width: number, height: number) {
    const n = width * height;
    const cells = grid.cols * grid.rows;
    // Layout: frame | bg | hit | use | whole | thr | changed | diff, each 8-byte aligned.
    const sizes = [n, 2 * n, n, n, cells, 4 * cells, 4 * cells, 4 * cells];
    const offsets: number[] = [];
    let end = 0;
    for (const s of sizes) {
      offsets.push(end);
      end = align8(end + s);
    }
    const memory = new WebAssembly.Memory({ initial: Math.ceil(end / PAGE) });
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    this.#run = instance.exports.compare as (...args: number[]) => void;
    const [fo, bo, ho, uo, wo, to, co, dOff] = offsets as [number, number, number, number, number, number, number, number];
    const buf = memory.buffer;
    this.#frame = new Uint8Array(buf, fo, n);
    this.bg = new Uint16Array(buf, bo, n);
    this.hit = new Uint8Array(buf, ho, n);
    new Uint8Array(buf, uo, n).set(grid.use);
    new Uint8Array(buf, wo, cells).set(grid.whole);
    this.thr = new Int32Array(buf, to, cells);
    this.changed = new Int32Array(buf, co, cells);
    this.diff = new Int32Array(buf, dOff, cells);
    this.#args = [fo, bo, ho, uo, wo, to, co, dOff, width, height, 0, 0];
  }

  compare(frame: Uint8Array, offset: number, parity: number): void {
    this.#frame.set(frame.subarray(0, this.#frame.length));
    const a = this.#args;
    this.#run(a[0]!, a[1]!, a[2]!, a[3]!, a[4]!, a[5]!, a[6]!, a[7]!, a[8]!, a[9]!, offset, parity);
  }
}

class JsCompareKernel implements CompareKernel {
  readonly kind = 'js';
  readonly bg: Uint16Array;
  readonly hit: Uint8Array;
  readonly thr: Int32Array;
  readonly changed: Int32Array;
  readonly diff: Int32Array;
  readonly #state: CompareState;

  constructor(grid: CellLayout, width: number, height: number) {
    const cells = grid.cols * grid.rows;
    this.bg = new Uint16Array(width * height);
    this.hit = new Uint8Array(width * height);
    this.thr = new Int32Array(cells);
    this.changed = new Int32Array(cells);
    this.diff = new Int32Array(cells);
    this.#state = {
      bg: this.bg, hit: this.hit, use: grid.use, whole: grid.whole, thr: this.thr, changed: this.changed, diff: this.diff,
      width, height, cols: grid.cols, size: grid.size,
    };
  }

  compare(frame: Uint8Array, offset: number, parity: number): void {
    this.changed.fill(0);
    this.diff.fill(0);
    this.hit.fill(0);
    compareFrame(frame, offset, parity, this.#state);
  }
}

interface CompareState {
  bg: Uint16Array;
  hit: Uint8Array;
  use: Uint8Array;
  /** 1 for cells a full `size` wide with no masked pixel. */
  whole: Uint8Array;
  thr: Int32Array;
  changed: Int32Array;
  diff: Int32Array;
  width: number;
  height: number;
  cols: number;
  size: number;
}

/** A plain function over typed arrays so V8 keeps it tight. */
function compareFrame(frame: Uint8Array, offset: number, parity: number, m: CompareState): void {
  const { bg, hit, use, whole, thr, changed, diff, width, height, cols, size } = m;
  for (let y = 0; y < height; y++) {
    const rowCell = ((y / size) | 0) * cols;
    const rowStart = y * width;
    const learn = ((y ^ parity) & 1) === 0;
    for (let cx = 0; cx < cols; cx++) {
      const c = rowCell + cx;
      const start = rowStart + cx * size;
      // Whole, unmasked cells (nearly all of them) skip the mask lookup.
      const masked = whole[c] === 0;
      const end = masked ? Math.min(rowStart + width, start + size) : start + size;
      const t = thr[c] as number;
      let sumDiff = 0;
      let count = 0;
      for (let i = start; i < end; i++) {
        const f = frame[i] as number;
        const b = bg[i] as number;
        const s = f - (b >> 8) - offset;
        const sign = s >> 31;
        let d = (s ^ sign) - sign;
        if (masked) d &= -(use[i] as number);
        sumDiff += d;
        // Changed pixels are rare, so these branches predict well and skip most stores.
        if (d > t) {
          count++;
          hit[i] = 1;
          if (learn) bg[i] = b + (((f << 8) - b) >> 6);
        } else if (learn) {
          bg[i] = b + (((f << 8) - b) >> 3);
        }
      }
      diff[c] = (diff[c] as number) + sumDiff;
      changed[c] = (changed[c] as number) + count;
    }
  }
}
