// EventsRepository.search on SQLite and PostgreSQL: every filter, every viewer scope as SQL, newest
// first with ties broken by id, and keyset pages that together are exactly the whole answer.
// The expected answers are computed from the seeded rows by a plain filter and sort in the test.

import type { ViewScope } from '../../../src/auth/viewer.js';
import type { EventSearch } from '../../../src/db/event-search.js';
import { EventsRepository, type EventRow } from '../../../src/db/events.repository.js';
import type { AppDatabase } from '../../../src/db/database.js';
import { forEachStore } from '../../helpers/stores.js';

const CAMERAS = [
  { id: 'c1', household_id: 'hh1', zone: 'z1', share_with_officers: 1, police_may_view: 1 },
  { id: 'c2', household_id: 'hh1', zone: 'z1', share_with_officers: 0, police_may_view: 0 },
  { id: 'c3', household_id: 'hh2', zone: 'z2', share_with_officers: 1, police_may_view: 0 },
  { id: 'c4', household_id: null, zone: 'z2', share_with_officers: 1, police_may_view: 1 },
  { id: 'c5', household_id: 'hh3', zone: 'z3', share_with_officers: 0, police_may_view: 1 },
];
const TYPES = ['motion', 'motion', 'covered', 'offline'];
const BASE = 1_764_500_000_000;

// Many events share a start time, so ties and page boundaries inside a tie are exercised.
const EVENTS: EventRow[] = Array.from({ length: 150 }, (_, i) => {
  const cam = CAMERAS[i % CAMERAS.length] as (typeof CAMERAS)[number];
  const at = BASE + ((i * 7919) % 40) * 1000;
  return {
    id: `e${String(i).padStart(3, '0')}`, camera_id: cam.id, zone: cam.zone, household_id: cam.household_id, type: TYPES[i % 4] as string,
    started_at: at, ended_at: null, score: ((i * 37) % 100) / 100, box: null, snapshot_path: null, snapshot_sha256: null,
    thumbnail_path: null, incident_id: null, alert: 'none', created_at: at, updated_at: at,
  };
});

async function seed(db: AppDatabase) {
  await db.db.insertInto('cameras').values(CAMERAS.map((c) => ({
    ...c, name: c.id, kind: 'household', status: 'online', source: 'api', created_at: 0, updated_at: 0,
  }))).execute();
  await db.db.insertInto('events').values(EVENTS).execute();
}

function visible(e: EventRow, scope: ViewScope): boolean {
  const cam = CAMERAS.find((c) => c.id === e.camera_id);
  switch (scope.kind) {
    case 'all': return true;
    case 'household': return e.household_id === scope.householdId;
    case 'shared-with-officers': return cam?.share_with_officers === 1;
    case 'police-viewable': return cam?.police_may_view === 1;
  }
}

/** The answer by a plain filter and sort, for comparison. */
function expected(q: Omit<EventSearch, 'limit'>): string[] {
  return EVENTS.filter((e) => visible(e, q.scope)
    && (q.cameraId === undefined || e.camera_id === q.cameraId) && (q.zone === undefined || e.zone === q.zone)
    && (q.householdId === undefined || e.household_id === q.householdId) && (q.type === undefined || e.type === q.type)
    && (q.from === undefined || e.started_at >= q.from) && (q.to === undefined || e.started_at < q.to)
    && (q.minScore === undefined || e.score >= q.minScore))
    .sort((a, b) => b.started_at - a.started_at || (a.id < b.id ? 1 : -1))
    .map((e) => e.id);
}

/** Every page, following each page's last row as the cursor. */
async function allPages(repo: EventsRepository, q: Omit<EventSearch, 'limit' | 'after'>, limit: number): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let after: EventSearch['after'];
  for (let pages = 1; ; pages++) {
    const page = await repo.search({ ...q, limit, after });
    ids.push(...page.map((r) => r.id));
    const last = page.at(-1);
    if (page.length < limit || !last) return { ids, pages };
    after = { startedAt: last.started_at, id: last.id };
  }
}

const ALL: ViewScope = { kind: 'all' };
const QUERIES: [string, Omit<EventSearch, 'limit'>][] = [
  ['everything', { scope: ALL }],
  ['one camera', { scope: ALL, cameraId: 'c3' }],
  ['one zone', { scope: ALL, zone: 'z1' }],
  ['one household', { scope: ALL, householdId: 'hh1' }],
  ['one type', { scope: ALL, type: 'covered' }],
  ['from (inclusive) to (exclusive)', { scope: ALL, from: BASE + 10_000, to: BASE + 20_000 }],
  ['minimum score (inclusive)', { scope: ALL, minScore: 0.5 }],
  ['filters together', { scope: ALL, zone: 'z2', type: 'motion', from: BASE + 5000, minScore: 0.2 }],
  ['household scope', { scope: { kind: 'household', householdId: 'hh1' } }],
  ['officer scope', { scope: { kind: 'shared-with-officers' } }],
  ['police scope', { scope: { kind: 'police-viewable' } }],
  ['out of scope: a scope does not widen a filter', { scope: { kind: 'household', householdId: 'hh2' }, cameraId: 'c1' }],
  ['out of scope: officers, a camera not shared', { scope: { kind: 'shared-with-officers' }, cameraId: 'c2' }],
  ['out of scope: police, a camera not viewable', { scope: { kind: 'police-viewable' }, cameraId: 'c3' }],
  ['officers, a shared camera', { scope: { kind: 'shared-with-officers' }, cameraId: 'c3' }],
  ['police, a viewable camera, a time range', { scope: { kind: 'police-viewable' }, cameraId: 'c5', from: BASE + 5000, to: BASE + 35_000 }],
  ['officer scope and a zone', { scope: { kind: 'shared-with-officers' }, zone: 'z1', to: BASE + 30_000 }],
];

forEachStore((t, stores) => {
  t.test('each filter and scope answers what a plain filter of the rows answers, newest first', async (t) => {
    const db = await stores.open(t);
    await seed(db);
    const repo = new EventsRepository(db.db);
    for (const [name, q] of QUERIES) {
      const want = expected(q);
      t.equal(want.length > 0, !name.startsWith('out of scope'), `${name}: the seed has rows for it, unless out of scope`);
      t.same((await repo.search({ ...q, limit: 1000 })).map((r) => r.id), want, name);
    }
  });

  t.test('keyset pages, followed from cursor to cursor, are the whole answer once each, in order', async (t) => {
    const db = await stores.open(t);
    await seed(db);
    const repo = new EventsRepository(db.db);
    for (const [name, q] of QUERIES) {
      const want = expected(q);
      const { ids, pages } = await allPages(repo, q, 7);
      t.same(ids, want, `${name}: ${pages} pages`);
    }
  });

  t.test('a page starts strictly after its cursor, also inside a run of equal start times', async (t) => {
    const db = await stores.open(t);
    await seed(db);
    const repo = new EventsRepository(db.db);
    const all = expected({ scope: ALL });
    const tie = EVENTS.filter((e) => e.started_at === BASE + 20_000).map((e) => e.id).sort().reverse();
    t.ok(tie.length >= 3, 'the seed has a tie to cut');
    const cut = tie[1] as string;
    const page = await repo.search({ scope: ALL, limit: 5, after: { startedAt: BASE + 20_000, id: cut } });
    t.same(page.map((r) => r.id), all.slice(all.indexOf(cut) + 1, all.indexOf(cut) + 6));
  });
});
