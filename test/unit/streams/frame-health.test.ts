import t from 'tap';
import { FrameHealth, type PictureHealthChange } from '../../../src/streams/frame-health.js';
import { seededRandom, texturedBackground, withChroma, withNoise } from '../../helpers/frames.js';

const W = 64;
const H = 48;
const FRAME_MS = 200; // 5 fps
const scene = texturedBackground(W, H);
const uniform = (level: number) => new Uint8Array(W * H).fill(level);

function health() {
  return new FrameHealth({ width: W, height: H, frozenAfterMs: 10_000, coveredAfterMs: 3000 });
}

/** Feeds frames from `from` ms for `ms`, one every FRAME_MS; returns the changes reported. */
function feed(h: FrameHealth, from: number, ms: number, frame: (at: number) => Uint8Array): PictureHealthChange[] {
  const out: PictureHealthChange[] = [];
  for (let at = from; at < from + ms; at += FRAME_MS) out.push(...h.update(frame(at), at));
  return out;
}

t.test('a live picture with sensor noise raises nothing, however long', async (t) => {
  const h = health();
  const r = seededRandom(1);
  t.same(feed(h, 0, 120_000, () => withNoise(scene, 4, r)), []);
  t.same([h.frozen, h.covered], [false, false]);
});

t.test('identical frames for frozenAfter: frozen, dated from the first still frame, reported once', async (t) => {
  const h = health();
  const r = seededRandom(2);
  t.same(feed(h, 0, 2000, () => withNoise(scene, 4, r)), []);
  const still = withNoise(scene, 4, r);
  t.same(feed(h, 2000, 9800, () => still), [], 'not before frozenAfter');
  t.same(feed(h, 11_800, 400, () => still), [{ condition: 'frozen', active: true, at: 2000 }]);
  t.same(feed(h, 12_200, 30_000, () => still), [], 'reported once');
  t.equal(h.frozen, true);
});

t.test('nearly identical frames (re-encoded by a level or two) count as frozen; yuv420p chroma is ignored', async (t) => {
  const h = health();
  const r = seededRandom(3);
  const still = withNoise(scene, 4, r);
  const changes = feed(h, 0, 12_000, (at) => withChroma(withNoise(still, 1, r), W, H, 100 + (at % 50), 128));
  t.same(changes, [{ condition: 'frozen', active: true, at: 0 }]);
});

t.test('one changed frame before frozenAfter starts the still run again', async (t) => {
  const h = health();
  const r = seededRandom(4);
  const still = withNoise(scene, 4, r);
  t.same(feed(h, 0, 8000, () => still), []);
  t.same(feed(h, 8000, 200, () => withNoise(scene, 4, r)), []);
  const again = withNoise(scene, 4, r);
  t.same(feed(h, 8200, 9800, () => again), [], 'the run restarted at 8.2 s');
  t.same(feed(h, 18_000, 400, () => again), [{ condition: 'frozen', active: true, at: 8200 }]);
});

t.test('frozen clears at the third change of picture, not at one odd frame', async (t) => {
  const h = health();
  const r = seededRandom(5);
  const still = withNoise(scene, 4, r);
  feed(h, 0, 12_000, () => still);
  t.equal(h.frozen, true);
  t.same(feed(h, 12_000, 200, () => withNoise(scene, 4, r)), [], 'an odd frame (a keyframe) does not clear it');
  t.same(feed(h, 12_200, 12_000, () => still), [], 'still again: stays frozen');
  t.same(feed(h, 24_200, 400, () => withNoise(scene, 4, r)), [], 'two changes are not enough');
  t.same(feed(h, 24_600, 200, () => withNoise(scene, 4, r)), [{ condition: 'frozen', active: false, at: 24_600 }]);
  t.same(feed(h, 24_800, 5000, () => withNoise(scene, 4, r)), [], 'live again: nothing more');
});

t.test('a picture that suddenly turns uniform for coveredAfter is covered; uniform frames never freeze', async (t) => {
  const h = health();
  const r = seededRandom(6);
  feed(h, 0, 5000, () => withNoise(scene, 4, r));
  const dark = () => withNoise(uniform(20), 3, r);
  t.same(feed(h, 5000, 2800, dark), [], 'not before coveredAfter');
  t.same(feed(h, 7800, 400, dark), [{ condition: 'covered', active: true, at: 5000 }]);
  const black = uniform(16);
  t.same(feed(h, 8200, 60_000, () => black), [], 'identical black frames are covered, not frozen');
  t.same([h.frozen, h.covered], [false, true]);
});

t.test('covered clears after a second of textured frames; one textured frame does not clear it', async (t) => {
  const h = health();
  const r = seededRandom(7);
  feed(h, 0, 2000, () => withNoise(scene, 4, r));
  feed(h, 2000, 4000, () => uniform(16));
  t.equal(h.covered, true);
  t.same(feed(h, 6000, 200, () => withNoise(scene, 4, r)), []);
  t.same(feed(h, 6200, 2000, () => uniform(16)), [], 'a glimpse of the scene is not the end');
  t.same(feed(h, 8200, 1200, () => withNoise(scene, 4, r)), [{ condition: 'covered', active: false, at: 8200 }]);
  t.same(feed(h, 9400, 5000, () => withNoise(scene, 4, r)), []);
});

t.test('a cover shorter than coveredAfter raises nothing', async (t) => {
  const h = health();
  const r = seededRandom(8);
  feed(h, 0, 2000, () => withNoise(scene, 4, r));
  t.same(feed(h, 2000, 2000, () => uniform(16)), []);
  t.same(feed(h, 4000, 10_000, () => withNoise(scene, 4, r)), []);
});

t.test('a camera that always sees darkness is not covered', async (t) => {
  const h = health();
  const r = seededRandom(9);
  t.same(feed(h, 0, 60_000, () => withNoise(uniform(18), 3, r)), []);
});

t.test('a scene fading slowly into darkness is not covered', async (t) => {
  const h = health();
  const r = seededRandom(10);
  // Contrast falls from full to none over two minutes: dusk without IR lighting.
  const fading = (at: number) => {
    const k = Math.max(0, 1 - at / 120_000);
    return withNoise(scene.map((v) => Math.round(110 + (v - 110) * k)), 2, r);
  };
  t.same(feed(h, 0, 180_000, fading), []);
  t.equal(h.covered, false);
});

t.test('a gap in frames (ffmpeg restarting) starts the runs afresh', async (t) => {
  const h = health();
  const r = seededRandom(11);
  const still = withNoise(scene, 4, r);
  t.same(feed(h, 0, 8000, () => still), []);
  t.same(feed(h, 20_000, 9800, () => still), [], 'the still run restarted after the gap');
  t.same(feed(h, 29_800, 400, () => still), [{ condition: 'frozen', active: true, at: 20_000 }]);
  feed(h, 30_200, 2000, () => withNoise(scene, 4, r));
  t.same(feed(h, 40_000, 4000, () => uniform(16)), [], 'uniform after a gap: not seen to happen, not "sudden"');
});

t.test('a short frame is refused', async (t) => {
  t.throws(() => health().update(new Uint8Array(10), 0), RangeError);
});
