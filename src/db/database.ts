// Connection to the event store, chosen by DATABASE_URL: SQLite (better-sqlite3) by default under
// DATA_DIR, PostgreSQL (postgres-database.ts) for several machines. Kysely on top of either, so the
// repositories are the same; the worker's and relay's hot paths have one implementation per engine.

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { MatThanError } from '../errors.js';
import { createLogger, type Logger } from '../logger.js';
import type { Engine } from './column-types.js';
import { EventStore } from './event-store.js';
import { migrateToLatest } from './migrations.js';
import { OutboxStatements } from './outbox-statements.js';
import { PostgresDatabase, type PostgresOptions } from './postgres-database.js';
import type { PostgresOutbox } from './postgres-outbox.js';
import type { DatabaseSchema } from './schema.js';
import { SqliteWorkerStore } from './sqlite-worker-store.js';
import { WalCheckpointer, type WalCheckpointerOptions } from './wal-checkpointer.js';
import type { WorkerStore } from './worker-store.js';

export type Db = Kysely<DatabaseSchema>;

/** What the service uses of the store, whichever the engine. */
export interface AppDatabase {
  readonly engine: Engine;
  readonly db: Db;
  /** The worker's write path (after start()). */
  readonly worker: WorkerStore;
  /** The outbox relay's queries (after start()). */
  relayOutbox(): OutboxStatements | PostgresOutbox;
  start(): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export type DatabaseTarget = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

/**
 * `null` → DATA_DIR/matthan.db; `sqlite:///abs/path`, `sqlite:relative` or `:memory:` for SQLite;
 * `postgres://…` or `postgresql://…` for PostgreSQL.
 */
export function databaseTargetFrom(databaseUrl: string | null, dataDir: string): DatabaseTarget {
  if (databaseUrl === null) return { engine: 'sqlite', file: path.join(dataDir, 'matthan.db') };
  if (databaseUrl === ':memory:') return { engine: 'sqlite', file: databaseUrl };
  if (databaseUrl.startsWith('sqlite://')) return { engine: 'sqlite', file: databaseUrl.slice('sqlite://'.length) };
  if (databaseUrl.startsWith('sqlite:')) return { engine: 'sqlite', file: databaseUrl.slice('sqlite:'.length) };
  if (/^postgres(ql)?:\/\//.test(databaseUrl)) return { engine: 'postgres', url: databaseUrl };
  // Only the scheme: the rest may hold a password.
  throw new MatThanError('DATABASE_URL_UNSUPPORTED', `use sqlite:, postgres:// or postgresql:// (got ${databaseUrl.split(':')[0]}:)`);
}

export function openDatabase(databaseUrl: string | null, dataDir: string, opts: { logger?: Logger; pg?: PostgresOptions } = {}): AppDatabase {
  const target = databaseTargetFrom(databaseUrl, dataDir);
  return target.engine === 'sqlite' ? new Database(target.file, { logger: opts.logger }) : new PostgresDatabase(target.url, opts.pg);
}

export interface SqliteOptions {
  /** For the checkpoint thread's warnings; stderr at warn level if none. */
  logger?: Logger;
  /** The WAL checkpointer's settings (tests); none for ':memory:'. */
  checkpointer?: Omit<WalCheckpointerOptions, 'sqlite' | 'file' | 'logger'>;
}

/** SQLite. */
export class Database implements AppDatabase {
  readonly engine = 'sqlite' as const;
  readonly db: Db;
  /** The raw connection, for the synchronous write path (event-store.ts); kysely shares it. */
  readonly sqlite: SqliteDatabase.Database;
  /** Checkpoints the WAL off the event loop (after start(); none in memory). */
  readonly checkpointer: WalCheckpointer | null;
  #store: EventStore | null = null;
  #worker: WorkerStore | null = null;

  constructor(file: string, opts: SqliteOptions = {}) {
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
    this.sqlite = new SqliteDatabase(file);
    this.sqlite.pragma('journal_mode = WAL');
    this.sqlite.pragma('synchronous = NORMAL');
    this.sqlite.pragma('busy_timeout = 5000');
    // Each job of a group commit runs in a savepoint, whose statement journal spilled past 64 KiB into a
    // temp file made and deleted per group: ~7 extra writes per event and a file creation (bench:pipeline).
    this.sqlite.pragma('temp_store = MEMORY');
    this.db = new Kysely<DatabaseSchema>({ dialect: new SqliteDialect({ database: this.sqlite }) });
    this.checkpointer = file === ':memory:' ? null : new WalCheckpointer({
      ...opts.checkpointer, sqlite: this.sqlite, file,
      logger: opts.logger ?? createLogger({ level: 'warn', pretty: false, destination: process.stderr }),
    });
  }

  async start(): Promise<void> {
    await migrateToLatest(this.db, 'sqlite');
    this.#store = new EventStore(this.sqlite);
    this.#worker = new SqliteWorkerStore(this.#store);
    await this.checkpointer?.start();
  }

  /** The synchronous write path (prepared statements need the migrated tables: after start()). */
  get store(): EventStore {
    if (!this.#store) throw new Error('database not started');
    return this.#store;
  }

  get worker(): WorkerStore {
    if (!this.#worker) throw new Error('database not started');
    return this.#worker;
  }

  relayOutbox(): OutboxStatements {
    return new OutboxStatements(this.sqlite);
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    // The thread's connection goes first, so that the main one is the last and removes the WAL.
    await this.checkpointer?.close();
    await this.db.destroy();
  }
}
