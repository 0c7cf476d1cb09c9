// The history API's storage: N events (default 10 million) over 190 cameras and one year, seeded once
// into SQLite and PostgreSQL (cached under .cache/bench-history/), then the typical queries timed
// through EventsRepository.search — the API's own code path — each with the scope its user has.
// Prints p50/p95 per query and engine against the target (p95 ≤ 20 ms), and each against the engine's
// floor (a `select 1` through the same connection) measured in the same run.
// --os-cache says what the OS page cache holds when the timing starts (each engine's own cache is empty:
// a fresh connection, a server just started): `warm` reads the store's files in first (a server whose
// store fits in memory); `dropped` evicts them (os-page-cache.ts), so every page a query touches for the
// first time is a disk read — each timed query asks for another camera, night or cursor, so it is the
// first touch of its rows, while the warm-up leaves the upper B-tree levels cached, as in a running
// service; `as-is` (default) leaves the cache as it happens to be. A seeded store kept from an earlier
// run is migrated to the current schema when opened (a new index takes minutes at 10 M rows).
//   npm run bench:history [-- --events 10000000 --runs 200 --engines sqlite,postgres --os-cache dropped --explain --cache DIR]
import { createReadStream, existsSync, statSync } from 'node:fs';
import os from 'node:os';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { AppDatabase } from '../src/db/database.js';
import { Database } from '../src/db/database.js';
import type { EventSearch } from '../src/db/event-search.js';
import { EventsRepository } from '../src/db/events.repository.js';
import { PostgresDatabase } from '../src/db/postgres-database.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { cachedBytes, dropFromPageCache, filesUnder, randomReadsMs } from './os-page-cache.js';
import { CAMERAS, HOUSEHOLD_CAMERAS, YEAR_MS, YEAR_START, ZONES, cameraId, householdId, seededPostgres, seededSqlite, zoneId } from './history-seed.js';

const { values: v } = parseArgs({
  options: {
    events: { type: 'string' }, runs: { type: 'string' }, engines: { type: 'string' }, explain: { type: 'boolean' }, prewarm: { type: 'boolean' }, 'os-cache': { type: 'string' },
    cache: { type: 'string' }, 'seed-only': { type: 'boolean' },
  },
});
const EVENTS = Number(v.events ?? 10_000_000);
const RUNS = Number(v.runs ?? 200);
const WARMUP = Math.max(5, Math.round(RUNS / 10));
const ENGINES = (v.engines ?? 'sqlite,postgres').split(',');
const OS_CACHE = v['os-cache'] ?? (v.prewarm ? 'warm' : 'as-is');
if (!['as-is', 'warm', 'dropped'].includes(OS_CACHE)) throw new Error('--os-cache: as-is, warm or dropped');
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const LOAD_AT_START = load();
const TARGET_P95_MS = 20;
const PAGE = 50;
const CACHE = path.resolve(v.cache ?? '.cache/bench-history');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Deterministic, so both engines answer the same questions. */
function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = (r: () => number, n: number) => Math.floor(r() * n);

interface Query {
  name: string;
  who: string;
  make: (r: () => number) => EventSearch;
}

const QUERIES: Query[] = [
  {
    // A household looks at its own camera overnight: 18:00 to 06:00 Vietnam time.
    name: 'one camera, one night', who: 'household',
    make: (r) => {
      const c = pick(r, HOUSEHOLD_CAMERAS);
      const from = YEAR_START + pick(r, 364) * DAY + 18 * HOUR;
      return { scope: { kind: 'household', householdId: householdId(c) }, cameraId: cameraId(c), from, to: from + 12 * HOUR, limit: PAGE };
    },
  },
  {
    name: 'one zone, one week', who: 'officer',
    make: (r) => {
      const from = YEAR_START + pick(r, 51) * 7 * DAY;
      return { scope: { kind: 'shared-with-officers' }, zone: zoneId(pick(r, ZONES)), from, to: from + 7 * DAY, limit: PAGE };
    },
  },
  {
    name: 'all cameras, one hour', who: 'police',
    make: (r) => {
      const from = YEAR_START + pick(r, 365 * 24) * HOUR;
      return { scope: { kind: 'police-viewable' }, from, to: from + HOUR, limit: PAGE };
    },
  },
  {
    // A cursor anywhere in the year: the page after it, as the API answers the n-th "older" click.
    name: 'a deep page (cursor in the year)', who: 'officer',
    make: (r) => ({ scope: { kind: 'shared-with-officers' }, after: { startedAt: YEAR_START + Math.floor(r() * YEAR_MS), id: 'z' }, limit: PAGE }),
  },
  {
    name: 'a deep page, one camera', who: 'officer',
    make: (r) => ({
      scope: { kind: 'shared-with-officers' }, cameraId: cameraId(pick(r, CAMERAS)),
      after: { startedAt: YEAR_START + Math.floor(r() * YEAR_MS), id: 'z' }, limit: PAGE,
    }),
  },
];

