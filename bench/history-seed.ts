// Seeds bench:history's stores: N events over 190 cameras and one year, the same rows in SQLite and
// PostgreSQL, generated inside the engine (a recursive CTE / generate_series) in time order. The
// events indexes the migrations made are dropped for the load and rebuilt from their own definitions,
// so the benchmark queries exactly the schema the service uses. Seeded stores are kept under .cache/.

import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { Database } from '../src/db/database.js';
import { PostgresDatabase } from '../src/db/postgres-database.js';

/** Changes whenever the generated rows change, so old caches are seeded again. */
const SEED_VERSION = 1;
export const CAMERAS = 190;
/** Cameras 0..169 belong to households; 170..189 are public. */
export const HOUSEHOLD_CAMERAS = 170;
export const ZONES = 12;
export const YEAR_START = Date.UTC(2025, 10, 30, 17); // 2025-12-01 00:00 in Vietnam (UTC+7)
export const YEAR_MS = 365 * 86_400_000;
const CHUNK = 1_000_000;

export const cameraId = (c: number) => `cam-${String(c).padStart(3, '0')}`;
export const zoneId = (z: number) => `zone-${String(z).padStart(2, '0')}`;
export const householdId = (c: number) => `hh-${String(c).padStart(3, '0')}`;

/** ~70% of household cameras shared with officers, half viewable by police; public cameras both. */
function cameraRows() {
  return Array.from({ length: CAMERAS }, (_, c) => {
    const pub = c >= HOUSEHOLD_CAMERAS;
    return {
      id: cameraId(c), name: `Camera ${c}`, kind: pub ? 'public' : 'household', household_id: pub ? null : householdId(c),
      zone: zoneId(c % ZONES), status: 'online', source: 'api', created_at: YEAR_START, updated_at: YEAR_START,
      share_with_officers: pub || c % 10 < 7 ? 1 : 0, police_may_view: pub || c % 2 === 0 ? 1 : 0,
    };
  });
}

// Row n: camera (n·7919 mod 190), start YEAR_START + n·step + jitter (strictly increasing), ids that
// sort like the service's time-ordered ids. Written twice, once per SQL dialect, producing the same values.
const sqliteSelect = (step: number) => `
  select printf('%012x-%023d', t, n), printf('cam-%03d', c), printf('zone-%02d', c % ${ZONES}),
    case when c < ${HOUSEHOLD_CAMERAS} then printf('hh-%03d', c) end,
    case n % 20 when 0 then 'covered' when 1 then 'offline' else 'motion' end,
    t, t + 5000 + n % 60000, ((n * 2654435761) % 1000) / 1000.0, '{"x":120,"y":64,"w":40,"h":90}',
    printf('%s/cam-%03d/%012x.jpg', '2026', c, t), printf('%016x%016x%016x%016x', n * 31, t, n * 17, t * 3),
    printf('%s/cam-%03d/%012x.thumb.jpg', '2026', c, t), null, 'alerted', t, t
  from (select n, (n * 7919) % ${CAMERAS} as c, ${YEAR_START} + n * ${step} + (n * 104729) % ${step} as t from g)`;

const pgSelect = (step: number) => `
  select lpad(to_hex(t), 12, '0') || '-' || lpad(n::text, 23, '0'), 'cam-' || lpad(c::text, 3, '0'), 'zone-' || lpad((c % ${ZONES})::text, 2, '0'),
    case when c < ${HOUSEHOLD_CAMERAS} then 'hh-' || lpad(c::text, 3, '0') end,
    case n % 20 when 0 then 'covered' when 1 then 'offline' else 'motion' end,
    t, t + 5000 + n % 60000, ((n * 2654435761) % 1000) / 1000.0, '{"x":120,"y":64,"w":40,"h":90}',
    '2026/cam-' || lpad(c::text, 3, '0') || '/' || lpad(to_hex(t), 12, '0') || '.jpg',
    lpad(to_hex(n * 31), 16, '0') || lpad(to_hex(t), 16, '0') || lpad(to_hex(n * 17), 16, '0') || lpad(to_hex(t * 3), 16, '0'),
    '2026/cam-' || lpad(c::text, 3, '0') || '/' || lpad(to_hex(t), 12, '0') || '.thumb.jpg', null, 'alerted', t, t
  from (select n, (n * 7919) % ${CAMERAS} as c, ${YEAR_START}::bigint + n * ${step} + (n * 104729) % ${step} as t
        from generate_series($1::bigint, $2::bigint) n) s`;

