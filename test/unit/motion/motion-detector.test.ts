import t from 'tap';
import { buildConfig } from '../../../src/config.js';
import { MotionDetector, type FrameVerdict, type MotionDetectorOptions } from '../../../src/motion/motion-detector.js';
import { MotionTracker } from '../../../src/motion/motion-tracker.js';
import { createDetector } from '../../../src/motion/detector-factory.js';
import { seededRandom, texturedBackground, withBox, withChroma, withNoise, withRain } from '../../helpers/frames.js';

const W = 320;
const H = 180;
// The shipped defaults: these tests are about the detector as it runs.
const { pixelThreshold, minAreaRatio } = buildConfig({}).motion;
const opts: MotionDetectorOptions = { width: W, height: H, pixelThreshold, minAreaRatio };
const bg = texturedBackground(W, H);

/** A detector that has learned the noisy background for `frames` frames. */
function warmed(o: Partial<MotionDetectorOptions> = {}, seed = 1, frames = 30, frame = (n: Uint8Array) => n) {
  const d = new MotionDetector({ ...opts, ...o });
  const rnd = seededRandom(seed);
  for (let i = 0; i < frames; i++) d.analyse(frame(withNoise(bg, 6, rnd)));
  return { d, rnd };
}

/** A block walking right 8 px a frame; returns the verdicts. */
function walk(d: MotionDetector, rnd: () => number, block: { y: number; w: number; h: number; value: number }, frames = 12, x0 = 20): FrameVerdict[] {
  const out: FrameVerdict[] = [];
  for (let k = 0; k < frames; k++) out.push(d.analyse(withNoise(withBox(bg, W, { x: x0 + 8 * k, y: block.y, w: block.w, h: block.h }, block.value), 6, rnd)));
  return out;
}

t.test('a static scene with sensor noise never reports motion', async (t) => {
  const { d, rnd } = warmed();
  let motion = 0;
  for (let i = 0; i < 300; i++) if (d.analyse(withNoise(bg, 6, rnd)).motion) motion++;
  t.equal(motion, 0);
});

t.test('a person-sized block walking across is motion, with a normalised box around it', async (t) => {
  const { d, rnd } = warmed();
  const verdicts = walk(d, rnd, { y: 60, w: 12, h: 32, value: 20 });
  t.same(verdicts.slice(0, 2).map((v) => v.motion), [false, false], 'not yet motion: a blob must persist for three frames');
  t.ok(verdicts.slice(2).every((v) => v.motion), 'every later frame with the block is motion');
  const v = verdicts[6] as FrameVerdict;
  const x = (20 + 8 * 6) / W;
  t.ok(v.box && v.box.x <= x && v.box.x + v.box.w >= x + 12 / W, `box spans the block horizontally (${JSON.stringify(v.box)})`);
  t.ok(v.box && v.box.y <= 60 / H && v.box.y + v.box.h >= 92 / H, 'box spans the block vertically');
  t.ok(v.box && v.box.w < 0.2 && v.box.h < 0.35, 'box is tight (cell-sized margins)');
  t.ok(v.score > 0.003 && v.score < 0.02, `score is the blob's share of the frame (${v.score})`);
});

t.test('a small distant person (4×10 px, moderate contrast) is seen; a 2×2 speck is not', async (t) => {
  const far = warmed({}, 2);
  const seen = walk(far.d, far.rnd, { y: 100, w: 4, h: 10, value: 60 }, 10).filter((v) => v.motion).length;
  t.ok(seen >= 8, `distant person seen in ${seen}/10 frames`);
  const speck = warmed({}, 3);
  t.equal(walk(speck.d, speck.rnd, { y: 100, w: 2, h: 2, value: 250 }, 10).filter((v) => v.motion).length, 0, 'speck ignored');
});

t.test('a one-frame glitch is never an episode', async (t) => {
  const { d, rnd } = warmed({}, 4);
  const tracker = new MotionTracker({ minFrames: 2, endAfterMs: 3000, maxEpisodeMs: 60_000 });
  let now = 0;
  const episodes = [];
  for (let i = 0; i < 40; i++) {
    const frame = i === 20 ? withBox(withNoise(bg, 6, rnd), W, { x: 100, y: 40, w: 40, h: 40 }, 250) : withNoise(bg, 6, rnd);
    const e = tracker.update(d.analyse(frame), (now += 200));
    if (e) episodes.push(e);
  }
  t.same(episodes, []);
});

