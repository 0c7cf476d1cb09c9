// "The same repository tests run against both": forEachStore runs a group of tests once on SQLite (in
// memory) and once on PostgreSQL (a private server per test file, a fresh database per open()).
// PostgreSQL is skipped, saying so, only when it is not installed (scripts/setup.sh --test installs it).

import t, { type Test } from 'tap';
import type { Engine } from '../../src/db/column-types.js';
import { Database, type AppDatabase } from '../../src/db/database.js';
import { PostgresDatabase } from '../../src/db/postgres-database.js';
import { postgresBinDir, startPostgres, type PostgresServer } from './postgres.js';

export interface StoreCase {
  engine: Engine;
  /** A fresh, migrated store, closed when `t` ends. */
  open(t: Test): Promise<AppDatabase>;
}

let server: Promise<PostgresServer> | null = null;

/** One server per test file (process), started on first use and stopped when the file's tests end. */
function postgresServer(): Promise<PostgresServer> {
  if (!server) {
    server = startPostgres().then((s) => {
      if (!s) throw new Error('PostgreSQL is not installed');
      t.teardown(() => s.stop());
      return s;
    });
  }
  return server;
}

/** A fresh database on this test file's private PostgreSQL server. */
export async function freshPostgresUrl(): Promise<string> {
  return (await postgresServer()).createDatabase();
}

const cases: Record<Engine, StoreCase> = {
  sqlite: {
    engine: 'sqlite',
    async open(t) {
      const db = new Database(':memory:');
      await db.start();
      t.teardown(() => db.close());
      return db;
    },
  },
  postgres: {
    engine: 'postgres',
    async open(t) {
      const url = await freshPostgresUrl();
      const db = new PostgresDatabase(url, { max: 4 });
      await db.start();
      t.teardown(() => db.close());
      return db;
    },
  },
};

/** Runs `fn` as a subtest per engine, named after it. */
export function forEachStore(fn: (t: Test, store: StoreCase) => void | Promise<void>): void {
  const missing = postgresBinDir() === null ? 'PostgreSQL is not installed (scripts/setup.sh --test installs it)' : false;
  t.test('sqlite', async (t) => fn(t, cases.sqlite));
  t.test('postgres', { skip: missing }, async (t) => fn(t, cases.postgres));
}
