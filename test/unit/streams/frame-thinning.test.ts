import t from 'tap';
import { FrameThinning } from '../../../src/streams/frame-thinning.js';

/** Arrival times (ms) of `n` frames `every` ms apart, each early or late by up to `jitter` ms (deterministic). */
function arrivals(n: number, every: number, jitter: number): number[] {
  return Array.from({ length: n }, (_, i) => i * every + (i === 0 ? 0 : (((i * 7) % 11) - 5) / 5) * jitter);
}

function admitted(rate: number, times: number[]): number {
  const f = new FrameThinning();
  f.setRate(rate);
  return times.filter((at) => f.admit(at)).length;
}

t.test('no rate set: every frame', async (t) => {
  const f = new FrameThinning();
  t.ok([0, 1, 2, 3].every((at) => f.admit(at)));
});

t.test('keyframes every 2 s with jitter at a 0.5/s limit: none dropped', async (t) => {
  const times = arrivals(60, 2000, 300);
  t.ok(times.some((x, i) => i > 0 && x - times[i - 1]! < 1800), 'some come closer than 0.9 of the interval');
  t.equal(admitted(0.5, times), 60);
});

t.test('the limit holds on average', async (t) => {
  const times = arrivals(60, 2000, 300); // 118 s of keyframes
  const quarter = admitted(0.25, times);
  t.ok(quarter >= 29 && quarter <= 31, `0.25/s over 118 s: ${quarter}`);
  const fast = arrivals(300, 200, 50); // 5 fps for 60 s
  const one = admitted(1, fast);
  t.ok(one >= 59 && one <= 62, `1/s over 60 s: ${one}`);
});

t.test('back to no limit: every frame again', async (t) => {
  const f = new FrameThinning();
  f.setRate(0.1);
  t.ok(f.admit(0));
  t.ok(f.admit(100), 'one early frame may use the credit built up');
  t.notOk(f.admit(200), 'then the limit holds');
  f.setRate(Number.POSITIVE_INFINITY);
  t.ok(f.admit(300));
});
