import { readFileSync } from 'node:fs';
import t from 'tap';
import { COMPARE_KERNEL_WASM } from '../../../src/motion/compare-kernel-bytes.js';
import { createCompareKernel, type CompareKernel } from '../../../src/motion/compare-kernel.js';
import { cellLayout } from '../../../src/motion/cell-grid.js';
import type { MaskPolygon } from '../../../src/motion/masks.js';
import { MotionDetector, type FrameVerdict } from '../../../src/motion/motion-detector.js';
import { bytesModule, compileKernel } from '../../../scripts/build-wasm.js';
import { seededRandom, texturedBackground, withBox, withChroma, withNoise } from '../../helpers/frames.js';

const W = 320;
const H = 180;
const masks: MaskPolygon[] = [
  { kind: 'ignore', points: [[0.1, 0.1], [0.33, 0.12], [0.2, 0.47]] },
  { kind: 'privacy', points: [[0.6, 0.5], [0.95, 0.55], [0.9, 0.99], [0.62, 0.9]] },
];

t.test('the committed WebAssembly bytes are compare-kernel.wat compiled', async (t) => {
  const bytes = await compileKernel();
  t.same(Buffer.from(bytes), COMPARE_KERNEL_WASM, 'run `npm run build:wasm` after editing compare-kernel.wat');
  t.equal(bytesModule(bytes), readFileSync(new URL('../../../src/motion/compare-kernel-bytes.ts', import.meta.url), 'utf8'));
});

/** Both kernels with the same background, thresholds and layout. */
function pair(height: number, withMasks: boolean, random: () => number): [CompareKernel, CompareKernel] {
  const grid = cellLayout(W, height, 8, withMasks ? masks : []);
  const wasm = createCompareKernel(grid, W, height);
  const js = createCompareKernel(grid, W, height, 'js');
  for (let i = 0; i < W * height; i++) wasm.bg[i] = js.bg[i] = Math.floor(random() * 65_281);
  for (let c = 0; c < js.thr.length; c++) wasm.thr[c] = js.thr[c] = 3 + Math.floor(random() * 40);
  return [wasm, js];
}

t.test('the WebAssembly kernel computes exactly what the JavaScript one does', async (t) => {
  const random = seededRandom(7);
  // 180 rows end in a half cell; 176 do not. Offsets cover exposure compensation both ways.
  for (const [height, withMasks] of [[H, false], [H, true], [176, true]] as const) {
    const [wasm, js] = pair(height, withMasks, random);
    t.equal(wasm.kind, 'wasm-simd');
    t.equal(js.kind, 'js');
    let mismatches = 0;
    let hits = 0;
    for (let k = 0; k < 12; k++) {
      const frame = new Uint8Array(W * height);
      for (let i = 0; i < frame.length; i++) frame[i] = Math.floor(random() * 256);
      const offset = [0, 17, -40, 255, -255, 3][k % 6]!;
      wasm.compare(frame, offset, k & 1);
      js.compare(frame, offset, k & 1);
      for (const key of ['bg', 'hit', 'changed', 'diff'] as const) {
        if (!Buffer.from(wasm[key].buffer, wasm[key].byteOffset, wasm[key].byteLength).equals(Buffer.from(js[key].buffer, js[key].byteOffset, js[key].byteLength))) mismatches++;
      }
      hits += js.hit.reduce((a, b) => a + b, 0);
    }
    t.equal(mismatches, 0, `height ${height}, masks ${withMasks}: bg, hit and per-cell sums identical`);
    t.ok(hits > 0 && hits < 12 * W * height, 'the frames had changed and unchanged pixels');
  }
});

t.test('a width that is not a multiple of 8 uses the JavaScript kernel', async (t) => {
  t.equal(createCompareKernel(cellLayout(322, 180, 8, []), 322, 180).kind, 'js');
  t.equal(createCompareKernel(cellLayout(320, 180, 10, []), 320, 180).kind, 'js');
});

t.test('the detector reaches the same verdicts with either kernel', async (t) => {
  const bg = texturedBackground(W, H);
  const run = (kernel: 'auto' | 'js') => {
    const d = new MotionDetector({ width: W, height: H, pixelThreshold: 10, minAreaRatio: 0.00025, chroma: true, masks, kernel });
    const random = seededRandom(3);
    const verdicts: FrameVerdict[] = [];
    for (let k = 0; k < 80; k++) {
      let luma = withNoise(bg, 6, random);
      if (k >= 30 && k < 60) luma = withBox(luma, W, { x: 10 + 6 * (k - 30), y: 100, w: 14, h: 40 }, 230);
      // A lamp lights the upper half from frame 65 on: not an exposure shift, so a re-baseline.
      if (k >= 65) luma = luma.map((v, i) => (i < (W * H) / 2 ? Math.min(255, v + 90) : v));
      verdicts.push(d.analyse(withChroma(luma, W, H, 120, 140)));
    }
    return verdicts;
  };
  const simd = run('auto');
  const js = run('js');
  t.same(simd, js);
  t.ok(simd.some((v) => v.motion), 'the walking block was seen');
  t.ok(simd.some((v) => v.skipped === 'rebaseline'), 'the light switch re-baselined');
});
