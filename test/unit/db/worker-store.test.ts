// The worker's write path (WorkerStore) on SQLite and on PostgreSQL alike: all or nothing, idempotent
// inserts, stored images kept, and values reading back as they were written (bigint times as numbers).

import t from 'tap';
import type { EventRow } from '../../../src/db/events.repository.js';
import { forEachStore } from '../../helpers/stores.js';

const row = (id: string, over: Partial<EventRow> = {}): EventRow => ({
  id, camera_id: 'cam1', zone: 'z1', household_id: null, type: 'motion', started_at: 1, ended_at: null, score: 0.1, box: null,
  snapshot_path: 'a.jpg', snapshot_sha256: 'ab', thumbnail_path: 'a.thumb.jpg', incident_id: null, alert: 'alerted', created_at: 1, updated_at: 1,
  ...over,
});
const message = (key: string, topic = 't', payload = 'x') => ({
  dedupe_key: key, topic, payload: Buffer.from(payload), payload_file: null, qos: 1, retain: 0, deliver_after: 0, created_at: 0,
});

forEachStore((t, stores) => {
  t.test('a body that throws leaves neither the row nor its outbox rows', async (t) => {
    const db = await stores.open(t);
    await t.rejects(db.worker.commit(function* (w) {
      yield* w.insertEvent(row('e1'));
      yield* w.addOutbox([message('e1:new:0')]);
      throw new Error('crash between statements');
    }), /crash between statements/);
    t.equal(await db.worker.findEvent('e1'), undefined);
    t.equal((await db.db.selectFrom('outbox').selectAll().execute()).length, 0);
    t.equal(await db.worker.commit((w) => w.insertEvent(row('e2'))), true, 'the store is usable after the rollback');
  });

  t.test('the same row and messages twice are stored once', async (t) => {
    const db = await stores.open(t);
    t.equal(await db.worker.commit((w) => w.insertEvent(row('e1'))), true);
    t.equal(await db.worker.commit((w) => w.insertEvent(row('e1'))), false);
    await db.worker.commit((w) => w.addOutbox([message('k'), message('k'), message('l')]));
    await db.worker.commit((w) => w.addOutbox([message('k')]));
    t.same((await db.db.selectFrom('outbox').select('dedupe_key').orderBy('id').execute()).map((r) => r.dedupe_key), ['k', 'l']);
  });

  t.test('an update without images keeps the stored ones; end sets the end', async (t) => {
    const db = await stores.open(t);
    await db.worker.commit((w) => w.insertEvent(row('e1')));
    await db.worker.commit((w) => w.updateEvent('e1', { score: 0.5, box: null, updated_at: 2, snapshot_path: null, snapshot_sha256: null, thumbnail_path: null }));
    t.match(await db.worker.findEvent('e1'), { score: 0.5, snapshot_path: 'a.jpg', snapshot_sha256: 'ab', thumbnail_path: 'a.thumb.jpg', updated_at: 2 });
    await db.worker.commit((w) => w.updateEvent('e1', { score: 0.6, box: '{"x":1}', updated_at: 3, snapshot_path: 'b.jpg', snapshot_sha256: 'cd', thumbnail_path: null }));
    t.match(await db.worker.findEvent('e1'), { box: '{"x":1}', snapshot_path: 'b.jpg', snapshot_sha256: 'cd', thumbnail_path: 'a.thumb.jpg' });
    await db.worker.commit((w) => w.endEvent('e1', 9, 0.7, 10));
    t.match(await db.worker.findEvent('e1'), { ended_at: 9, score: 0.7, updated_at: 10 });
  });

  t.test('times, scores and payloads read back exactly as written', async (t) => {
    const db = await stores.open(t);
    const at = 1_764_500_000_123; // beyond 32 bits
    const stored = row('e1', { started_at: at, created_at: at, updated_at: at, score: 0.123456789 });
    await db.worker.commit((w) => w.insertEvent(stored));
    // A new row is not on legal hold (only an export puts it there).
    t.same(await db.worker.findEvent('e1'), { ...stored, legal_hold: 0 }, 'via the worker');
    t.same(await db.db.selectFrom('events').selectAll().executeTakeFirst(), { ...stored, legal_hold: 0 }, 'via kysely');
    const payload = Buffer.from([0, 255, 1, 2]);
    await db.worker.commit((w) => w.addOutbox([{ ...message('k'), payload, deliver_after: at }]));
    const out = await db.db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    t.same(out.payload, payload);
    t.equal(out.deliver_after, at);
    t.equal(typeof out.id, 'number');
  });

  t.test('open motion after a start, and pending rows cancelled by topic and payload', async (t) => {
    const db = await stores.open(t);
    await db.worker.commit(function* (w) {
      yield* w.insertEvent(row('old', { started_at: 10, ended_at: 20 }));
      yield* w.insertEvent(row('new', { started_at: 30 }));
      yield* w.insertEvent(row('other', { camera_id: 'cam2', started_at: 40 }));
    });
    t.equal(await db.worker.commit((w) => w.hasOpenMotionAfter('cam1', 10)), true);
    t.equal(await db.worker.commit((w) => w.hasOpenMotionAfter('cam1', 30)), false);
    await db.worker.commit((w) => w.addOutbox([message('a', 'mt/m', 'OFF'), message('b', 'mt/m', 'ON'), message('c', 'mt/n', 'OFF')]));
    await db.worker.commit((w) => w.cancelPending('mt/m', Buffer.from('OFF')));
    t.same((await db.db.selectFrom('outbox').select('dedupe_key').orderBy('id').execute()).map((r) => r.dedupe_key), ['b', 'c']);
  });

  t.test('bodies committed at once run one after another, each seeing what the one before committed', async (t) => {
    const db = await stores.open(t);
    const seen: boolean[] = [];
    await Promise.all(['a', 'b', 'c'].map((id, i) => db.worker.commit(function* (w) {
      seen.push(i === 0 || (yield* w.findEvent(['a', 'b', 'c'][i - 1] as string)) !== undefined);
      yield* w.insertEvent(row(id));
    })));
    t.same(seen, [true, true, true]);
  });
});

t.test('an unknown DATABASE_URL scheme is refused by name, without echoing the rest of the URL', async (t) => {
  const { databaseTargetFrom } = await import('../../../src/db/database.js');
  t.throws(() => databaseTargetFrom('mysql://u:secret@h/db', '/d'), { code: 'DATABASE_URL_UNSUPPORTED', message: /mysql:/ });
  t.notMatch((() => { try { databaseTargetFrom('mysql://u:secret@h/db', '/d'); } catch (e) { return (e as Error).message; } return ''; })(), /secret/);
  t.same(databaseTargetFrom('postgresql://u@h/db', '/d'), { engine: 'postgres', url: 'postgresql://u@h/db' });
  t.same(databaseTargetFrom(null, '/d'), { engine: 'sqlite', file: '/d/matthan.db' });
});
