import t from 'tap';
import { StartGate } from '../../../src/streams/start-gate.js';

t.test('at most `limit` holders; a release hands the slot to the next in line, in order', async (t) => {
  const gate = new StartGate(2);
  const order: number[] = [];
  const a = await gate.acquire();
  t.notOk(gate.full, 'a slot left');
  const b = await gate.acquire();
  t.ok(gate.full, 'every slot taken');
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
  t.notOk(gate.full, 'the slots freed');
  const e = await gate.acquire();
  const f = await gate.acquire();
  t.equal(gate.waiting, 0, 'both slots free again');
  e();
  t.notOk(gate.full);
  f();
});

t.test('an urgent start (an escalation) goes ahead of routine starts already waiting, after earlier urgent ones', async (t) => {
  const gate = new StartGate(1);
  const order: string[] = [];
  const holder = await gate.acquire();
  const wait = (name: string, priority: 'urgent' | 'routine') => gate.acquire(priority).then((release) => { order.push(name); release(); });
  const all = [wait('restart-1', 'routine'), wait('restart-2', 'routine'), wait('escalate-1', 'urgent'), wait('escalate-2', 'urgent')];
  await Promise.resolve();
  t.equal(gate.waiting, 4);
  holder();
  await Promise.all(all);
  t.same(order, ['escalate-1', 'escalate-2', 'restart-1', 'restart-2']);
  t.equal(gate.waiting, 0);
});