t.test('lighting: a uniform exposure step is compensated, a partial floodlight re-baselines, and detection resumes', async (t) => {
  const { d, rnd } = warmed({}, 5);
  const brighter = bg.map((v) => Math.min(255, v + 35));
  const step = d.analyse(withNoise(brighter, 6, rnd));
  t.equal(step.motion, false, 'uniform step: no motion');
  // A lamp: bright near the top-left corner, fading across the frame.
  const lamp = bg.map((v, i) => Math.min(255, v + Math.max(0, 90 - ((i % W) + Math.floor(i / W)) / 3)));
  const first = d.analyse(withNoise(lamp, 6, rnd));
  t.equal(first.skipped, 'rebaseline', 'most of the frame changed: re-baseline');
  const after: FrameVerdict[] = [];
  for (let i = 0; i < 8; i++) after.push(d.analyse(withNoise(lamp, 6, rnd)));
  t.ok(after.every((v) => !v.motion), 'no motion while it settles under the new light');
  t.ok(after.some((v) => v.skipped === 'settling'), 'settling frames reported');
  const block = withBox(lamp, W, { x: 200, y: 60, w: 14, h: 34 }, 10);
  const seen = [0, 1, 2, 3, 4].map(() => d.analyse(withNoise(block, 6, rnd))).filter((v) => v.motion).length;
  t.ok(seen >= 3, 'an intruder under the new light is detected');
});

t.test('IR switch: colour collapsing to grey re-baselines and selects the night profile; colour returning selects day', async (t) => {
  const colour = (f: Uint8Array) => withChroma(f, W, H, 110, 150);
  const grey = (f: Uint8Array) => withChroma(f, W, H, 128, 128);
  const { d, rnd } = warmed({ chroma: true }, 6, 30, colour);
  t.equal(d.frameSize, W * H * 1.5, 'yuv420p frames');
  const ir = bg.map((v) => Math.min(255, Math.round(v * 0.6 + 70)));
  const verdicts = Array.from({ length: 12 }, () => d.analyse(grey(withNoise(ir, 6, rnd))));
  t.ok(verdicts.every((v) => !v.motion), 'no motion through the switch');
  t.ok(verdicts.some((v) => v.skipped === 'rebaseline'), 're-baselined');
  t.equal(verdicts.at(-1)?.night, true, 'night profile');
  const back = Array.from({ length: 12 }, () => d.analyse(colour(withNoise(bg, 6, rnd))));
  t.ok(back.every((v) => !v.motion), 'no motion switching back');
  t.equal(back.at(-1)?.night, false, 'day profile again');
});

t.test('a half-grey frame after packet loss is dropped without touching the background', async (t) => {
  const { d, rnd } = warmed({}, 7);
  const broken = withNoise(bg, 6, rnd);
  broken.fill(128, W * Math.floor(H * 0.55)); // the decoder's fill below the lost slices
  const v = d.analyse(broken);
  t.equal(v.skipped, 'corrupt');
  t.equal(v.motion, false);
  const next = [0, 1, 2].map(() => d.analyse(withNoise(bg, 6, rnd)));
  t.ok(next.every((n) => !n.motion && n.skipped === undefined), 'the next good frames compare cleanly: nothing was learned from it');
});

t.test('after the decoder reports damage, frames are dropped until it has passed, then compared afresh', async (t) => {
  const { d, rnd } = warmed({ damageHoldFrames: 4 }, 8);
  d.noteDamage();
  const smeared = withBox(withNoise(bg, 6, rnd), W, { x: 80, y: 40, w: 60, h: 50 }, 200);
  const held = [0, 1, 2, 3].map(() => d.analyse(smeared));
  t.same(held.map((v) => v.skipped), ['damaged', 'damaged', 'damaged', 'damaged']);
  const after = [0, 1, 2, 3, 4, 5, 6, 7].map(() => d.analyse(withNoise(bg, 6, rnd)));
  t.ok(after.every((v) => !v.motion), 'no motion from the artefacts');
});

t.test('rain: thin streaks all over the frame, and where two streaks touch, are not motion', async (t) => {
  const { d, rnd } = warmed({}, 9);
  let motion = 0;
  for (let i = 0; i < 150; i++) if (d.analyse(withNoise(withRain(bg, W, H, 120, 12, rnd), 6, rnd)).motion) motion++;
  t.equal(motion, 0);
});

t.test('a cell that fires all the time is muted, and unmuted once it calms down', async (t) => {
  const { d, rnd } = warmed({}, 10);
  const branch = (k: number) => withBox(bg, W, { x: 240 + Math.round(10 * Math.sin(k / 1.5)), y: 20, w: 24, h: 20 }, 30);
  const verdicts = Array.from({ length: 60 }, (_, k) => d.analyse(withNoise(branch(k), 6, rnd)));
  const lastMotion = verdicts.map((v) => v.motion).lastIndexOf(true);
  t.ok(lastMotion < 20, `the branch stops counting after a few seconds (last motion frame ${lastMotion})`);
  t.ok(d.mutedCells > 0, `cells muted (${d.mutedCells})`);
  // Activity is averaged over ~150 frames: a calm minute or so unmutes the tree.
  let calm = 0;
  while (d.mutedCells > 0 && calm < 1000) {
    d.analyse(withNoise(bg, 6, rnd));
    calm++;
  }
  t.equal(d.mutedCells, 0, 'calm again: unmuted');
  t.ok(calm > 100 && calm < 600, `after ${calm} calm frames`);
  const person = walk(d, rnd, { y: 20, w: 12, h: 32, value: 20 }, 6, 220);
  t.ok(person.filter((v) => v.motion).length >= 4, 'a person where the branch was is seen again');
});

