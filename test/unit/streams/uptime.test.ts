import t from 'tap';
import { UptimeCounter } from '../../../src/streams/uptime.js';

t.test('seconds up and down since the start; nothing before start or after stop', async (t) => {
  const u = new UptimeCounter();
  u.set(true, 0);
  t.same(u.totals(5000), { uptimeSec: 0, downtimeSec: 0 }, 'not counting before start');
  u.start(10_000);
  t.same(u.totals(11_500), { uptimeSec: 0, downtimeSec: 1 }, 'connecting counts as down');
  u.set(true, 12_000);
  t.same(u.totals(42_000), { uptimeSec: 30, downtimeSec: 2 });
  u.set(false, 42_000);
  u.set(true, 47_000);
  u.stop(57_000);
  t.same(u.totals(99_000), { uptimeSec: 40, downtimeSec: 7 }, 'stopped: totals stay');
});
