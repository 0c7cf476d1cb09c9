// The worker's synchronous write path on a real (in-memory) SQLite: all or nothing, idempotent inserts,
// and no silent nesting inside another transaction.

import t from 'tap';
import { Database } from '../../../src/db/database.js';
import { OPEN_BEFORE_SQL } from '../../../src/db/event-store.js';
import type { EventRow } from '../../../src/db/events.repository.js';

async function open() {
  const db = new Database(':memory:');
  await db.start();
  return db;
}

const row = (id: string): EventRow => ({
  id, camera_id: 'cam1', zone: 'z1', household_id: null, type: 'motion', started_at: 1, ended_at: null, score: 0.1, box: null,
  snapshot_path: 'a.jpg', snapshot_sha256: 'ab', thumbnail_path: 'a.thumb.jpg', incident_id: null, alert: 'alerted', created_at: 1, updated_at: 1,
});
const message = (key: string) => ({ dedupe_key: key, topic: 't', payload: Buffer.from('x'), payload_file: null, qos: 1, retain: 0, deliver_after: 0, created_at: 0 });

t.test('a transaction that throws leaves neither the row nor its outbox rows', async (t) => {
  const db = await open();
  t.teardown(() => db.close());
  t.throws(() => db.store.transaction(() => {
    db.store.insertEvent(row('e1'));
    db.store.addOutbox([message('e1:new:0')]);
    throw new Error('crash between statements');
  }), /crash between statements/);
  t.equal(db.store.findEvent('e1'), undefined);
  t.equal(await db.db.selectFrom('outbox').selectAll().execute().then((r) => r.length), 0);
});

t.test('the same row and messages twice are stored once', async (t) => {
  const db = await open();
  t.teardown(() => db.close());
  t.equal(db.store.transaction(() => db.store.insertEvent(row('e1'))), true);
  t.equal(db.store.transaction(() => db.store.insertEvent(row('e1'))), false);
  db.store.transaction(() => db.store.addOutbox([message('k'), message('k')]));
  t.equal(await db.db.selectFrom('outbox').selectAll().execute().then((r) => r.length), 1);
});

t.test('an update without images keeps the stored ones', async (t) => {
  const db = await open();
  t.teardown(() => db.close());
  db.store.transaction(() => db.store.insertEvent(row('e1')));
  db.store.transaction(() => db.store.updateEvent('e1', { score: 0.5, box: null, updated_at: 2, snapshot_path: null, snapshot_sha256: null, thumbnail_path: null }));
  t.match(db.store.findEvent('e1'), { score: 0.5, snapshot_path: 'a.jpg', snapshot_sha256: 'ab', thumbnail_path: 'a.thumb.jpg', updated_at: 2 });
  db.store.transaction(() => db.store.updateEvent('e1', { score: 0.6, box: null, updated_at: 3, snapshot_path: 'b.jpg', snapshot_sha256: 'cd', thumbnail_path: null }));
  t.match(db.store.findEvent('e1'), { snapshot_path: 'b.jpg', snapshot_sha256: 'cd', thumbnail_path: 'a.thumb.jpg' });
});

t.test('refuses to run inside another open transaction rather than becoming part of it', async (t) => {
  const db = await open();
  t.teardown(() => db.close());
  await db.db.transaction().execute(async () => {
    t.throws(() => db.store.transaction(() => db.store.insertEvent(row('e1'))), /inside another transaction/);
  });
  t.equal(db.store.findEvent('e1'), undefined);
});

t.test('the sweep finds a camera\'s open events through the open-events index, not the camera\'s history', async (t) => {
  const db = await open();
  t.teardown(() => db.close());
  db.store.transaction(() => {
    for (let i = 0; i < 50; i++) db.store.insertEvent({ ...row(`old${i}`), started_at: 10 + i, ended_at: 20 + i });
    db.store.insertEvent({ ...row('open1'), started_at: 100 });
    db.store.insertEvent({ ...row('open2'), started_at: 200 });
    db.store.insertEvent({ ...row('later'), started_at: 400 });
    db.store.insertEvent({ ...row('elsewhere'), camera_id: 'cam2', started_at: 100 });
  });
  t.same(db.store.openEventsBefore('cam1', 300).map((r) => r.id), ['open1', 'open2'], 'open, before the time, this camera, oldest first');
  const plan = (db.sqlite.prepare(`explain query plan ${OPEN_BEFORE_SQL}`).all('cam1', 300) as { detail: string }[])
    .map((r) => r.detail).join('\n');
  t.match(plan, /USING INDEX events_open/);
});
