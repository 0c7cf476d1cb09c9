// Column types that read back the same on SQLite and PostgreSQL, for the migrations (migrations.ts).
// Every migration takes its types from here instead of naming them, so one migration serves both:
//   const t = columnTypes(engine);
//   .addColumn('started_at', t.time, (c) => c.notNull())   // epoch ms
//   .addColumn('id', t.autoId, t.autoIdKey)                 // auto-incrementing primary key

import type { ColumnDefinitionBuilder } from 'kysely';

export type Engine = 'sqlite' | 'postgres';

export interface ColumnTypes {
  text: 'text';
  /** Small integers and 0/1 flags: booleans stay integers on both engines, so rows read the same. */
  int: 'integer';
  /** Epoch milliseconds (and other large counts): PostgreSQL's integer is 32 bits, so bigint there (read back as number). */
  time: 'integer' | 'bigint';
  /** PostgreSQL's real is 4 bytes and would round scores; SQLite's real is 8. */
  real: 'real' | 'double precision';
  blob: 'blob' | 'bytea';
  /** With autoIdKey: SQLite's `integer primary key autoincrement`, PostgreSQL's bigint identity. */
  autoId: 'integer' | 'bigint';
  autoIdKey: (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;
}

export function columnTypes(engine: Engine): ColumnTypes {
  if (engine === 'sqlite') {
    return {
      text: 'text', int: 'integer', time: 'integer', real: 'real', blob: 'blob',
      autoId: 'integer', autoIdKey: (c) => c.primaryKey().autoIncrement(),
    };
  }
  return {
    text: 'text', int: 'integer', time: 'bigint', real: 'double precision', blob: 'bytea',
    autoId: 'bigint', autoIdKey: (c) => c.primaryKey().generatedByDefaultAsIdentity(),
  };
}
