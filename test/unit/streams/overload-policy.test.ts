import t from 'tap';
import { analysisFps, escalationHeld, MAX_OVERLOAD_LEVEL, OverloadPolicy } from '../../../src/streams/overload-policy.js';

const thresholds = { loopDelayMs: 200, cpuBusy: 0.95, raiseAfter: 3, lowerAfter: 5 };
const hot = { loopDelayMs: 10, cpuBusy: 0.99 };
const calm = { loopDelayMs: 10, cpuBusy: 0.3 };
const between = { loopDelayMs: 150, cpuBusy: 0.8 };

t.test('steps down one level after raiseAfter overloaded samples in a row', async (t) => {
  const p = new OverloadPolicy(thresholds);
  t.equal(p.observe(hot), null);
  t.equal(p.observe(hot), null);
  t.match(p.observe(hot), { level: 1, from: 0, why: /cpu 99%/ });
  t.equal(p.observe(hot), null, 'the count starts again after a step');
  t.equal(p.observe(hot), null);
  t.match(p.observe(hot), { level: 2, from: 1 });
});

t.test('event-loop delay alone counts as overload; a calm sample breaks the run', async (t) => {
  const p = new OverloadPolicy(thresholds);
  const late = { loopDelayMs: 450, cpuBusy: null };
  p.observe(late);
  p.observe(late);
  p.observe(calm);
  t.equal(p.observe(late), null);
  p.observe(late);
  t.match(p.observe(late), { level: 1, why: /loop delay 450 ms, cpu n\/a/ });
});

t.test('hysteresis: between the calm and the hot thresholds the level holds', async (t) => {
  const p = new OverloadPolicy(thresholds);
  for (let i = 0; i < 3; i++) p.observe(hot);
  t.equal(p.level, 1);
  for (let i = 0; i < 50; i++) t.equal(p.observe(between), null);
  t.equal(p.level, 1);
  for (let i = 0; i < 4; i++) t.equal(p.observe(calm), null);
  t.match(p.observe(calm), { level: 0, from: 1 });
});

t.test('never beyond the last level, never below 0', async (t) => {
  const p = new OverloadPolicy(thresholds);
  for (let i = 0; i < 100; i++) p.observe(hot);
  t.equal(p.level, MAX_OVERLOAD_LEVEL);
  for (let i = 0; i < 1000; i++) p.observe(calm);
  t.equal(p.level, 0);
});

t.test('patrol cameras lose analysis rate first, then full ones, never below 1 fps', async (t) => {
  const normal = { patrolFps: 1, fullFps: 5 };
  const rates = Array.from({ length: MAX_OVERLOAD_LEVEL + 1 }, (_, l) => [analysisFps('patrol', l, normal), analysisFps('full', l, normal)]);
  t.same(rates[0], [1, 5]);
  t.ok(rates[1]![0]! < 1 && rates[1]![1] === 5, 'level 1: only patrol is slower');
  const firstFull = rates.findIndex((r) => r[1]! < 5);
  const lastPatrol = rates.findIndex((r) => r[0] === rates.at(-1)![0]);
  t.ok(firstFull > lastPatrol, 'full cameras slow down only once patrol ones are at their lowest');
  for (let l = 1; l < rates.length; l++) {
    t.ok(rates[l]![0]! <= rates[l - 1]![0]! && rates[l]![1]! <= rates[l - 1]![1]!, `level ${l} is never faster than level ${l - 1}`);
    t.ok(rates[l]![1]! >= 1);
  }
  t.equal(analysisFps('full', MAX_OVERLOAD_LEVEL, { patrolFps: 1, fullFps: 0.5 }), 0.5, 'a camera configured below 1 fps keeps its rate');
});

t.test('escalations are held at the last level only', async (t) => {
  const held = Array.from({ length: MAX_OVERLOAD_LEVEL + 1 }, (_, l) => escalationHeld(l));
  t.same(held, [...Array<boolean>(MAX_OVERLOAD_LEVEL).fill(false), true]);
});
