import t from 'tap';
import { MotionDetector } from '../../../src/motion/motion-detector.js';
import { MotionTracker } from '../../../src/motion/motion-tracker.js';
import { seededRandom, texturedBackground, withBox, withNoise } from '../../helpers/frames.js';

const W = 160;
const H = 90;
const opts = { width: W, height: H, pixelThreshold: 20, minAreaRatio: 0.004 };
const bg = texturedBackground(W, H);

t.test('static scene with sensor noise never reports motion', async (t) => {
  const d = new MotionDetector(opts);
  const rnd = seededRandom(1);
  let motionFrames = 0;
  for (let i = 0; i < 300; i++) if (d.analyse(withNoise(bg, 6, rnd)).motion) motionFrames++;
  t.equal(motionFrames, 0);
});

t.test('a person-sized block moving across the frame is motion, with its box', async (t) => {
  const d = new MotionDetector(opts);
  const rnd = seededRandom(2);
  for (let i = 0; i < 20; i++) d.analyse(withNoise(bg, 6, rnd));
  const verdicts = [];
  for (let x = 10; x < 140; x += 10) {
    verdicts.push(d.analyse(withNoise(withBox(bg, W, { x, y: 30, w: 12, h: 36 }, 20), 6, rnd)));
  }
  t.ok(verdicts.every((v) => v.motion), 'every frame with the block is motion');
  const v = verdicts[5];
  t.ok(v?.box, 'box reported');
  t.ok(v && v.box && v.box.y >= 28 && v.box.y + v.box.h <= 68, 'box covers the block rows');
  t.ok(v && v.score > 0.01 && v.score < 0.2, `score is the changed fraction (${v?.score})`);
});

t.test('a one-frame glitch is a motion frame but never an episode', async (t) => {
  const d = new MotionDetector(opts);
  const tracker = new MotionTracker({ minFrames: 2, endAfterMs: 3000, maxEpisodeMs: 60_000 });
  const rnd = seededRandom(3);
  let now = 0;
  const episodes = [];
  let motionFrames = 0;
  for (let i = 0; i < 60; i++) {
    const glitch = i === 30;
    const frame = glitch ? withBox(withNoise(bg, 6, rnd), W, { x: 50, y: 20, w: 30, h: 30 }, 250) : withNoise(bg, 6, rnd);
    const v = d.analyse(frame);
    if (v.motion) motionFrames++;
    const e = tracker.update(v, (now += 200));
    if (e) episodes.push(e);
  }
  t.equal(motionFrames, 1, 'the glitch frame itself differs');
  t.same(episodes, [], 'no episode');
});

t.test('a lighting change over most of the frame re-baselines instead of alerting', async (t) => {
  const d = new MotionDetector(opts);
  const rnd = seededRandom(4);
  for (let i = 0; i < 10; i++) d.analyse(withNoise(bg, 4, rnd));
  const bright = bg.map((v) => Math.min(255, v + 80));
  const first = d.analyse(withNoise(bright, 4, rnd));
  t.equal(first.motion, false);
  t.equal(first.skipped, 'rebaseline');
  t.equal(d.analyse(withNoise(bright, 4, rnd)).motion, false, 'the new light level is the background');
});

t.test('frames of the wrong size are refused', async (t) => {
  const d = new MotionDetector(opts);
  t.throws(() => d.analyse(new Uint8Array(10)), RangeError);
});
