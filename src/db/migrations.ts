// Schema migrations, in code so the compiled service carries them. Append only once released.
// One list serves SQLite and PostgreSQL: column types come from `t` (column-types.ts), never by name:
//   t.text, t.int (0/1 flags too), t.time (epoch ms), t.real, t.blob, and
//   .addColumn('id', t.autoId, t.autoIdKey) for an auto-incrementing key.
// Raw SQL only where it is the same on both (partial indexes `... where x is null` are).

import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { columnTypes, type Engine } from './column-types.js';

export function migrationsFor(engine: Engine): Record<string, Migration> {
  const t = columnTypes(engine);
  return {
    '0001_events_and_outbox': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('events')
          .addColumn('id', t.text, (c) => c.primaryKey())
          .addColumn('camera_id', t.text, (c) => c.notNull())
          .addColumn('zone', t.text, (c) => c.notNull())
          .addColumn('household_id', t.text)
          .addColumn('type', t.text, (c) => c.notNull())
          .addColumn('started_at', t.time, (c) => c.notNull())
          .addColumn('ended_at', t.time)
          .addColumn('score', t.real, (c) => c.notNull())
          .addColumn('box', t.text)
          .addColumn('snapshot_path', t.text)
          .addColumn('snapshot_sha256', t.text)
          .addColumn('thumbnail_path', t.text)
          .addColumn('incident_id', t.text)
          .addColumn('alert', t.text, (c) => c.notNull())
          .addColumn('created_at', t.time, (c) => c.notNull())
          .addColumn('updated_at', t.time, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('events_camera_started').on('events').columns(['camera_id', 'started_at']).execute();
        await db.schema.createIndex('events_started').on('events').column('started_at').execute();
        await db.schema
          .createTable('outbox')
          .addColumn('id', t.autoId, t.autoIdKey)
          .addColumn('dedupe_key', t.text, (c) => c.notNull().unique())
          .addColumn('topic', t.text, (c) => c.notNull())
          .addColumn('payload', t.blob, (c) => c.notNull())
          .addColumn('payload_file', t.text)
          .addColumn('qos', t.int, (c) => c.notNull())
          .addColumn('retain', t.int, (c) => c.notNull())
          .addColumn('deliver_after', t.time, (c) => c.notNull())
          .addColumn('created_at', t.time, (c) => c.notNull())
          .addColumn('published_at', t.time)
          .execute();
        await sql`create index outbox_pending on outbox (id) where published_at is null`.execute(db);
        // New motion cancels the camera's pending OFF by topic: without this, a scan of every pending row.
        await sql`create index outbox_pending_topic on outbox (topic) where published_at is null`.execute(db);
      },
      async down(db: Kysely<unknown>) {
        await sql`drop table outbox`.execute(db);
        await sql`drop table events`.execute(db);
      },
    },
    '0002_cameras': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('cameras')
          .addColumn('id', t.text, (c) => c.primaryKey())
          .addColumn('name', t.text, (c) => c.notNull())
          .addColumn('kind', t.text, (c) => c.notNull())
          .addColumn('household_id', t.text)
          .addColumn('zone', t.text, (c) => c.notNull())
          .addColumn('lat', t.real)
          .addColumn('lon', t.real)
          .addColumn('address', t.text)
          .addColumn('onvif_host', t.text)
          .addColumn('onvif_port', t.int)
          .addColumn('credentials', t.text)
          .addColumn('rtsp_url', t.text)
          .addColumn('profile_token', t.text)
          .addColumn('stream_width', t.int)
          .addColumn('stream_height', t.int)
          .addColumn('snapshot_uri', t.text)
          .addColumn('status', t.text, (c) => c.notNull())
          .addColumn('status_detail', t.text)
          .addColumn('share_with_officers', t.int, (c) => c.notNull())
          .addColumn('police_may_view', t.int, (c) => c.notNull())
          .addColumn('source', t.text, (c) => c.notNull())
          .addColumn('created_at', t.time, (c) => c.notNull())
          .addColumn('updated_at', t.time, (c) => c.notNull())
          .execute();
      },
      async down(db: Kysely<unknown>) {
        await sql`drop table cameras`.execute(db);
      },
    },
    '0003_camera_motion_settings': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('cameras').addColumn('motion', t.text).execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.alterTable('cameras').dropColumn('motion').execute();
      },
    },
    '0004_history_indexes': {
      // The history API's keyset order is (started_at, id) under each filter it narrows by: every typical
      // query walks one index backwards and stops after a page, on both engines (bench/history.ts).
      async up(db: Kysely<unknown>) {
        await db.schema.dropIndex('events_camera_started').execute();
        await db.schema.dropIndex('events_started').execute();
        const index = (name: string, columns: string[]) => db.schema.createIndex(name).on('events').columns(columns).execute();
        await index('events_time', ['started_at', 'id']);
        await index('events_camera_time', ['camera_id', 'started_at', 'id']);
        await index('events_zone_time', ['zone', 'started_at', 'id']);
        await index('events_household_time', ['household_id', 'started_at', 'id']);
      },
      async down(db: Kysely<unknown>) {
        for (const name of ['events_time', 'events_camera_time', 'events_zone_time', 'events_household_time']) {
          await db.schema.dropIndex(name).execute();
        }
        await db.schema.createIndex('events_camera_started').on('events').columns(['camera_id', 'started_at']).execute();
        await db.schema.createIndex('events_started').on('events').column('started_at').execute();
      },
    },
  };
}

export async function migrateToLatest(db: Kysely<any>, engine: Engine): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(engine) };
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
