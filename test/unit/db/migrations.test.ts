// The one list of migrations on both engines: the same tables and indexes, and every step down and
// up again cleanly.

import { Migrator, NO_MIGRATIONS, sql } from 'kysely';
import type { AppDatabase } from '../../../src/db/database.js';
import { migrateToLatest, migrationsFor } from '../../../src/db/migrations.js';
import { forEachStore } from '../../helpers/stores.js';

async function eventsIndexes(db: AppDatabase): Promise<string[]> {
  const q = db.engine === 'sqlite'
    ? sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'events' and sql is not null`
    : sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'events' and indexname <> 'events_pkey'`;
  return (await q.execute(db.db)).rows.map((r) => r.name).sort();
}

async function tables(db: AppDatabase): Promise<string[]> {
  const q = db.engine === 'sqlite'
    ? sql<{ name: string }>`select name from sqlite_master where type = 'table' and name in ('events', 'outbox', 'cameras')`
    : sql<{ name: string }>`select tablename as name from pg_tables where schemaname = 'public' and tablename in ('events', 'outbox', 'cameras')`;
  return (await q.execute(db.db)).rows.map((r) => r.name).sort();
}

/** Columns of the events table, and those the one-camera covering index holds (key and included). */
async function coverage(db: AppDatabase): Promise<{ table: string[]; index: string[] }> {
  const [table, index] = db.engine === 'sqlite'
    ? [sql<{ name: string }>`select name from pragma_table_info('events')`, sql<{ name: string }>`select name from pragma_index_info('events_camera_cover')`]
    : [
      sql<{ name: string }>`select column_name as name from information_schema.columns where table_schema = current_schema() and table_name = 'events'`,
      sql<{ name: string }>`select a.attname as name from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) where i.indexrelid = 'events_camera_cover'::regclass`,
    ];
  const names = async (q: typeof table) => (await q.execute(db.db)).rows.map((r) => r.name).sort();
  return { table: await names(table), index: await names(index) };
}

forEachStore((t, stores) => {
  t.test('the one-camera history index holds every column of events (a column added must be added to it)', async (t) => {
    const db = await stores.open(t);
    const { table, index } = await coverage(db);
    t.ok(table.length >= 17);
    t.same(index, table);
  });

  t.test('migrated: the tables and the history indexes', async (t) => {
    const db = await stores.open(t);
    t.same(await tables(db), ['cameras', 'events', 'outbox']);
    t.same(await eventsIndexes(db), ['events_camera_cover', 'events_household_time', 'events_open', 'events_time', 'events_zone_time']);
  });

  t.test('event_actions (0006): the table and its index by event', async (t) => {
    const db = await stores.open(t);
    await db.db.insertInto('event_actions').values({ id: 'a1', event_id: 'e1', action: 'ack', username: 'officer', note: null, at: 1 }).execute();
    t.same(await db.db.selectFrom('event_actions').select(['id', 'action']).where('event_id', '=', 'e1').execute(), [{ id: 'a1', action: 'ack' }]);
    const q = db.engine === 'sqlite'
      ? sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'event_actions' and sql is not null`
      : sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'event_actions' and indexname <> 'event_actions_pkey'`;
    t.same((await q.execute(db.db)).rows.map((r) => r.name), ['event_actions_event']);
  });

  t.test('all the way down and up again', async (t) => {
    const db = await stores.open(t);
    const migrator = new Migrator({ db: db.db, provider: { getMigrations: async () => migrationsFor(db.engine) } });
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    t.error(down.error);
    t.equal(down.results?.length, Object.keys(migrationsFor(db.engine)).length, 'every migration stepped down');
    t.same(await tables(db), []);
    await migrateToLatest(db.db, db.engine);
    t.same(await eventsIndexes(db), ['events_camera_cover', 'events_household_time', 'events_open', 'events_time', 'events_zone_time']);
  });
});
