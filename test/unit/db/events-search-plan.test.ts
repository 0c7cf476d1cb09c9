// The history queries' SQLite plans, as the service runs them (no ANALYZE statistics): each typical
// query walks one (…, started_at, id) index and never sorts, so a page costs the same however deep it
// is; one camera's pages are read from the covering index alone (migration 0006). (PostgreSQL's plans
// depend on its statistics; bench:history --explain prints them at scale.)

import t from 'tap';
import type { EventSearch } from '../../../src/db/event-search.js';
import { Database } from '../../../src/db/database.js';
import { EventsRepository } from '../../../src/db/events.repository.js';

const officers = { kind: 'shared-with-officers' } as const;
const CASES: [string, EventSearch, string][] = [
  ['one camera, one night (household)', { scope: { kind: 'household', householdId: 'hh1' }, cameraId: 'c1', from: 0, to: 10, limit: 50 }, 'COVERING INDEX events_camera_cover'],
  ['one zone, one week (officer)', { scope: officers, zone: 'z1', from: 0, to: 10, limit: 50 }, 'events_zone_time'],
  ['all cameras, one hour (police)', { scope: { kind: 'police-viewable' }, from: 0, to: 10, limit: 50 }, 'events_time'],
  ['a deep page (officer)', { scope: officers, after: { startedAt: 5, id: 'x' }, limit: 50 }, 'events_time'],
  ['a deep page of one camera (officer)', { scope: officers, cameraId: 'c1', after: { startedAt: 5, id: 'x' }, limit: 50 }, 'COVERING INDEX events_camera_cover'],
  ['one camera, one night (admin)', { scope: { kind: 'all' }, cameraId: 'c1', from: 0, to: 10, limit: 50 }, 'COVERING INDEX events_camera_cover'],
  ['everything (admin)', { scope: { kind: 'all' }, limit: 50 }, 'events_time'],
];

t.test('each typical history query walks an index in its order, without a sort', async (t) => {
  const db = new Database(':memory:');
  await db.start();
  t.teardown(() => db.close());
  const repo = new EventsRepository(db.db);
  for (const [name, q, index] of CASES) {
    const c = repo.searchQuery(q).compile();
    const plan = (db.sqlite.prepare(`explain query plan ${c.sql}`).all(...(c.parameters as unknown[])) as { detail: string }[]).map((r) => r.detail).join('\n');
    // A one-camera page must be COVERING: its rows then lie together in the index, not on ~50 table pages.
    const uses = index.startsWith('COVERING') ? index : `(COVERING )?INDEX ${index}`;
    t.match(plan, new RegExp(`(SEARCH|SCAN) events USING ${uses}\\b`), `${name}: ${plan.replaceAll('\n', ' | ')}`);
    t.notMatch(plan, /TEMP B-TREE/, `${name}: no sort`);
  }
});