/** As root the server runs as `postgres`, which must reach its data dir: from a private home (/root/…) use /var/tmp. */
function postgresCacheDir(): string {
  const wanted = path.join(CACHE, 'postgres');
  if (process.getuid?.() !== 0) return wanted;
  for (let d = CACHE; d !== path.dirname(d); d = path.dirname(d)) {
    if (existsSync(d) && (statSync(d).mode & 0o001) === 0) return '/var/tmp/mat-than-bench-history/postgres';
  }
  return wanted;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;

async function time(fn: () => Promise<unknown>, runs: number): Promise<{ p50: number; p95: number }> {
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = process.hrtime.bigint();
    await fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 0.5), p95: percentile(ms, 0.95) };
}

async function explain(db: AppDatabase, q: EventSearch): Promise<string> {
  const c = new EventsRepository(db.db).searchQuery(q).compile();
  if (db instanceof Database) {
    const rows = db.sqlite.prepare(`explain query plan ${c.sql}`).all(...(c.parameters as unknown[])) as { detail: string }[];
    return rows.map((r) => `    ${r.detail}`).join('\n');
  }
  const rows = (await (db as PostgresDatabase).pool.query(`explain (analyze, buffers off, costs off) ${c.sql}`, c.parameters as unknown[])).rows as { 'QUERY PLAN': string }[];
  return rows.map((r) => `    ${r['QUERY PLAN']}`).join('\n');
}

/** Reads the store's files once, so they are in the OS page cache (PostgreSQL: pg_prewarm in `read` mode). */
async function prewarm(db: AppDatabase, sqliteFile?: string): Promise<void> {
  if (sqliteFile) {
    await pipeline(createReadStream(sqliteFile), new Writable({ write: (_c, _e, done) => done() }));
    return;
  }
  const pool = (db as PostgresDatabase).pool;
  await pool.query('create extension if not exists pg_prewarm');
  await pool.query("select pg_prewarm(c.oid, 'read') from pg_class c where c.relname = 'events' or c.oid in (select indexrelid from pg_index where indrelid = 'events'::regclass)");
}

/** Brings the OS page cache into the state asked for; returns what it then holds of the store's files. */
async function setOsCache(db: AppDatabase, files: string[]): Promise<string> {
  if (OS_CACHE === 'warm') await prewarm(db, db instanceof Database ? files[0] : undefined);
  let disk = '';
  if (OS_CACHE === 'dropped') {
    await dropFromPageCache(files);
    const ms = randomReadsMs(files, RUNS);
    disk = `, a random 4 KiB read from them ${percentile(ms, 0.5).toFixed(2)} / ${percentile(ms, 0.95).toFixed(2)} ms p50 / p95`;
    await dropFromPageCache(files);
  }
  const c = await cachedBytes(files);
  return `${(c.cached / 2 ** 30).toFixed(2)} of ${(c.size / 2 ** 30).toFixed(2)} GiB cached${disk}`;
}

