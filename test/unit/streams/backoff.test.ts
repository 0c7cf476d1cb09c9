import t from 'tap';
import { backoffDelay } from '../../../src/streams/backoff.js';

t.test('stepped, capped and jittered', async (t) => {
  const o = { initialMs: 1000, maxMs: 30_000, jitter: 0.5 };
  t.same([1, 2, 3, 4, 5, 6, 7].map((a) => backoffDelay(a, o, () => 0)), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
  t.equal(backoffDelay(3, o, () => 1), 2000, 'full jitter halves the step');
  const spread = new Set(Array.from({ length: 50 }, () => backoffDelay(6, o)));
  t.ok(spread.size > 10, 'cameras restarting together spread out');
  for (const d of spread) t.ok(d >= 15_000 && d <= 30_000);
});
