// Connection to the event store. SQLite (better-sqlite3) by default under DATA_DIR; kysely on top
// so the same repositories can run on PostgreSQL later.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { MatThanError } from '../errors.js';
import { EventStore } from './event-store.js';
import { migrateToLatest } from './migrations.js';
import type { DatabaseSchema } from './schema.js';

export type Db = Kysely<DatabaseSchema>;

/** `null` → DATA_DIR/matthan.db; `sqlite:///abs/path`, `sqlite:relative` or `:memory:` also accepted. */
export function sqlitePathFrom(databaseUrl: string | null, dataDir: string): string {
  if (databaseUrl === null) return path.join(dataDir, 'matthan.db');
  if (databaseUrl === ':memory:') return databaseUrl;
  if (databaseUrl.startsWith('sqlite://')) return databaseUrl.slice('sqlite://'.length);
  if (databaseUrl.startsWith('sqlite:')) return databaseUrl.slice('sqlite:'.length);
  throw new MatThanError('DATABASE_URL_UNSUPPORTED', `only SQLite is supported in this version (got ${databaseUrl.split(':')[0]}:)`);
}

export class Database {
  readonly db: Db;
  /** The raw connection, for the synchronous write path (event-store.ts); kysely shares it. */
  readonly sqlite: SqliteDatabase.Database;
  #store: EventStore | null = null;

  constructor(file: string) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.sqlite = new SqliteDatabase(file);
    this.sqlite.pragma('journal_mode = WAL');
    this.sqlite.pragma('synchronous = NORMAL');
    this.sqlite.pragma('busy_timeout = 5000');
    // Each job of a group commit runs in a savepoint, whose statement journal spilled past 64 KiB into a
    // temp file made and deleted per group: ~7 extra writes per event and a file creation (bench:pipeline).
    this.sqlite.pragma('temp_store = MEMORY');
    this.db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: this.sqlite }) });
  }

  async start(): Promise<void> {
    await migrateToLatest(this.db);
    this.#store = new EventStore(this.sqlite);
  }

  /** The worker's synchronous write path (prepared statements need the migrated tables: after start()). */
  get store(): EventStore {
    if (!this.#store) throw new Error('database not started');
    return this.#store;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    await this.db.destroy();
  }
}