/** Opens the store, applying migrations newer than the seed (timed: an index build shows here). */
async function open(db: AppDatabase): Promise<void> {
  const t0 = Date.now();
  await db.start();
  if (Date.now() - t0 > 2000) process.stderr.write(`  ${db.engine}: migrations took ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
}

type Result = { cache?: string; floor: { p50: number; p95: number }; byQuery: { p50: number; p95: number; rows: number }[] };

async function measure(db: AppDatabase): Promise<Result> {
  const repo = new EventsRepository(db.db);
  const floor = await time(() => db.ping(), RUNS);
  const byQuery = [];
  for (const [i, q] of QUERIES.entries()) {
    const warm = rng(1000 + i);
    for (let k = 0; k < WARMUP; k++) await repo.search(q.make(warm));
    const r = rng(i + 1);
    let rows = 0;
    const t = await time(async () => { rows += (await repo.search(q.make(r))).length; }, RUNS);
    byQuery.push({ ...t, rows: rows / RUNS });
    if (v.explain) console.log(`  ${db.engine} — ${q.name}:\n${await explain(db, q.make(rng(i + 1)))}`);
  }
  return { floor, byQuery };
}

async function runEngine(engine: string): Promise<Result> {
  if (engine === 'sqlite') {
    const file = await seededSqlite(CACHE, EVENTS);
    if (v['seed-only']) return { floor: { p50: 0, p95: 0 }, byQuery: [] };
    const db = new Database(file);
    await open(db);
    try {
      const cache = await setOsCache(db, filesUnder([file, `${file}-wal`, `${file}-shm`]));
      return { cache, ...await measure(db) };
    } finally {
      await db.close();
    }
  }
  const server = await startPostgres({ dataDir: postgresCacheDir() });
  if (!server) throw new Error('PostgreSQL is not installed (scripts/setup.sh --test installs it)');
  try {
    const url = await seededPostgres(server.url, EVENTS);
    if (v['seed-only']) return { floor: { p50: 0, p95: 0 }, byQuery: [] };
    const db = new PostgresDatabase(url, { max: 2 });
    await open(db);
    try {
      const oid = (await db.pool.query<{ oid: number }>('select oid from pg_database where datname = current_database()')).rows[0]?.oid;
      const cache = await setOsCache(db, filesUnder([path.join(postgresCacheDir(), 'data', 'base', String(oid))]));
      return { cache, ...await measure(db) };
    } finally {
      await db.close();
    }
  } finally {
    await server.stop();
  }
}

const results = new Map<string, Result>();
for (const e of ENGINES) {
  process.stderr.write(`${e}: preparing ${EVENTS.toLocaleString('en')} events (cached under ${path.relative(process.cwd(), CACHE)}/)\n`);
  results.set(e, await runEngine(e));
}

if (v['seed-only']) process.exit(0);
const f = (x: number) => x.toFixed(2).padStart(6);
console.log(`\nbench:history — ${EVENTS.toLocaleString('en')} events, ${CAMERAS} cameras, one year; ${RUNS} runs per query after ${WARMUP} warm-up; pages of ${PAGE}`);
console.log(`${os.cpus().length} cores; load average ${LOAD_AT_START} at the start, ${load()} at the end`);
console.log({
  'as-is': 'OS page cache as it happened to be (--os-cache warm / dropped to set it)',
  warm: 'store files read into the OS page cache first (--os-cache warm)',
  dropped: 'store files dropped from the OS page cache first (--os-cache dropped): first touches are disk reads',
}[OS_CACHE]);
for (const e of ENGINES) console.log(`${e} store at the start of timing: ${(results.get(e) as Result).cache}`);
console.log(`target: p95 ≤ ${TARGET_P95_MS} ms. "× floor" = p50 / the engine's own select-1 round trip (p50) in this run.\n`);
console.log(`${'query'.padEnd(34)} ${'scope'.padEnd(10)} ${ENGINES.map((e) => `${e} p50 / p95 ms  × floor  rows  ok`.padEnd(44)).join('')}`);
for (const [i, q] of QUERIES.entries()) {
  const cells = ENGINES.map((e) => {
    const r = results.get(e) as Result;
    const m = r.byQuery[i] as Result['byQuery'][number];
    return `${e.padEnd(8)} ${f(m.p50)} / ${f(m.p95)}  ${(m.p50 / r.floor.p50).toFixed(1).padStart(6)}  ${m.rows.toFixed(0).padStart(4)}  ${m.p95 <= TARGET_P95_MS ? 'yes' : 'NO '}`.padEnd(44);
  });
  console.log(`${q.name.padEnd(34)} ${q.who.padEnd(10)} ${cells.join('')}`);
}
console.log(`${'floor: select 1'.padEnd(34)} ${''.padEnd(10)} ${ENGINES.map((e) => `${e.padEnd(8)} ${f((results.get(e) as Result).floor.p50)} / ${f((results.get(e) as Result).floor.p95)}`.padEnd(44)).join('')}`);
