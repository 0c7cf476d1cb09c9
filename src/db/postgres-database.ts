// Connection to PostgreSQL, the store for several machines (DATABASE_URL=postgres://…): a pg pool under
// kysely for the repositories, and the worker's and relay's statements on the same pool.

import pg from 'pg';
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { AppDatabase, Db } from './database.js';
import { migrateToLatest } from './migrations.js';
import { PostgresOutbox } from './postgres-outbox.js';
import { PostgresWorkerStore } from './postgres-worker-store.js';
import type { DatabaseSchema } from './schema.js';
import type { WorkerStore } from './worker-store.js';

// Times are bigint (int8) columns; epoch milliseconds fit a double exactly, so they read back as numbers like on SQLite.
const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
};

export interface PostgresOptions {
  /** Pool size (connections). */
  max?: number;
  /** An idle pooled connection failed (server restart): the pool drops it and the next query reconnects. */
  onConnectionError?: (err: Error) => void;
}

export class PostgresDatabase implements AppDatabase {
  readonly engine = 'postgres' as const;
  readonly db: Db;
  readonly pool: pg.Pool;
  readonly #url: string;
  readonly #outboxes: PostgresOutbox[] = [];
  #worker: WorkerStore | null = null;

  constructor(url: string, opts: PostgresOptions = {}) {
    this.#url = url;
    this.pool = new pg.Pool({ connectionString: url, types, max: opts.max ?? 10 });
    // Without a listener an idle connection's error would crash the process.
    this.pool.on('error', (err) => opts.onConnectionError?.(err));
    this.db = new Kysely<DatabaseSchema>({ dialect: new PostgresDialect({ pool: this.pool }) });
  }

  async start(): Promise<void> {
    await migrateToLatest(this.db, 'postgres');
    this.#worker = new PostgresWorkerStore(this.pool);
  }

  get worker(): WorkerStore {
    if (!this.#worker) throw new Error('database not started');
    return this.#worker;
  }

  /** `retryMs`: how often a relay that is not publishing asks for the lock again. */
  relayOutbox(retryMs?: number): PostgresOutbox {
    const outbox = new PostgresOutbox(this.pool, () => new pg.Client({ connectionString: this.#url, types }), retryMs);
    this.#outboxes.push(outbox);
    return outbox;
  }

  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async close(): Promise<void> {
    for (const o of this.#outboxes.splice(0)) await o.close();
    await this.db.destroy();
  }
}