const COLUMNS = 'id, camera_id, zone, household_id, type, started_at, ended_at, score, box, snapshot_path, snapshot_sha256, thumbnail_path, incident_id, alert, created_at, updated_at';

const progress = (what: string, done: number, total: number) => process.stderr.write(`\r  seeding ${what}: ${done.toLocaleString('en')} / ${total.toLocaleString('en')} events   `);

function marker(file: string, events: number): boolean {
  return existsSync(file) && readFileSync(file, 'utf8') === `${SEED_VERSION}:${events}`;
}

/** A seeded SQLite file for `events` rows (made once, then reused). */
export async function seededSqlite(cacheDir: string, events: number): Promise<string> {
  const file = path.join(cacheDir, `history-${events}.db`);
  const done = `${file}.seeded`;
  if (marker(done, events)) return file;
  for (const f of [file, `${file}-wal`, `${file}-shm`, done]) rmSync(f, { force: true });
  mkdirSync(cacheDir, { recursive: true });
  const db = new Database(file);
  await db.start();
  await db.db.insertInto('cameras').values(cameraRows()).execute();
  await db.close();
  const raw = new SqliteDatabase(file);
  raw.pragma('journal_mode = off');
  raw.pragma('synchronous = off');
  raw.pragma('cache_size = -512000');
  const indexes = raw.prepare("select name, sql from sqlite_master where type = 'index' and tbl_name = 'events' and sql is not null").all() as { name: string; sql: string }[];
  for (const i of indexes) raw.exec(`drop index ${i.name}`);
  const step = Math.floor(YEAR_MS / events);
  const insert = raw.prepare(`with recursive g(n) as (select ? union all select n + 1 from g where n < ?) insert into events (${COLUMNS}) ${sqliteSelect(step)}`);
  for (let from = 0; from < events; from += CHUNK) {
    insert.run(from, Math.min(events, from + CHUNK) - 1);
    progress('SQLite', Math.min(events, from + CHUNK), events);
  }
  process.stderr.write('\n  SQLite: building the indexes\n');
  for (const i of indexes) raw.exec(i.sql);
  raw.pragma('journal_mode = wal');
  raw.close();
  writeFileSync(done, `${SEED_VERSION}:${events}`);
  return file;
}

/** A seeded database on the given PostgreSQL server, named after the row count (made once, then reused). */
export async function seededPostgres(adminUrl: (db: string) => string, events: number): Promise<string> {
  const name = `history_${events}`;
  const admin = new pg.Client({ connectionString: adminUrl('postgres') });
  await admin.connect();
  try {
    await admin.query('create table if not exists bench_seeded (name text primary key, version text not null)');
    const r = await admin.query('select version from bench_seeded where name = $1', [name]);
    if (r.rows[0]?.version === `${SEED_VERSION}:${events}`) return adminUrl(name);
    await admin.query(`drop database if exists ${name}`);
    await admin.query(`create database ${name}`);
    await seedPostgres(adminUrl(name), events);
    await admin.query('insert into bench_seeded values ($1, $2) on conflict (name) do update set version = excluded.version', [name, `${SEED_VERSION}:${events}`]);
    return adminUrl(name);
  } finally {
    await admin.end();
  }
}

async function seedPostgres(url: string, events: number): Promise<void> {
  const db = new PostgresDatabase(url, { max: 1 });
  await db.start();
  await db.db.insertInto('cameras').values(cameraRows()).execute();
  await db.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("set maintenance_work_mem = '512MB'");
    const indexes = (await c.query<{ name: string; def: string }>(
      "select indexname as name, indexdef as def from pg_indexes where tablename = 'events' and indexname <> 'events_pkey'",
    )).rows;
    for (const i of indexes) await c.query(`drop index ${i.name}`);
    const step = Math.floor(YEAR_MS / events);
    for (let from = 0; from < events; from += CHUNK) {
      await c.query(`insert into events (${COLUMNS}) ${pgSelect(step)}`, [from, Math.min(events, from + CHUNK) - 1]);
      progress('PostgreSQL', Math.min(events, from + CHUNK), events);
    }
    process.stderr.write('\n  PostgreSQL: building the indexes, vacuum analyze\n');
    for (const i of indexes) await c.query(i.def);
    // What autovacuum does on its own in service: statistics for the planner, the visibility map.
    await c.query('vacuum analyze events');
    await c.query('analyze cameras');
  } finally {
    await c.end();
  }
}
