// The relay's outbox SQL on a real (in-memory) SQLite: due rows in order, delays, marking, re-sending, pruning.

import t from 'tap';
import { Database } from '../../../src/db/database.js';
import { OutboxStatements } from '../../../src/db/outbox-statements.js';

t.test('due rows in insertion order, delayed ones later; marked, re-queued and pruned by publish time', async (t) => {
  const db = new Database(':memory:');
  await db.start();
  t.teardown(() => db.close());
  const at = (key: string, deliverAfter: number) => ({ dedupe_key: key, topic: 't', payload: Buffer.from(key), payload_file: null, qos: 1, retain: 0, deliver_after: deliverAfter, created_at: 0 });
  db.store.transaction(() => db.store.addOutbox([at('a', 0), at('off', 500), at('b', 0), at('c', 0)]));
  const o = new OutboxStatements(db.sqlite);
  const keys = (now: number, limit = 10) => o.due(now, limit).map((r) => r.dedupe_key);
  t.same(keys(100), ['a', 'b', 'c']);
  t.same(keys(100, 2), ['a', 'b']);
  t.equal(o.nextDueAt(), 0);
  o.markPublished(o.due(100, 2).map((r) => r.id), 1000);
  t.same(keys(100), ['c']);
  t.same(keys(500), ['off', 'c'], 'the delayed row in its place once due');
  o.markPublished(o.due(500, 10).map((r) => r.id), 2000);
  t.equal(o.nextDueAt(), null, 'nothing pending');
  t.equal(o.requeuePublishedSince(2000), 2, 'rows published since 2000 go out again');
  t.same(keys(500), ['off', 'c']);
  o.prunePublishedBefore(1500);
  t.equal(await db.db.selectFrom('outbox').select('dedupe_key').execute().then((r) => r.length), 2, 'a and b pruned');
});
