// Group commit on a real (in-memory) SQLite: jobs that commit in the same turn share one transaction,
// a job that throws is rolled back alone, and a failed commit fails every job of the group.

import t from 'tap';
import { Database } from '../../../src/db/database.js';
import type { EventRow } from '../../../src/db/events.repository.js';
import { GroupCommit } from '../../../src/db/group-commit.js';

const row = (id: string): EventRow => ({
  id, camera_id: 'cam1', zone: 'z1', household_id: null, type: 'motion', started_at: 1, ended_at: null, score: 0.1, box: null,
  snapshot_path: null, snapshot_sha256: null, thumbnail_path: null, incident_id: null, alert: 'none', created_at: 1, updated_at: 1,
});

t.test('jobs committing in the same turn share one transaction; one that throws is rolled back alone', async (t) => {
  const db = new Database(':memory:');
  await db.start();
  t.teardown(() => db.close());
  const sqlite = db.sqlite;
  let transactions = 0;
  const run = sqlite.transaction((fn: () => unknown) => fn());
  const group = new GroupCommit((work) => { transactions++; run.immediate(work); }, (fn) => run(fn));
  const store = db.store;
  const results = await Promise.allSettled([
    group.run(() => store.insertEvent(row('a'))),
    group.run(() => { store.insertEvent(row('b')); throw new Error('b fails after its insert'); }),
    group.run(() => store.insertEvent(row('c'))),
  ]);
  t.equal(transactions, 1, 'one transaction for the three');
  t.same(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled']);
  t.ok(store.findEvent('a') && store.findEvent('c'), 'a and c committed');
  t.equal(store.findEvent('b'), undefined, "b's insert rolled back to its savepoint");
  await group.run(() => store.insertEvent(row('d')));
  t.equal(transactions, 2, 'a later turn commits on its own');
});

t.test('a commit that fails rejects every job of the group and stores none of them', async (t) => {
  const db = new Database(':memory:');
  await db.start();
  t.teardown(() => db.close());
  const run = db.sqlite.transaction((fn: () => unknown) => fn());
  const group = new GroupCommit((work) => run.immediate(() => { work(); throw new Error('disk full'); }), (fn) => run(fn));
  const results = await Promise.allSettled([group.run(() => db.store.insertEvent(row('a'))), group.run(() => db.store.insertEvent(row('b')))]);
  t.same(results.map((r) => r.status), ['rejected', 'rejected']);
  t.equal(db.store.findEvent('a'), undefined);
  t.equal(db.store.findEvent('b'), undefined);
});
