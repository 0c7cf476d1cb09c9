// Synthetic grey frames for detector tests: a textured background, seeded sensor noise, and boxes.

export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x1_0000_0000;
  };
}

export function texturedBackground(width: number, height: number): Uint8Array {
  const f = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) f[y * width + x] = 90 + ((x >> 3) + (y >> 3)) % 2 * 40 + ((x * 7 + y * 3) % 11);
  }
  return f;
}

/** Adds uniform noise of ±amplitude grey levels. */
export function withNoise(frame: Uint8Array, amplitude: number, random: () => number): Uint8Array {
  const out = new Uint8Array(frame.length);
  for (let i = 0; i < frame.length; i++) {
    const v = (frame[i] as number) + Math.round((random() * 2 - 1) * amplitude);
    out[i] = Math.max(0, Math.min(255, v));
  }
  return out;
}

export function withBox(frame: Uint8Array, width: number, box: { x: number; y: number; w: number; h: number }, value: number): Uint8Array {
  const out = Uint8Array.from(frame);
  for (let y = box.y; y < box.y + box.h; y++) {
    for (let x = box.x; x < box.x + box.w; x++) out[y * width + x] = value;
  }
  return out;
}

/** A yuv420p frame: the luma plane followed by constant U and V planes (128 = no colour). */
export function withChroma(luma: Uint8Array, width: number, height: number, u: number, v: number): Uint8Array {
  const quarter = Math.ceil(width / 2) * Math.ceil(height / 2);
  const out = new Uint8Array(luma.length + 2 * quarter);
  out.set(luma);
  out.fill(u, luma.length, luma.length + quarter);
  out.fill(v, luma.length + quarter);
  return out;
}

/** Thin bright streaks (1 px wide, `length` px tall) at random places: rain in front of the lens. */
export function withRain(frame: Uint8Array, width: number, height: number, streaks: number, length: number, random: () => number): Uint8Array {
  const out = Uint8Array.from(frame);
  for (let s = 0; s < streaks; s++) {
    const x = Math.floor(random() * width);
    const y0 = Math.floor(random() * (height - length));
    for (let y = y0; y < y0 + length; y++) out[y * width + x] = 235;
  }
  return out;
}
