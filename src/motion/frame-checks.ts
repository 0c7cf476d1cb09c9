// Whole-frame checks that decide whether a frame may be compared at all. Pure, sampled, cheap.

/** Rows whose sampled pixels span at most this many grey levels are "flat". */
const FLAT_SPREAD = 3;
/** A frame with this fraction of newly flat rows is a decoder's grey fill after packet loss. */
const CORRUPT_ROWS = 0.2;
/** ...unless nearly all of it is flat: that is a uniform frame (lens covered, lights out), not damage. */
const UNIFORM_ROWS = 0.9;

export type FrameShape = 'ok' | 'corrupt' | 'uniform';

// Two copies on purpose: one function reading both array types would be polymorphic and several
// times slower in V8.
function rowIsFlat(plane: Uint8Array, y: number, width: number): boolean {
  let min = 255;
  let max = 0;
  const start = y * width;
  for (let x = 0; x < width; x += 8) {
    const v = plane[start + x] as number;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max - min <= FLAT_SPREAD;
}

function backgroundRowIsFlat(plane: Uint16Array, y: number, width: number): boolean {
  let min = 255;
  let max = 0;
  const start = y * width;
  for (let x = 0; x < width; x += 8) {
    const v = (plane[start + x] as number) >> 8;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return max - min <= FLAT_SPREAD;
}

/**
 * Looks for rows that are flat now but were not in the background: what an H.264 decoder leaves
 * where slices were lost (grey or smeared fill). `background` is the detector's Q8 model.
 */
export function frameShape(luma: Uint8Array, background: Uint16Array, width: number, height: number): FrameShape {
  // Every fourth row is enough to see a fill that spans a fifth of the frame.
  let flat = 0;
  let newlyFlat = 0;
  let rows = 0;
  for (let y = 0; y < height; y += 4) {
    rows++;
    if (!rowIsFlat(luma, y, width)) continue;
    flat++;
    if (!backgroundRowIsFlat(background, y, width)) newlyFlat++;
  }
  if (flat >= rows * UNIFORM_ROWS) return 'uniform';
  return newlyFlat >= rows * CORRUPT_ROWS ? 'corrupt' : 'ok';
}

/**
 * Mean distance of the chroma samples from neutral grey (0 for a black-and-white picture).
 * An IR-lit night picture is grey; a daylight scene rarely averages below a few levels.
 */
export function colourfulness(frame: Uint8Array, chromaStart: number): number {
  let sum = 0;
  let n = 0;
  for (let i = chromaStart; i < frame.length; i += 13) {
    const v = (frame[i] as number) - 128;
    sum += v < 0 ? -v : v;
    n++;
  }
  return n === 0 ? 0 : sum / n;
}

/** Mean of every 32nd luma sample: the frame's brightness level, for exposure compensation. */
export function sampledMean(plane: Uint8Array, length: number): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < length; i += 32) {
    sum += plane[i] as number;
    n++;
  }
  return n === 0 ? 0 : sum / n;
}

/** The same for the detector's 8.8 fixed-point background. */
export function sampledBackgroundMean(plane: Uint16Array, length: number): number {
  let sum = 0;
  let n = 0;
  for (let i = 0; i < length; i += 32) {
    sum += (plane[i] as number) >> 8;
    n++;
  }
  return n === 0 ? 0 : sum / n;
}
