// The WAL checkpointer on real SQLite files: its thread keeps the WAL bounded under a stream of commits
// (the same stream without checkpoints outgrows the bound) and truncates it once idle; a thread that stops
// copying leaves it to the main connection's hard cap; close() waits for the thread to exit and leaves
// every row readable; a thread that cannot start or that dies gives autocheckpoint back. The faulty
// threads are fixtures (test/fixtures/wal-thread-*.mjs): the real one does not fail on its own.

import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import SqliteDatabase from 'better-sqlite3';
import t, { type Test } from 'tap';
import { Database, type SqliteOptions } from '../../../src/db/database.js';
import { createLogger } from '../../../src/logger.js';

const MiB = 1024 * 1024;
const COMMITS = 1500;
const ROWS_PER_COMMIT = 2;

function tempFile(t: Test): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-wal-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return path.join(dir, 'matthan.db');
}

/** Polls until `check` holds (harness.ts's waitFor, without loading the whole service). */
async function until(what: string, check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const walSize = (file: string) => statSync(`${file}-wal`, { throwIfNoEntry: false })?.size ?? 0;

/** Warnings collected as parsed log lines. */
function collectingLogger() {
  const lines: Array<{ msg: string; component?: string }> = [];
  const destination = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  return { lines, logger: createLogger({ level: 'warn', destination }) };
}

async function open(file: string, opts: SqliteOptions = {}): Promise<Database> {
  const db = new Database(file, opts);
  await db.start();
  return db;
}

/**
 * COMMITS group commits of outbox rows (1 KiB each), at most one a millisecond (a busy service's pace,
 * not the disk's: the bound below is a few rounds of the thread's worth of it); the WAL file's largest size.
 */
async function stream(db: Database): Promise<number> {
  let largest = 0;
  const payload = Buffer.alloc(1024, 7);
  for (let c = 0; c < COMMITS; c++) {
    const rows = Array.from({ length: ROWS_PER_COMMIT }, (_, i) => ({
      dedupe_key: `${c}-${i}`, topic: 't', payload, payload_file: null, qos: 1, retain: 0, deliver_after: 0, created_at: c,
    }));
    await db.store.commit(() => db.store.addOutbox(rows));
    largest = Math.max(largest, walSize(db.sqlite.name));
    await new Promise((r) => setTimeout(r, 1));
  }
  return largest;
}

const outboxRows = (f: string) => {
  const raw = new SqliteDatabase(f, { readonly: true, fileMustExist: true });
  try {
    return (raw.prepare('select count(*) as n from outbox').get() as { n: number }).n;
  } finally {
    raw.close();
  }
};

t.test('the thread keeps the WAL bounded under a stream of commits (without checkpoints it outgrows the bound) and truncates it once idle', async (t) => {
  const bound = 8 * MiB;
  // Without: the same stream with no thread and the main connection's autocheckpoint off.
  const without = await open(tempFile(t), { logger: collectingLogger().logger, checkpointer: { script: new URL('./no-such-thread.js', import.meta.url) } });
  without.sqlite.pragma('wal_autocheckpoint = 0');
  const grown = await stream(without);
  await without.close();
  t.ok(grown > bound, `without checkpoints the WAL reaches ${(grown / MiB).toFixed(1)} MiB, past ${bound / MiB} MiB`);

  const f = tempFile(t);
  const db = await open(f, { checkpointer: { intervalMs: 20, restartAboveBytes: 1 * MiB, truncateAfterIdleMs: 100 } });
  t.teardown(() => db.close());
  t.ok(db.checkpointer?.running, 'the thread runs');
  t.equal(db.sqlite.pragma('wal_autocheckpoint', { simple: true }), 0, "the main connection's autocheckpoint is off meanwhile");
  const dbBefore = statSync(f).size;
  const largest = await stream(db);
  t.ok(largest < bound, `with the thread the WAL stays at most ${(largest / MiB).toFixed(1)} MiB`);
  const stats = db.checkpointer?.stats;
  t.ok(stats && stats.threadCheckpoints > 0, 'the thread checkpointed');
  t.ok(stats && stats.restarts > 0, 'the WAL started over from its beginning');
  t.ok(statSync(f).size > dbBefore + COMMITS * ROWS_PER_COMMIT * 1024, 'the rows were copied into the database file');
  t.equal(outboxRows(f), COMMITS * ROWS_PER_COMMIT, 'another connection reads every row');
  // The thread tells of its truncation by a message: wait for it, then look at the file.
  await until('the thread to truncate the idle WAL', () => db.checkpointer!.stats.truncations > 0);
  t.equal(walSize(f), 0, 'idle, the WAL file was truncated');
});

t.test('a thread that stops copying without dying: past the hard cap the main connection checkpoints', async (t) => {
  const script = new URL('../../fixtures/wal-thread-stuck.mjs', import.meta.url);
  const f = tempFile(t);
  const db = await open(f, { checkpointer: { script, restartAboveBytes: MiB / 2, hardCapBytes: 1 * MiB, capCheckMs: 20 } });
  t.teardown(() => db.close());
  t.equal(db.sqlite.pragma('wal_autocheckpoint', { simple: true }), 0, 'autocheckpoint off: the thread said it runs');
  const largest = await stream(db);
  t.ok(largest < 8 * MiB, `the WAL stays at most ${(largest / MiB).toFixed(1)} MiB`);
  t.ok(db.checkpointer!.stats.hardCapCheckpoints > 0, 'the main connection checkpointed');
  t.equal(db.checkpointer!.stats.threadCheckpoints, 0, 'the thread did not');
});

t.test('close() waits for the thread to exit; the WAL is gone and every row is there after reopening', async (t) => {
  const f = tempFile(t);
  const db = await open(f);
  t.ok(db.checkpointer?.running);
  const exited = db.checkpointer!.threadExited.then(() => 'exited');
  await db.store.commit(() => db.store.addOutbox([{ dedupe_key: 'a', topic: 't', payload: Buffer.from('a'), payload_file: null, qos: 1, retain: 0, deliver_after: 0, created_at: 0 }]));
  await db.close();
  t.equal(await Promise.race([exited, Promise.resolve('still running')]), 'exited', 'the thread had exited when close() resolved');
  t.equal(statSync(`${f}-wal`, { throwIfNoEntry: false }), undefined, 'the last connection closed removed the WAL: the thread let go of the file');
  const again = await open(f);
  t.teardown(() => again.close());
  t.same((await again.db.selectFrom('outbox').select('dedupe_key').execute()).map((r) => r.dedupe_key), ['a']);
});

t.test('a thread that cannot start: a warning, and the main connection checkpoints by itself again', async (t) => {
  const { lines, logger } = collectingLogger();
  const db = await open(tempFile(t), { logger, checkpointer: { script: new URL('./no-such-thread.js', import.meta.url) } });
  t.teardown(() => db.close());
  t.equal(db.checkpointer?.running, false);
  t.equal(db.sqlite.pragma('wal_autocheckpoint', { simple: true }), 1000, 'autocheckpoint as SQLite sets it');
  t.match(lines, [{ component: 'wal-checkpointer', msg: /checkpoints on the event loop again/ }]);
  await db.store.commit(() => db.store.addOutbox([{ dedupe_key: 'a', topic: 't', payload: Buffer.from('a'), payload_file: null, qos: 1, retain: 0, deliver_after: 0, created_at: 0 }]));
  t.equal(outboxRows(db.sqlite.name), 1, 'writes go on');
});

t.test('a thread that dies after it started: a warning, and autocheckpoint comes back', async (t) => {
  const { lines, logger } = collectingLogger();
  const script = new URL('../../fixtures/wal-thread-dies.mjs', import.meta.url);
  const db = await open(tempFile(t), { logger, checkpointer: { script } });
  t.teardown(() => db.close());
  t.equal(db.sqlite.pragma('wal_autocheckpoint', { simple: true }), 0, 'off while the thread runs');
  await db.checkpointer!.threadExited;
  t.equal(db.checkpointer?.running, false);
  t.equal(db.sqlite.pragma('wal_autocheckpoint', { simple: true }), 1000, 'on again once it died');
  t.match(lines, [{ component: 'wal-checkpointer', msg: /checkpoints on the event loop again/ }]);
});

t.test('an in-memory database has no checkpointer', async (t) => {
  const db = await open(':memory:');
  t.teardown(() => db.close());
  t.equal(db.checkpointer, null);
});
