// The camera registry's SQL (cameras.repository.ts) on SQLite and PostgreSQL alike.

import { CamerasRepository, type NewCameraRow } from '../../../src/db/cameras.repository.js';
import { forEachStore } from '../../helpers/stores.js';

const cam = (id: string, over: Partial<NewCameraRow> = {}): NewCameraRow => ({
  id, name: id, kind: 'household', household_id: 'hh1', zone: 'z1', lat: 21.0285, lon: 105.8542, status: 'online', source: 'config',
  share_with_officers: 1, police_may_view: 0, created_at: 1_764_500_000_000, updated_at: 1_764_500_000_000, ...over,
});

forEachStore((t, stores) => {
  t.test('insert, upsert (created_at kept), update, conditional status, list in creation order', async (t) => {
    const repo = new CamerasRepository((await stores.open(t)).db);
    await repo.insert(cam('b', { created_at: 2 }));
    await repo.insert(cam('a', { created_at: 1, source: 'api' }));
    await repo.upsert(cam('b', { name: 'B2', created_at: 99, updated_at: 5 }));
    await repo.upsert(cam('c', { created_at: 3 }));
    t.match(await repo.findById('b'), { name: 'B2', created_at: 2, updated_at: 5, lat: 21.0285, share_with_officers: 1 });
    t.same((await repo.list()).map((r) => r.id), ['a', 'b', 'c']);
    t.equal(await repo.update('a', { name: 'A2', police_may_view: 1 }), true);
    t.equal(await repo.update('nope', { name: 'x' }), false);
    t.match(await repo.findById('a'), { name: 'A2', police_may_view: 1 });
    await repo.setStatusIf('a', ['online'], 'offline', 7);
    await repo.setStatusIf('b', ['probing'], 'offline', 7);
    t.match(await repo.findById('a'), { status: 'offline', updated_at: 7 });
    t.match(await repo.findById('b'), { status: 'online' }, 'only from the listed states');
  });

  t.test('config cameras not kept are deleted and named; api cameras stay', async (t) => {
    const repo = new CamerasRepository((await stores.open(t)).db);
    for (const id of ['k', 'x', 'y']) await repo.insert(cam(id));
    await repo.insert(cam('api1', { source: 'api' }));
    t.same((await repo.deleteConfigExcept(['k'])).sort(), ['x', 'y']);
    t.same((await repo.list()).map((r) => r.id).sort(), ['api1', 'k']);
    t.equal(await repo.delete('k'), true);
    t.equal(await repo.delete('k'), false);
  });
});
