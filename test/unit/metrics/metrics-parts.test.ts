import t from 'tap';
import { uuidv7 } from 'uuidv7';
import { cachedAsync, withDeadline } from '../../../src/metrics/cached.js';
import { statusCounts } from '../../../src/metrics/camera-figures.js';
import { detectedAtOf } from '../../../src/metrics/detection-time.js';
import { RunningTotals } from '../../../src/metrics/running-totals.js';
import { parsePromText } from '../../helpers/prom-text.js';

t.test('running totals only grow, across a source that restarts from zero', async (t) => {
  const r = new RunningTotals();
  t.same([r.delta('a', 5), r.delta('a', 12), r.delta('a', 12), r.delta('a', 3), r.delta('a', 4)], [5, 7, 0, 3, 1]);
  t.equal(r.delta('b', 2), 2, 'a new key counts from zero');
  t.same(r.retain(new Set(['b'])), ['a'], 'keys no longer present are forgotten');
  t.equal(r.delta('a', 4), 4, 'and counted afresh when they come back');
});

t.test('detection time comes from the UUIDv7 of an event\'s first `new` message only', async (t) => {
  const before = Date.now();
  const id = uuidv7();
  const at = detectedAtOf(`${id}:new:0`);
  t.ok(at !== null && at >= before && at <= Date.now(), 'the id\'s millisecond time');
  t.equal(detectedAtOf(`0190a3b4-5c6d-7000-8000-000000000000:new:0`), 0x0190a3b45c6d);
  t.equal(detectedAtOf(`${id}:new:1`), null, 'the other messages of the step are not timed again');
  t.equal(detectedAtOf(`${id}:end:0`), null);
  t.equal(detectedAtOf(`${id}:update:1:0`), null);
  t.equal(detectedAtOf('avail:door:1700000000000:1:0'), null);
  t.equal(detectedAtOf('0190a3b4-5c6d-4000-8000-000000000000:new:0'), null, 'a UUID of another version carries no time');
});

t.test('cachedAsync reads at most once per ttl, shares a read in flight, and remembers failures', async (t) => {
  let now = 1000;
  let reads = 0;
  let fail = false;
  const read = cachedAsync(async () => {
    reads++;
    if (fail) throw new Error('redis away');
    return reads;
  }, 5000, () => now);
  const [a, b] = await Promise.all([read(), read()]);
  t.same([a, b, reads], [{ ok: true, value: 1 }, { ok: true, value: 1 }, 1], 'two scrapes at once, one read');
  now += 4999;
  t.same(await read(), { ok: true, value: 1 }, 'cached within the ttl');
  now += 1;
  fail = true;
  const failed = await read();
  t.equal(failed.ok, false);
  t.equal(failed.error?.message, 'redis away');
  t.equal(reads, 2);
  now += 100;
  t.equal((await read()).ok, false, 'the failure is cached too: a dead Redis is not asked by every scrape');
  t.equal(reads, 2);
});

t.test('withDeadline gives up on a read that hangs', async (t) => {
  await t.rejects(withDeadline(new Promise(() => {}), 20, 'queue counts'), /queue counts timed out after 20 ms/);
  t.equal(await withDeadline(Promise.resolve(7), 1000, 'x'), 7);
});

t.test('cameras per status always name every status', async (t) => {
  t.same(statusCounts([{ status: 'online' }, { status: 'online' }, { status: 'offline' }]), { starting: 0, online: 2, offline: 1, stopped: 0 });
  t.same(statusCounts([]), { starting: 0, online: 0, offline: 0, stopped: 0 });
});

t.test('the test reader of the text format is strict', async (t) => {
  const p = parsePromText('# HELP x_total Things\n# TYPE x_total counter\nx_total{node="n1",camera="a\\"b"} 3\ny 1.5e+3 1700000000\nz{le="+Inf"} +Inf\n');
  t.equal(p.value('x_total', { camera: 'a"b' }), 3);
  t.equal(p.value('y'), 1500);
  t.equal(p.types.get('x_total'), 'counter');
  t.throws(() => parsePromText('x_total{node=n1} 3'), /bad labels/);
  t.throws(() => parsePromText('x_total 3 4 5'), /bad sample line/);
  t.throws(() => parsePromText('x_total three'), /bad value/);
});
