import t from 'tap';
import { LiveQueue, type QueuedMessage } from '../../../src/live/live-queue.js';

const upd = (n: string, ev = n): QueuedMessage => ({ text: `u${n}`, droppable: true, supersedes: `update:${ev}` });
const neu = (n: string): QueuedMessage => ({ text: `n${n}`, droppable: false });
const drain = (q: LiveQueue) => { const out: string[] = []; for (let m = q.shift(); m; m = q.shift()) out.push(m.text); return out; };

t.test('a later update of the same event replaces the queued one', async (t) => {
  const q = new LiveQueue(10);
  q.push(neu('1'));
  q.push(upd('a', 'e1'));
  q.push(upd('b', 'e1'));
  t.same(drain(q), ['n1', 'ub']);
  t.equal(q.dropped, 1);
});

t.test('full: the oldest update goes first, never a new', async (t) => {
  const q = new LiveQueue(3);
  q.push(neu('1'));
  q.push(upd('1'));
  q.push(upd('2'));
  t.equal(q.push(neu('2')), 'queued');
  t.same(drain(q), ['n1', 'u2', 'n2']);
});

t.test('full of non-droppables: an incoming update is dropped, an incoming new overflows', async (t) => {
  const q = new LiveQueue(2);
  q.push(neu('1'));
  q.push(neu('2'));
  t.equal(q.push(upd('x')), 'dropped');
  t.equal(q.push(neu('3')), 'overflow');
  t.same(drain(q), ['n1', 'n2'], 'nothing queued was lost');
});

t.test('memory stays bounded whatever arrives', async (t) => {
  const q = new LiveQueue(50);
  for (let i = 0; i < 10_000; i++) q.push(upd(String(i)));
  t.equal(q.length, 50);
  t.throws(() => new LiveQueue(0));
});
