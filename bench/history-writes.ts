// What the one-camera covering index (migration 0006) costs the worker: the same events written through
// the worker's own store (db.worker: group commit on SQLite; on PostgreSQL one transaction per job,
// one after another — so use fewer --events there)
// into a store with the schema before it (0006 stepped down: events_camera_time) and with it
// (events_camera_cover). Each event is a `new` (insert), an `update` (score, box, images) and an `end`,
// as a motion episode is; 190 cameras interleaved in time order, `--concurrency` jobs at once. Only the
// events table is written (no outbox, no files), so the ratio is an upper bound on the service's slowdown.
// Rounds alternate ABBA on fresh stores, so a load swing on the shared box hits both alike.
//   npx tsx bench/history-writes.ts [--events 20000 --rounds 2 --concurrency 32 --engines sqlite,postgres]

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { Database, type AppDatabase } from '../src/db/database.js';
import type { EventRow } from '../src/db/events.repository.js';
import { migrationsFor } from '../src/db/migrations.js';
import { PostgresDatabase } from '../src/db/postgres-database.js';
import { startPostgres, type PostgresServer } from '../test/helpers/postgres.js';

const { values: v } = parseArgs({ options: { events: { type: 'string' }, rounds: { type: 'string' }, concurrency: { type: 'string' }, engines: { type: 'string' } } });
const EVENTS = Number(v.events ?? 20_000);
const ROUNDS = Number(v.rounds ?? 2);
const CONCURRENCY = Number(v.concurrency ?? 32);
const ENGINES = (v.engines ?? 'sqlite,postgres').split(',');
const COVERING = '0006_history_camera_covering';
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

type Variant = 'before' | 'covering';

function row(n: number, t0: number): EventRow {
  const c = (n * 7919) % 190;
  const at = t0 + n * 3000;
  return {
    id: uuidv7(), camera_id: `cam-${String(c).padStart(3, '0')}`, zone: `zone-${c % 12}`, household_id: c < 170 ? `hh-${c}` : null, type: 'motion',
    started_at: at, ended_at: null, score: 0.2, box: '{"x":120,"y":64,"w":40,"h":90}', snapshot_path: `2026/cam-${c}/${at}.jpg`,
    snapshot_sha256: 'a'.repeat(64), thumbnail_path: `2026/cam-${c}/${at}.thumb.jpg`, incident_id: null, alert: 'alerted', created_at: at, updated_at: at,
  };
}

/** new, update, end of one event: three jobs, each its own transaction, as the worker runs them. */
async function episode(db: AppDatabase, r: EventRow): Promise<void> {
  await db.worker.commit(function* (w) { yield* w.insertEvent(r); });
  const u = { score: 0.6, box: '{"x":100,"y":60,"w":60,"h":110}', updated_at: r.started_at + 1000, snapshot_path: `${r.snapshot_path}.2`, snapshot_sha256: 'b'.repeat(64), thumbnail_path: null };
  await db.worker.commit(function* (w) { yield* w.updateEvent(r.id, u); });
  await db.worker.commit(function* (w) { yield* w.endEvent(r.id, r.started_at + 8000, 0.6, r.started_at + 8000); });
}

async function open(engine: string, variant: Variant, dir: string, pg: PostgresServer | null): Promise<{ db: AppDatabase; bytes: () => Promise<number> }> {
  const db = engine === 'sqlite' ? new Database(path.join(dir, `${variant}-${Date.now()}.db`)) : new PostgresDatabase(await (pg as PostgresServer).createDatabase('writes'), { max: CONCURRENCY });
  await db.start();
  if (variant === 'before') await (migrationsFor(db.engine)[COVERING] as { down: (d: typeof db.db) => Promise<void> }).down(db.db);
  const bytes = async () => {
    if (db instanceof Database) {
      db.sqlite.pragma('wal_checkpoint(TRUNCATE)');
      return statSync(db.sqlite.name).size;
    }
    return Number((await sql<{ n: string }>`select pg_total_relation_size('events') as n`.execute(db.db)).rows[0]?.n);
  };
  return { db, bytes };
}

async function round(engine: string, variant: Variant, dir: string, pg: PostgresServer | null) {
  const { db, bytes } = await open(engine, variant, dir, pg);
  try {
    const t0 = Date.UTC(2026, 0, 1);
    const cpu0 = process.cpuUsage();
    const start = process.hrtime.bigint();
    let next = 0;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      for (let n = next++; n < EVENTS; n = next++) await episode(db, row(n, t0));
    }));
    const sec = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    return { perSec: EVENTS / sec, cpuMsPerEvent: (cpu.user + cpu.system) / 1000 / EVENTS, bytesPerEvent: (await bytes()) / EVENTS };
  } finally {
    await db.close();
  }
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-history-writes-'));
const pg = ENGINES.includes('postgres') ? await startPostgres() : null;
console.log(`bench:history writes — ${EVENTS} events × (insert, update, end), ${CONCURRENCY} at once, ${ROUNDS} rounds ABBA; ${os.cpus().length} cores, load average ${load()} at the start`);
try {
  for (const engine of ENGINES) {
    const got: Record<Variant, Awaited<ReturnType<typeof round>>[]> = { before: [], covering: [] };
    for (let i = 0; i < ROUNDS; i++) {
      const order: Variant[] = i % 2 === 0 ? ['before', 'covering'] : ['covering', 'before'];
      for (const variant of order) got[variant].push(await round(engine, variant, dir, pg));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const f = (variant: Variant) => {
      const r = got[variant];
      return `${mean(r.map((x) => x.perSec)).toFixed(0).padStart(6)} events/s (${r.map((x) => x.perSec.toFixed(0)).join(', ')}), ${mean(r.map((x) => x.cpuMsPerEvent)).toFixed(3)} ms client CPU/event, ${mean(r.map((x) => x.bytesPerEvent)).toFixed(0)} B/event stored`;
    };
    const ratio = mean(got.covering.map((x) => x.perSec)) / mean(got.before.map((x) => x.perSec));
    console.log(`${engine.padEnd(8)} before (events_camera_time):   ${f('before')}`);
    console.log(`${engine.padEnd(8)} covering (events_camera_cover): ${f('covering')}`);
    console.log(`${engine.padEnd(8)} covering / before: ${ratio.toFixed(2)}× the write rate; load average ${load()}`);
  }
} finally {
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
}
