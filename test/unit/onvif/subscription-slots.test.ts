import t from 'tap';
import { SubscriptionSlots } from '../../../src/onvif/subscription-slots.js';

t.test('a cap with FIFO waiters', async (t) => {
  const slots = new SubscriptionSlots(2);
  const a = await slots.acquire();
  const b = await slots.acquire();
  const order: string[] = [];
  const c = slots.acquire().then((r) => (order.push('c'), r));
  const d = slots.acquire().then((r) => (order.push('d'), r));
  t.equal(slots.inUse, 2);
  t.equal(slots.waiting, 2);
  b();
  b(); // a second release of the same slot changes nothing
  const rc = await c;
  t.same(order, ['c'], 'the oldest waiter gets the freed slot; a double release freed only one');
  t.equal(slots.inUse, 2);
  a();
  const rd = await d;
  t.same(order, ['c', 'd']);
  rc();
  rd();
  t.equal(slots.inUse, 0);
  t.equal(slots.waiting, 0);
});

t.test('an aborted waiter leaves the queue and never takes a slot', async (t) => {
  const slots = new SubscriptionSlots(1);
  const a = await slots.acquire();
  const ac = new AbortController();
  const aborted = slots.acquire(ac.signal);
  const next = slots.acquire();
  ac.abort();
  await t.rejects(aborted);
  t.equal(slots.waiting, 1);
  a();
  const r = await next;
  t.equal(slots.inUse, 1);
  r();
  await t.rejects(slots.acquire(AbortSignal.abort()), 'already aborted');
  t.throws(() => new SubscriptionSlots(0));
});