t.test('a blob only on the fringe of muted cells (the branch reaching further) is not motion; one beyond it is', async (t) => {
  const { d, rnd } = warmed({}, 14);
  const sway = (k: number, reach = 0) => withBox(bg, W, { x: 240 + Math.round(10 * Math.sin(k / 1.5)) + reach, y: 20, w: 24, h: 20 }, 30);
  for (let k = 0; k < 60; k++) d.analyse(withNoise(sway(k), 6, rnd));
  t.ok(d.mutedCells > 0, 'branch muted');
  const further = [60, 61, 62, 63].map((k) => d.analyse(withNoise(sway(k, 6), 6, rnd)));
  t.equal(further.filter((v) => v.motion).length, 0, 'reaching 6 px further is nothing');
  const person = [0, 1, 2, 3, 4, 5].map((k) => d.analyse(withNoise(withBox(sway(64 + k), W, { x: 120 + 8 * k, y: 100, w: 12, h: 32 }, 20), 6, rnd)));
  t.ok(person.filter((v) => v.motion).length >= 4, 'a person elsewhere is still seen while the branch sways');
});

t.test('masks: motion only inside a privacy or ignore mask is never reported', async (t) => {
  const left = { points: [[0, 0], [0.5, 0], [0.5, 1], [0, 1]] as Array<[number, number]> };
  for (const kind of ['privacy', 'ignore'] as const) {
    const { d, rnd } = warmed({ masks: [{ kind, ...left }] }, 11);
    const inside = walk(d, rnd, { y: 60, w: 12, h: 32, value: 20 }, 10, 20);
    t.equal(inside.filter((v) => v.motion).length, 0, `${kind}: nothing inside the mask`);
    const outside = walk(d, rnd, { y: 60, w: 12, h: 32, value: 20 }, 8, 180);
    t.ok(outside.filter((v) => v.motion).length >= 6, `${kind}: seen outside the mask`);
  }
});

t.test('sensitivity: a faint small object is seen at 9 and not at 2', async (t) => {
  const faint = { y: 100, w: 5, h: 8, value: 115 };
  const high = warmed({ sensitivity: 9 }, 12);
  const low = warmed({ sensitivity: 2 }, 12);
  t.ok(walk(high.d, high.rnd, faint, 8).filter((v) => v.motion).length >= 5, 'sensitivity 9 sees it');
  t.equal(walk(low.d, low.rnd, faint, 8).filter((v) => v.motion).length, 0, 'sensitivity 2 does not');
});

t.test('nothing is reported during warm-up, and frames of the wrong size are refused', async (t) => {
  const d = new MotionDetector({ ...opts, warmupFrames: 5 });
  const rnd = seededRandom(13);
  d.analyse(withNoise(bg, 6, rnd));
  const early = [0, 1, 2].map(() => d.analyse(withNoise(withBox(bg, W, { x: 50, y: 50, w: 20, h: 30 }, 10), 6, rnd)));
  t.ok(early.every((v) => !v.motion && v.skipped === 'warmup'));
  t.throws(() => d.analyse(new Uint8Array(10)), RangeError);
});

t.test('patrol: the first person to walk by soon after a start is seen on the first keyframe they are in', async (t) => {
  // The patrol profile as the service builds it: one keyframe every 2 s, a blob counts on the first
  // keyframe it shows in, two keyframes of warm-up.
  const d = createDetector(buildConfig({}).motion, undefined, 'patrol');
  const rnd = seededRandom(11);
  const colour = (luma: Uint8Array) => withChroma(luma, W, H, 110, 140);
  const quiet = [1, 2, 3].map(() => d.analyse(colour(withNoise(bg, 6, rnd))));
  t.same(quiet.map((v) => v.motion), [false, false, false], 'three quiet keyframes');
  // Keyframe 4: the person is in view (on the next keyframe they are 320 px further, gone).
  const seen = d.analyse(colour(withNoise(withBox(bg, W, { x: 40, y: 60, w: 24, h: 64 }, 20), 6, rnd)));
  t.ok(seen.motion, `keyframe 4 is motion (a plain running mean of the activity muted the cells: 1 of 4 frames > 0.2) ${JSON.stringify(seen)}`);
});
