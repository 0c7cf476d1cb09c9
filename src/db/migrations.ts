// Schema migrations, in code so the compiled service carries them. Append only; never edit a shipped one.

import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

const migrations: Record<string, Migration> = {
  '0001_events': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('events')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('camera_id', 'text', (c) => c.notNull())
        .addColumn('zone', 'text', (c) => c.notNull())
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('started_at', 'integer', (c) => c.notNull())
        .addColumn('ended_at', 'integer')
        .addColumn('score', 'real', (c) => c.notNull())
        .addColumn('box', 'text')
        .addColumn('snapshot_path', 'text')
        .addColumn('announced', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('events_camera_started').on('events').columns(['camera_id', 'started_at']).execute();
      await db.schema.createIndex('events_started').on('events').column('started_at').execute();
    },
    async down(db: Kysely<unknown>) {
      await sql`drop table events`.execute(db);
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export async function migrateToLatest(db: Kysely<any>): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
}
