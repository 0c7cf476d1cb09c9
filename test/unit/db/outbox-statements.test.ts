// The relay's outbox SQL on a real SQLite (outbox-statements.ts) and a real PostgreSQL (postgres-outbox.ts):
// due rows in order, delays, marking, re-sending, pruning; on PostgreSQL, one publishing relay per database.

import { PostgresDatabase } from '../../../src/db/postgres-database.js';
import { forEachStore } from '../../helpers/stores.js';

forEachStore((t, stores) => {
  t.test('due rows in insertion order, delayed ones later; marked, re-queued and pruned by publish time', async (t) => {
    const db = await stores.open(t);
    const at = (key: string, deliverAfter: number) => ({ dedupe_key: key, topic: 't', payload: Buffer.from(key), payload_file: null, qos: 1, retain: 0, deliver_after: deliverAfter, created_at: 0 });
    await db.worker.commit((w) => w.addOutbox([at('a', 0), at('off', 500), at('b', 0), at('c', 0)]));
    const o = db.relayOutbox();
    const keys = async (now: number, limit = 10) => (await o.due(now, limit)).map((r) => r.dedupe_key);
    t.same(await keys(100), ['a', 'b', 'c']);
    t.same(await keys(100, 2), ['a', 'b']);
    t.equal(await o.nextDueAt(), 0);
    await o.markPublished((await o.due(100, 2)).map((r) => r.id), 1000);
    t.same(await keys(100), ['c']);
    t.same(await keys(500), ['off', 'c'], 'the delayed row in its place once due');
    await o.markPublished((await o.due(500, 10)).map((r) => r.id), 2000);
    t.equal(await o.nextDueAt(), null, 'nothing pending');
    t.equal(await o.requeuePublishedSince(2000), 2, 'rows published since 2000 go out again');
    t.same(await keys(500), ['off', 'c']);
    await o.prunePublishedBefore(1500);
    t.equal((await db.db.selectFrom('outbox').select('dedupe_key').execute()).length, 2, 'a and b pruned');
  });

  if (stores.engine === 'postgres') {
    t.test('services sharing a database: one relay publishes, another takes over when it goes', async (t) => {
      const db = await stores.open(t);
      await db.worker.commit((w) => w.addOutbox([{ dedupe_key: 'a', topic: 't', payload: Buffer.from('a'), payload_file: null, qos: 1, retain: 0, deliver_after: 0, created_at: 0 }]));
      // A second service: its own pool and relay on the same database.
      const other = new PostgresDatabase((db as PostgresDatabase).pool.options.connectionString as string, { max: 2 });
      await other.start();
      t.teardown(() => other.close());
      const first = db.relayOutbox();
      const second = other.relayOutbox(0);
      t.same((await first.due(100, 10)).map((r) => r.dedupe_key), ['a'], 'the first relay leads');
      t.same(await second.due(100, 10), [], 'the second publishes nothing meanwhile');
      t.equal(await second.nextDueAt(), null);
      await db.close();
      t.same((await second.due(100, 10)).map((r) => r.dedupe_key), ['a'], 'once the first is gone, the second publishes');
    });
  }
});
