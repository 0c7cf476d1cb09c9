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
    '0004_accounts_audit_retention': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('users')
          .addColumn('id', t.text, (c) => c.primaryKey())
          .addColumn('username', t.text, (c) => c.notNull().unique())
          .addColumn('role', t.text, (c) => c.notNull())
          .addColumn('household_id', t.text)
          .addColumn('password_hash', t.text, (c) => c.notNull())
          .addColumn('disabled', t.int, (c) => c.notNull().defaultTo(0))
          .addColumn('failed_logins', t.int, (c) => c.notNull().defaultTo(0))
          .addColumn('locked_until', t.time)
          .addColumn('created_at', t.time, (c) => c.notNull())
          .addColumn('updated_at', t.time, (c) => c.notNull())
          .execute();
        // Only a hash of each bearer token is kept: a copy of the database does not sign anyone in.
        await db.schema
          .createTable('sessions')
          .addColumn('token_hash', t.text, (c) => c.primaryKey())
          .addColumn('user_id', t.text, (c) => c.notNull())
          .addColumn('created_at', t.time, (c) => c.notNull())
          .addColumn('expires_at', t.time, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
        await db.schema
          .createTable('audit_log')
          .addColumn('seq', t.int, (c) => c.primaryKey())
          .addColumn('at', t.time, (c) => c.notNull())
          .addColumn('user_id', t.text)
          .addColumn('username', t.text)
          .addColumn('role', t.text)
          .addColumn('ip', t.text)
          .addColumn('method', t.text, (c) => c.notNull())
          .addColumn('route', t.text, (c) => c.notNull())
          .addColumn('action', t.text, (c) => c.notNull())
          .addColumn('filter', t.text, (c) => c.notNull())
          .addColumn('reason', t.text)
          .addColumn('status', t.int, (c) => c.notNull())
          .addColumn('outcome', t.text, (c) => c.notNull())
          .addColumn('result_count', t.int)
          .addColumn('prev_hash', t.text, (c) => c.notNull())
          .addColumn('hash', t.text, (c) => c.notNull())
          .execute();
        // The service only ever appends; the database refuses anything else, so a slip in code cannot
        // rewrite history. (Someone with the database file can drop these: the hash chain shows that.)
        if (engine === 'sqlite') {
          for (const op of ['update', 'delete']) {
            await sql.raw(`create trigger audit_log_no_${op} before ${op} on audit_log begin select raise(abort, 'audit_log is append-only'); end`).execute(db);
          }
        } else {
          await sql.raw(`create function audit_log_append_only() returns trigger language plpgsql as $$
            begin raise exception 'audit_log is append-only'; end $$`).execute(db);
          await sql.raw('create trigger audit_log_no_change before update or delete on audit_log for each row execute function audit_log_append_only()').execute(db);
        }
        await db.schema.alterTable('events').addColumn('legal_hold', t.int, (c) => c.notNull().defaultTo(0)).execute();
        await db.schema.alterTable('cameras').addColumn('snapshot_retention_days', t.int).execute();
        await db.schema.alterTable('cameras').addColumn('event_retention_days', t.int).execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.alterTable('cameras').dropColumn('event_retention_days').execute();
        await db.schema.alterTable('cameras').dropColumn('snapshot_retention_days').execute();
        await db.schema.alterTable('events').dropColumn('legal_hold').execute();
        await sql`drop table audit_log`.execute(db);
        if (engine === 'postgres') await sql`drop function audit_log_append_only`.execute(db);
        await sql`drop table sessions`.execute(db);
        await sql`drop table users`.execute(db);
      },
    },
    '0005_history_indexes': {
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
    '0006_event_actions': {
      // Officers acknowledge or escalate events; each action is kept (who, when, a note), never edited.
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('event_actions')
          .addColumn('id', t.text, (c) => c.primaryKey())
          .addColumn('event_id', t.text, (c) => c.notNull())
          .addColumn('action', t.text, (c) => c.notNull())
          .addColumn('username', t.text, (c) => c.notNull())
          .addColumn('note', t.text)
          .addColumn('at', t.time, (c) => c.notNull())
          .execute();
        await db.schema.createIndex('event_actions_event').on('event_actions').columns(['event_id', 'at']).execute();
      },
      async down(db: Kysely<unknown>) {
        await sql`drop table event_actions`.execute(db);
      },
    },
    '0007_history_camera_covering': {
      // Rows are stored in arrival order, every camera interleaved, so a page of one camera's events sat
      // on ~50 table pages: 50 disk reads when they are not cached (bench/history.ts, cold). This index
      // holds the whole row in (camera_id, started_at, id) order, so the page is a few adjacent index
      // pages and no table reads. It replaces events_camera_time (same leading columns). A column added
      // to events must be added here too, or the history query stops being covered (plan test).
      async up(db: Kysely<unknown>) {
        if (engine === 'sqlite') {
          await sql.raw(`create index events_camera_cover on events (${[...CAMERA_COVER_KEY, ...CAMERA_COVER_REST].join(', ')})`).execute(db);
        } else {
          await sql.raw(`create index events_camera_cover on events (${CAMERA_COVER_KEY.join(', ')}) include (${CAMERA_COVER_REST.join(', ')})`).execute(db);
        }
        await db.schema.dropIndex('events_camera_time').execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.createIndex('events_camera_time').on('events').columns([...CAMERA_COVER_KEY]).execute();
        await db.schema.dropIndex('events_camera_cover').execute();
      },
    },
    '0008_outbox_bundles': {
      // The messages of one transition that fall due together are one row (db/outbox-bundle.ts): one
      // insert, one entry per pending index, one mark per event. Rows without a bundle are single
      // messages in their own columns, as every row was before, so rows pending at the upgrade still go out.
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('outbox').addColumn('bundle', t.blob).execute();
      },
      async down(db: Kysely<unknown>) {
        await db.schema.alterTable('outbox').dropColumn('bundle').execute();
      },
    },
    '0009_open_events': {
      // The events still open, per camera: what the sweep at every stream start looks for
      // (handle-event.ts). Only open rows are in it, a handful; the covering index would have the sweep
      // walk all of a camera's history (tens of thousands of rows each, for 190 cameras at a start).
      async up(db: Kysely<unknown>) {
        await sql`create index events_open on events (camera_id, started_at) where ended_at is null`.execute(db);
      },
      async down(db: Kysely<unknown>) {
        await db.schema.dropIndex('events_open').execute();
      },
    },
  };
}

const CAMERA_COVER_KEY = ['camera_id', 'started_at', 'id'] as const;
/** Every other column of events (SQLite has no INCLUDE: they trail the key there). */
const CAMERA_COVER_REST = [
  'zone', 'household_id', 'type', 'ended_at', 'score', 'box', 'snapshot_path', 'snapshot_sha256', 'thumbnail_path',
  'incident_id', 'alert', 'created_at', 'updated_at', 'legal_hold',
] as const;

export async function migrateToLatest(db: Kysely<any>, engine: Engine): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => migrationsFor(engine) };
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
