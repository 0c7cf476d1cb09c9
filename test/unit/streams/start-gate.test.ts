import t from 'tap';
import { StartGate } from '../../../src/streams/start-gate.js';

t.test('at most `limit` holders; a release hands the slot to the next in line, in order', async (t) => {
  const gate = new StartGate(2);
  const order: number[] = [];
  const a = await gate.acquire();
  const b = await gate.acquire();
  const c = gate.acquire().then((r) => { order.push(3); return r; });
  const d = gate.acquire().then((r) => { order.push(4); return r; });
  await Promise.resolve();
  t.equal(gate.waiting, 2);
  t.same(order, []);
  a();
  a(); // a second release of the same slot frees nothing more
  const rc = await c;
  t.same(order, [3]);
  t.equal(gate.waiting, 1);
  b();
  const rd = await d;
  t.same(order, [3, 4]);
  rc();
  rd();
  const e = await gate.acquire();
  const f = await gate.acquire();
  t.equal(gate.waiting, 0, 'both slots free again');
  e();
  f();
});
