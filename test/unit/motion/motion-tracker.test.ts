import t from 'tap';
import { MotionTracker, type EpisodeEvent } from '../../../src/motion/motion-tracker.js';

const still = { motion: false, score: 0, box: null };
const moving = (score = 0.05) => ({ motion: true, score, box: { x: 1, y: 2, w: 3, h: 4 } });

function drive(tracker: MotionTracker, frames: boolean[], stepMs = 200): Array<EpisodeEvent & { at: number }> {
  const out: Array<EpisodeEvent & { at: number }> = [];
  frames.forEach((m, i) => {
    const at = (i + 1) * stepMs;
    const e = tracker.update(m ? moving() : still, at);
    if (e) out.push({ ...e, at });
  });
  return out;
}

t.test('an episode starts after minFrames and ends after the quiet time', async (t) => {
  const tr = new MotionTracker({ minFrames: 2, endAfterMs: 1000, maxEpisodeMs: 60_000 });
  const frames = [false, true, true, true, false, false, false, false, false, false];
  const events = drive(tr, frames);
  t.equal(events.length, 2);
  t.match(events[0], { kind: 'start', startedAt: 400, at: 600 });
  t.match(events[1], { kind: 'end', startedAt: 400, endedAt: 800, forced: false, at: 1800 });
});

t.test('motion that never stops is closed by the cap, and a new episode needs a quiet frame first', async (t) => {
  const tr = new MotionTracker({ minFrames: 1, endAfterMs: 1000, maxEpisodeMs: 2000 });
  const events = drive(tr, [...Array(20).fill(true), false, true]);
  t.match(events.map((e) => e.kind), ['start', 'end', 'start']);
  t.equal((events[1] as { forced: boolean }).forced, true);
});

t.test('flush closes an open episode once', async (t) => {
  const tr = new MotionTracker({ minFrames: 1, endAfterMs: 1000, maxEpisodeMs: 60_000 });
  drive(tr, [true, true]);
  t.match(tr.flush(5000), { kind: 'end', endedAt: 400, forced: true });
  t.equal(tr.flush(6000), null);
});

t.test('a growing episode reports updates, no more often than the interval', async (t) => {
  const tr = new MotionTracker({ minFrames: 1, endAfterMs: 1000, maxEpisodeMs: 60_000, updateScoreFactor: 1.5, updateMinIntervalMs: 500 });
  const scores = [0.01, 0.012, 0.02, 0.03, 0.031, 0.05, 0.2, 0.21];
  const out = scores.map((score, i) => tr.update({ motion: true, score, box: null }, (i + 1) * 200)).filter((e) => e !== null);
  // start 0.01 @200; 0.02 @600 has grown enough but comes too soon; 0.03 @800 reports;
  // 0.05 @1200 is too soon after that; 0.2 @1400 reports.
  t.same(out.map((e) => e?.kind), ['start', 'update', 'update']);
  t.same(out.slice(1).map((e) => (e as { score: number }).score), [0.03, 0.2]);
});
