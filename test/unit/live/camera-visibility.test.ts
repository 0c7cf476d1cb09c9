import t from 'tap';
import { CameraVisibilityCache, visibleTo, type CameraVisibility } from '../../../src/live/camera-visibility.js';

const cam = (id: string, householdId: string | null, shareWithOfficers: boolean): CameraVisibility => ({ id, name: id, householdId, shareWithOfficers });

t.test('visibleTo: the history scopes, for one camera', async (t) => {
  const shared = cam('a', 'ho-1', true);
  const priv = cam('b', 'ho-2', false);
  t.ok(visibleTo({ kind: 'all' }, priv));
  t.ok(visibleTo({ kind: 'all' }, undefined), 'admins see events of removed cameras');
  t.ok(visibleTo({ kind: 'shared-with-officers' }, shared));
  t.notOk(visibleTo({ kind: 'shared-with-officers' }, priv));
  t.ok(visibleTo({ kind: 'household', householdId: 'ho-2' }, priv));
  t.notOk(visibleTo({ kind: 'household', householdId: 'ho-1' }, priv));
  t.notOk(visibleTo({ kind: 'household', householdId: 'ho-1' }, undefined));
  t.notOk(visibleTo({ kind: 'police-viewable' }, shared));
});

t.test('the cache loads once, reloads on invalidate, on a miss (not more often than the gap) and when old', async (t) => {
  let now = 1000;
  let rows = [cam('a', null, true)];
  let loads = 0;
  const c = new CameraVisibilityCache({ load: async () => { loads++; return rows; }, missReloadGapMs: 100, maxAgeMs: 10_000, now: () => now });
  t.equal((await c.get('a'))?.id, 'a');
  t.equal(await c.get('a') !== undefined, true);
  t.equal(loads, 1, 'hits do not reload');
  t.equal(await c.get('b'), undefined);
  t.equal(loads, 1, 'a miss right after a load does not reload');
  rows = [cam('a', null, true), cam('b', 'ho-1', false)];
  now += 200;
  t.equal((await c.get('b'))?.householdId, 'ho-1', 'a later miss reloads');
  t.equal(loads, 2);
  rows = [cam('a', null, false)];
  c.invalidate();
  t.equal((await c.get('a'))?.shareWithOfficers, false, 'invalidate reloads');
  t.equal(loads, 3);
  now += 20_000;
  await c.get('a');
  t.equal(loads, 4, 'old entries reload');
  const all = await Promise.all([c.invalidate(), c.get('a'), c.get('a')]);
  t.equal(all.length, 3);
  t.equal(loads, 5, 'concurrent lookups share one load');
});
