import t from 'tap';
import { coverage, type WatchRecord } from '../../../src/cluster/watch-coverage.js';

const r = (camera: string, node: string, event: WatchRecord['event'], at: number): WatchRecord => ({ camera, node, event, at });

t.test('a hand-over with a gap: unwatched time, no duplicates', async (t) => {
  const records = [r('c1', 'a', 'start', 0), r('c1', 'a', 'stop', 100), r('c1', 'b', 'start', 130)];
  const [c] = coverage(records, ['c1'], new Map(), 0, 200);
  t.same(c, { camera: 'c1', unwatchedMs: 30, duplicateMs: 0, longestGapMs: 30 });
});

t.test('a killed node writes no stop: its watch ends when it died', async (t) => {
  const records = [r('c1', 'a', 'start', 0), r('c1', 'b', 'start', 150)];
  const [c] = coverage(records, ['c1'], new Map([['a', 100]]), 0, 200);
  t.equal(c!.unwatchedMs, 50);
  t.equal(c!.duplicateMs, 0);
});

t.test('two nodes at once count as duplicate time', async (t) => {
  const records = [r('c1', 'a', 'start', 0), r('c1', 'b', 'start', 80), r('c1', 'a', 'stop', 100)];
  const [c] = coverage(records, ['c1'], new Map(), 0, 200);
  t.equal(c!.duplicateMs, 20);
  t.equal(c!.unwatchedMs, 0);
});

t.test('a stop and a start at the same instant are neither a gap nor a duplicate', async (t) => {
  const records = [r('c1', 'a', 'start', 0), r('c1', 'a', 'stop', 100), r('c1', 'b', 'start', 100)];
  const [c] = coverage(records, ['c1'], new Map(), 0, 200);
  t.same([c!.unwatchedMs, c!.duplicateMs], [0, 0]);
});

t.test('a camera nobody watched is unwatched for the whole window; the window clips', async (t) => {
  const records = [r('c1', 'a', 'start', -500)];
  const [c1, c2] = coverage(records, ['c1', 'c2'], new Map(), 0, 200);
  t.equal(c1!.unwatchedMs, 0);
  t.equal(c2!.unwatchedMs, 200);
  t.equal(c2!.longestGapMs, 200);
});
