// The detector's cell grid: which cell each pixel belongs to (masked pixels belong to none), and
// the blobs that active cells form. Pure.

import { ANALYSE, rasterizeMasks, type MaskPolygon } from './masks.js';

export const NO_CELL = 0xffff;

export interface CellLayout {
  cols: number;
  rows: number;
  size: number;
  /** 1 for analysed pixels, 0 for masked ones (a multiplier in the hot loop, no branch). */
  use: Uint8Array;
  /** Analysed pixels per cell. */
  pixels: Uint16Array;
  /** 1 for cells a full `size` wide whose every pixel is analysed (the fast path). */
  whole: Uint8Array;
  /** Pixels that must change (after noise clean-up) for the cell to count as active. */
  minPixels: Uint16Array;
  /** Cells with at least a quarter of their pixels analysed: the denominator of "most of the frame". */
  analysedCells: number;
  analysedPixels: number;
}

export interface Blob {
  pixels: number;
  cells: number;
  /** Cell bounds, inclusive. */
  col0: number;
  row0: number;
  col1: number;
  row1: number;
}

export function cellLayout(width: number, height: number, size: number, masks: readonly MaskPolygon[]): CellLayout {
  const cols = Math.ceil(width / size);
  const rows = Math.ceil(height / size);
  if (cols * rows >= NO_CELL) throw new RangeError('too many cells: use a smaller frame or larger cells');
  const mask = rasterizeMasks(masks, width, height);
  const use = new Uint8Array(width * height);
  const pixels = new Uint16Array(cols * rows);
  for (let y = 0; y < height; y++) {
    const rowBase = Math.floor(y / size) * cols;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (mask[i] !== ANALYSE) continue;
      const c = rowBase + Math.floor(x / size);
      use[i] = 1;
      pixels[c] = (pixels[c] as number) + 1;
    }
  }
  const whole = new Uint8Array(cols * rows);
  for (let c = 0; c < whole.length; c++) {
    const col = c % cols;
    const row = (c - col) / cols;
    const w = Math.min(size, width - col * size);
    const h = Math.min(size, height - row * size);
    whole[c] = w === size && pixels[c] === w * h ? 1 : 0;
  }
  const minPixels = new Uint16Array(cols * rows);
  let analysedCells = 0;
  let analysedPixels = 0;
  for (let c = 0; c < pixels.length; c++) {
    const n = pixels[c] as number;
    analysedPixels += n;
    if (n * 4 >= size * size) analysedCells++;
    // About 6 % of a full cell: a few specks of noise never make a cell active, a limb does.
    minPixels[c] = n === 0 ? NO_CELL : Math.max(3, Math.ceil(n * 0.06));
  }
  return { cols, rows, size, use, pixels, whole, minPixels, analysedCells, analysedPixels };
}

/**
 * The 8-connected groups of active cells with at least `minPixels` changed pixels and at least one
 * cell outside `fringe` (cells next to muted ones), largest first.
 */
export function findBlobs(
  active: Uint8Array, weight: Int32Array, fringe: Uint8Array, cols: number, rows: number, minPixels: number, stack: Int32Array,
  seen: Uint8Array = new Uint8Array(active.length),
): Blob[] {
  seen.fill(0);
  const blobs: Blob[] = [];
  for (let start = 0; start < active.length; start++) {
    if (active[start] === 0 || seen[start] === 1) continue;
    const blob: Blob = { pixels: 0, cells: 0, col0: cols, row0: rows, col1: -1, row1: -1 };
    let core = 0;
    let top = 0;
    stack[top++] = start;
    seen[start] = 1;
    while (top > 0) {
      const c = stack[--top] as number;
      const col = c % cols;
      const row = (c - col) / cols;
      blob.pixels += weight[c] as number;
      blob.cells++;
      core += 1 - (fringe[c] as number);
      if (col < blob.col0) blob.col0 = col;
      if (col > blob.col1) blob.col1 = col;
      if (row < blob.row0) blob.row0 = row;
      if (row > blob.row1) blob.row1 = row;
      for (let dr = -1; dr <= 1; dr++) {
        const r = row + dr;
        if (r < 0 || r >= rows) continue;
        for (let dc = -1; dc <= 1; dc++) {
          const k = col + dc;
          if (k < 0 || k >= cols) continue;
          const n = r * cols + k;
          if (active[n] === 1 && seen[n] === 0) {
            seen[n] = 1;
            stack[top++] = n;
          }
        }
      }
    }
    if (blob.pixels >= minPixels && core > 0) blobs.push(blob);
  }
  return blobs.sort((a, b) => b.pixels - a.pixels);
}

/** Whether two blobs' cell boxes touch once one is grown by `margin` cells. */
export function blobsNear(a: Blob, b: Blob, margin: number): boolean {
  return a.col0 - margin <= b.col1 && b.col0 <= a.col1 + margin && a.row0 - margin <= b.row1 && b.row0 <= a.row1 + margin;
}

/** Marks the cells next to (or on) a muted cell: the reach of a swaying branch beyond its usual cells. */
export function fringeOf(muted: Uint8Array, cols: number, rows: number, out: Uint8Array): void {
  out.fill(0);
  for (let c = 0; c < muted.length; c++) {
    if (muted[c] === 0) continue;
    const col = c % cols;
    const row = (c - col) / cols;
    for (let r = Math.max(0, row - 1); r <= Math.min(rows - 1, row + 1); r++) {
      for (let k = Math.max(0, col - 1); k <= Math.min(cols - 1, col + 1); k++) out[r * cols + k] = 1;
    }
  }
}
