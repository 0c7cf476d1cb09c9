// The body of the WAL checkpointer's thread (wal-checkpointer.ts): its own connection to the database
// file copies the WAL back into it, so the main connection's commits never pay for a checkpoint.
//
// It polls rather than being told after each commit: a PASSIVE checkpoint with nothing new to copy
// only reads the WAL index header from shared memory, as cheap as any size probe and the only one that
// counts frames not yet copied (the WAL file's size is a high-water mark); and the event loop posts
// nothing per commit.
//
// The writer starts the WAL over from its beginning only if, when its transaction begins, every frame
// has been copied; PASSIVE never blocks the writer, so under a steady stream of commits that may never
// happen and the WAL would grow for ever. Past `restartAboveBytes` a RESTART checkpoint holds the writer
// off while it copies the last frames (the main thread's next commit waits a few ms in busy_timeout).
// When idle, TRUNCATE gives the disk space back.

import { statSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import SqliteDatabase from 'better-sqlite3';

export interface ThreadSettings {
  file: string;
  /** Between two rounds of checkpoints. */
  intervalMs: number;
  /** A WAL holding more than this since it last started over is checkpointed with RESTART. */
  restartAboveBytes: number;
  /** A WAL file larger than this, idle for truncateAfterIdleMs, is truncated (TRUNCATE), once per idle spell. */
  truncateAboveBytes: number;
  truncateAfterIdleMs: number;
  busyTimeoutMs: number;
}

type Mode = 'passive' | 'restart' | 'truncate';

/** Told to the main thread. */
export type ThreadMessage =
  | { type: 'ready' }
  | { type: 'checkpoint'; mode: Mode; busy: boolean; log: number; checkpointed: number };

interface CheckpointRow { busy: number; log: number; checkpointed: number }

const port = parentPort;
if (port === null) throw new Error('wal-checkpoint-thread runs as a worker thread');
const settings = workerData as ThreadSettings;

const db = new SqliteDatabase(settings.file, { fileMustExist: true });
// RESTART and TRUNCATE wait this long at most for the writer lock, then for readers, holding the writer
// lock meanwhile; past it they give up as PASSIVE would. Short, since the main thread's commits wait.
db.pragma(`busy_timeout = ${settings.busyTimeoutMs}`);
const pageSize = db.pragma('page_size', { simple: true }) as number;
const statements: Record<Mode, SqliteDatabase.Statement<[], CheckpointRow>> = {
  passive: db.prepare('pragma wal_checkpoint(PASSIVE)'),
  restart: db.prepare('pragma wal_checkpoint(RESTART)'),
  truncate: db.prepare('pragma wal_checkpoint(TRUNCATE)'),
};
const walFile = `${settings.file}-wal`;

/** PASSIVE checkpoints in a round while each finds new frames: each is shorter than the last. */
const MAX_PASSES = 3;
let timer: NodeJS.Timeout | null = null;
/** The WAL's frame count at the last checkpoint (it drops when the writer starts the WAL over). */
let lastLog = -1;
let idleSince: number | null = null;
let truncated = false;

function checkpoint(mode: Mode): CheckpointRow {
  const row = statements[mode].get() as CheckpointRow;
  // Told only when something happened, so an idle service's event loop hears nothing.
  if (mode !== 'passive' || row.log !== lastLog) {
    port!.postMessage({ type: 'checkpoint', mode, busy: row.busy === 1, log: row.log, checkpointed: row.checkpointed } satisfies ThreadMessage);
  }
  lastLog = row.log;
  return row;
}

function round(): void {
  const before = lastLog;
  let row = checkpoint('passive');
  const idle = row.busy === 0 && row.log === row.checkpointed && row.log === before;
  for (let pass = 1, prev = before; pass < MAX_PASSES && row.busy === 0 && row.log !== prev; pass++) {
    prev = row.log;
    row = checkpoint('passive');
  }
  if (row.log * pageSize > settings.restartAboveBytes) checkpoint('restart');
  // Not after every pause: the file grows again, block by block, with the next writes.
  if (!idle) {
    idleSince = null;
    truncated = false;
  } else if (idleSince === null) {
    idleSince = Date.now();
  } else if (!truncated && Date.now() - idleSince >= settings.truncateAfterIdleMs
    && (statSync(walFile, { throwIfNoEntry: false })?.size ?? 0) > settings.truncateAboveBytes) {
    truncated = checkpoint('truncate').busy === 0;
  }
  timer = setTimeout(round, settings.intervalMs);
}

port.on('message', (m: { type: 'close' }) => {
  if (m.type !== 'close') return;
  if (timer) clearTimeout(timer);
  // A last copy, so the main connection's close has little left to do.
  checkpoint('passive');
  db.close();
  port.close();
});

port.postMessage({ type: 'ready' } satisfies ThreadMessage);
timer = setTimeout(round, settings.intervalMs);
