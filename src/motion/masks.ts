// Polygon masks in normalised frame coordinates (0..1, so they survive a resolution change), turned
// into pixel maps for the detector and into the RGBA image ffmpeg lays over every output.
//   privacy: never analysed, never shown (blacked out in snapshots and thumbnails);
//   ignore:  shown, but motion there counts for nothing (a road, a neighbour's tree).
// Pure: no I/O.

import { MatThanError } from '../errors.js';

export type MaskKind = 'privacy' | 'ignore';
export type Point = [number, number];

export interface MaskPolygon {
  kind: MaskKind;
  points: Point[];
}

/** Pixel classes in a rasterised mask. */
export const ANALYSE = 0;
export const IGNORED = 1;
export const PRIVATE = 2;

export const MAX_MASKS = 32;
export const MAX_POINTS = 64;

/** Throws VALIDATION_FAILED naming what is wrong; returns the masks with coordinates rounded. */
export function validateMasks(value: unknown): MaskPolygon[] {
  const bad = (why: string) => new MatThanError('VALIDATION_FAILED', `motion masks: ${why}`);
  if (!Array.isArray(value)) throw bad('must be an array');
  if (value.length > MAX_MASKS) throw bad(`at most ${MAX_MASKS} masks`);
  return value.map((m: unknown, i) => {
    if (typeof m !== 'object' || m === null) throw bad(`mask ${i} must be an object`);
    const { kind, points } = m as Record<string, unknown>;
    if (kind !== 'privacy' && kind !== 'ignore') throw bad(`mask ${i}: kind must be "privacy" or "ignore"`);
    if (!Array.isArray(points) || points.length < 3 || points.length > MAX_POINTS) {
      throw bad(`mask ${i}: points must hold 3 to ${MAX_POINTS} [x, y] pairs`);
    }
    const pts = points.map((p: unknown, j): Point => {
      const ok = Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1);
      if (!ok) throw bad(`mask ${i} point ${j}: must be [x, y] with 0 ≤ x, y ≤ 1 (fractions of the frame)`);
      return [round4(p[0] as number), round4(p[1] as number)];
    });
    return { kind, points: pts };
  });
}

const round4 = (v: number) => Math.round(v * 10_000) / 10_000;

/** True when the pixel centre (px, py), in normalised units, is inside the polygon (even-odd rule). */
function inside(points: Point[], px: number, py: number): boolean {
  let hit = false;
  for (let i = 0, j = points.length - 1; i < points.length; j = i++) {
    const [xi, yi] = points[i] as Point;
    const [xj, yj] = points[j] as Point;
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) hit = !hit;
  }
  return hit;
}

/** One byte per pixel: ANALYSE, IGNORED or PRIVATE (privacy wins where masks overlap). */
export function rasterizeMasks(masks: readonly MaskPolygon[], width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (const m of masks) {
    const value = m.kind === 'privacy' ? PRIVATE : IGNORED;
    const ys = m.points.map((p) => p[1]);
    const y0 = Math.max(0, Math.floor(Math.min(...ys) * height));
    const y1 = Math.min(height - 1, Math.ceil(Math.max(...ys) * height));
    for (let y = y0; y <= y1; y++) {
      const py = (y + 0.5) / height;
      for (let x = 0; x < width; x++) {
        const i = y * width + x;
        if ((out[i] as number) < value && inside(m.points, (x + 0.5) / width, py)) out[i] = value;
      }
    }
  }
  return out;
}

/**
 * The privacy masks as a PAM (netpbm RGB_ALPHA) image: opaque black where private, transparent
 * elsewhere. ffmpeg scales it to each stream and overlays it before anything is analysed or encoded.
 * Null when there is no privacy mask (no overlay, no cost).
 */
export function privacyOverlayPam(masks: readonly MaskPolygon[], width = 640, height = 360): Buffer | null {
  const privacy = masks.filter((m) => m.kind === 'privacy');
  if (privacy.length === 0) return null;
  // Grown by a pixel: scaled to the camera's resolution, an edge must err on the hidden side.
  const map = dilate(rasterizeMasks(privacy, width, height), width, height);
  const header = Buffer.from(`P7\nWIDTH ${width}\nHEIGHT ${height}\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n`, 'ascii');
  const pixels = Buffer.alloc(width * height * 4); // black, alpha 0
  for (let i = 0; i < map.length; i++) if (map[i] === PRIVATE) pixels[i * 4 + 3] = 255;
  return Buffer.concat([header, pixels]);
}

/** Marks every pixel next to a PRIVATE one as PRIVATE too (8-neighbourhood). */
function dilate(map: Uint8Array, width: number, height: number): Uint8Array {
  const out = Uint8Array.from(map);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (map[y * width + x] !== PRIVATE) continue;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const nx = x + dx;
          const ny = y + dy;
          if (nx >= 0 && ny >= 0 && nx < width && ny < height) out[ny * width + nx] = PRIVATE;
        }
      }
    }
  }
  return out;
}
