// Schema migrations, in code so the compiled service carries them. Append only once released.

import { Migrator, SqliteAdapter, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const migrations: Record<string, Migration> = {
  '0001_events_and_outbox': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('camera_id', 'text', (c) => c.notNull())
        .addColumn('zone', 'text', (c) => c.notNull())
        .addColumn('household_id', 'text')
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('started_at', 'integer', (c) => c.notNull())
        .addColumn('ended_at', 'integer')
        .addColumn('score', 'real', (c) => c.notNull())
        .addColumn('box', 'text')
        .addColumn('snapshot_path', 'text')
        .addColumn('snapshot_sha256', 'text')
        .addColumn('thumbnail_path', 'text')
        .addColumn('incident_id', 'text')
        .addColumn('alert', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_camera_started').on('events').columns(['camera_id', 'started_at']).execute();
      await db.schema.createIndex('events_started').on('events').column('started_at').execute();
      await db.schema
        .createTable('outbox')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
        .addColumn('dedupe_key', 'text', (c) => c.notNull().unique())
        .addColumn('topic', 'text', (c) => c.notNull())
        .addColumn('payload', 'blob', (c) => c.notNull())
        .addColumn('payload_file', 'text')
        .addColumn('qos', 'integer', (c) => c.notNull())
        .addColumn('retain', 'integer', (c) => c.notNull())
        .addColumn('deliver_after', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('published_at', 'integer')
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
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('household_id', 'text')
        .addColumn('zone', 'text', (c) => c.notNull())
        .addColumn('lat', 'real')
        .addColumn('lon', 'real')
        .addColumn('address', 'text')
        .addColumn('onvif_host', 'text')
        .addColumn('onvif_port', 'integer')
        .addColumn('credentials', 'text')
        .addColumn('rtsp_url', 'text')
        .addColumn('profile_token', 'text')
        .addColumn('stream_width', 'integer')
        .addColumn('stream_height', 'integer')
        .addColumn('snapshot_uri', 'text')
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('status_detail', 'text')
        .addColumn('share_with_officers', 'integer', (c) => c.notNull())
        .addColumn('police_may_view', 'integer', (c) => c.notNull())
        .addColumn('source', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'integer', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table cameras`.execute(db);
    },
  },
  '0003_camera_motion_settings': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('cameras').addColumn('motion', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('cameras').dropColumn('motion').execute();
    },
  },
  '0004_accounts_audit_retention': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('users')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('username', 'text', (c) => c.notNull().unique())
        .addColumn('role', 'text', (c) => c.notNull())
        .addColumn('household_id', 'text')
        .addColumn('password_hash', 'text', (c) => c.notNull())
        .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('failed_logins', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('locked_until', 'integer')
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('updated_at', 'integer', (c) => c.notNull())
        .execute();
      // Only a hash of each bearer token is kept: a copy of the database does not sign anyone in.
      await db.schema
        .createTable('sessions')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('user_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .addColumn('expires_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
      await db.schema
        .createTable('audit_log')
        .addColumn('seq', 'integer', (c) => c.primaryKey())
        .addColumn('at', 'integer', (c) => c.notNull())
        .addColumn('user_id', 'text')
        .addColumn('username', 'text')
        .addColumn('role', 'text')
        .addColumn('ip', 'text')
        .addColumn('method', 'text', (c) => c.notNull())
        .addColumn('route', 'text', (c) => c.notNull())
        .addColumn('action', 'text', (c) => c.notNull())
        .addColumn('filter', 'text', (c) => c.notNull())
        .addColumn('reason', 'text')
        .addColumn('status', 'integer', (c) => c.notNull())
        .addColumn('outcome', 'text', (c) => c.notNull())
        .addColumn('result_count', 'integer')
        .addColumn('prev_hash', 'text', (c) => c.notNull())
        .addColumn('hash', 'text', (c) => c.notNull())
        .execute();
      // The service only ever appends; the database refuses anything else, so a slip in code cannot
      // rewrite history. (Someone with the database file can drop these: the hash chain shows that.)
      if (db.getExecutor().adapter instanceof SqliteAdapter) {
        for (const op of ['update', 'delete']) {
          await sql.raw(`create trigger audit_log_no_${op} before ${op} on audit_log begin select raise(abort, 'audit_log is append-only'); end`).execute(db);
        }
      }
      await db.schema.alterTable('events').addColumn('legal_hold', 'integer', (c) => c.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('cameras').addColumn('snapshot_retention_days', 'integer').execute();
      await db.schema.alterTable('cameras').addColumn('event_retention_days', 'integer').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('cameras').dropColumn('event_retention_days').execute();
      await db.schema.alterTable('cameras').dropColumn('snapshot_retention_days').execute();
      await db.schema.alterTable('events').dropColumn('legal_hold').execute();
      await sql`drop table audit_log`.execute(db);
      await sql`drop table sessions`.execute(db);
      await sql`drop table users`.execute(db);
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
