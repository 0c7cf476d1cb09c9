// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the commit that crosses
// 1000 WAL pages, synchronously on the event loop: bench:pipeline measured ~0.13 ms of a group commit per
// event, much of it that checkpoint. Here a worker thread with its own connection to the file does the
// copying (wal-checkpoint-thread.ts) and the main connection's autocheckpoint is off while it runs.
//  - If the thread fails to start or dies, a warning is logged and autocheckpoint comes back: slower, nothing lost.
//  - The thread keeps the WAL from growing under a steady stream of commits (wal-checkpoint-thread.ts).
//    Should it stop copying without dying, the event loop checkpoints once the file passes `hardCapBytes`.
//  - close() makes a last checkpoint in the thread and waits for it to exit, before the database closes.

import { statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type SqliteDatabase from 'better-sqlite3';
import type { Logger } from '../logger.js';
import type { ThreadMessage, ThreadSettings } from './wal-checkpoint-thread.js';

export interface WalCheckpointerOptions {
  /** The main connection: its autocheckpoint is off while the thread runs. */
  sqlite: SqliteDatabase.Database;
  file: string;
  logger: Logger;
  /** Between two checkpoints of the thread. */
  intervalMs?: number;
  /** A WAL holding more than this is made to start over (RESTART); also journal_size_limit. */
  restartAboveBytes?: number;
  /** The WAL file past which the main connection checkpoints itself (the thread is not keeping up). */
  hardCapBytes?: number;
  /** How often the main thread looks at the WAL file's size. */
  capCheckMs?: number;
  /** A WAL file larger than this, idle this long, is truncated by the thread. */
  truncateAboveBytes?: number;
  truncateAfterIdleMs?: number;
  /** The thread's script; tests pass one that cannot start. */
  script?: URL;
}

export interface CheckpointStats {
  /** Checkpoints of the thread that found new frames. */
  threadCheckpoints: number;
  /** RESTART checkpoints the thread completed (the WAL had passed restartAboveBytes). */
  forcedRestarts: number;
  /** Times the thread saw that the WAL had started over from its beginning. */
  restarts: number;
  /** Times the thread truncated the idle WAL file. */
  truncations: number;
  /** Checkpoints the main connection ran because the WAL file passed the hard cap. */
  hardCapCheckpoints: number;
}

/** The thread's script beside this module: .ts when running the sources (tsx, tap), .js from dist. */
export const THREAD_SCRIPT = new URL(`./wal-checkpoint-thread${path.extname(fileURLToPath(import.meta.url))}`, import.meta.url);

/**
 * Node 20 applies none of this process's module hooks (tsx, tap's ts-node) in a worker thread, so a
 * TypeScript script is loaded through tsx registered inside the thread; the built .js needs nothing.
 * The thread needs none of this process's flags either (a test runner's loaders cost it seconds).
 */
function spawn(script: URL, settings: ThreadSettings): Worker {
  if (!script.pathname.endsWith('.ts')) return new Worker(script, { workerData: settings, execArgv: [] });
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(script.href)}); });`;
  return new Worker(boot, { eval: true, workerData: settings, execArgv: [] });
}

const CLOSE_TIMEOUT_MS = 10_000;

export class WalCheckpointer {
  readonly #sqlite: SqliteDatabase.Database;
  readonly #file: string;
  readonly #logger: Logger;
  readonly #script: URL;
  readonly #intervalMs: number;
  readonly #restartAboveBytes: number;
  readonly #hardCapBytes: number;
  readonly #capCheckMs: number;
  readonly #truncateAboveBytes: number;
  readonly #truncateAfterIdleMs: number;
  /** The main connection's own setting, given back when the thread stops. */
  readonly #autocheckpoint: number;
  #worker: Worker | null = null;
  #exited: Promise<void> = Promise.resolve();
  #capTimer: NodeJS.Timeout | null = null;
  #closing = false;
  readonly stats: CheckpointStats = { threadCheckpoints: 0, forcedRestarts: 0, restarts: 0, truncations: 0, hardCapCheckpoints: 0 };
  #lastLog = 0;

  constructor(o: WalCheckpointerOptions) {
    this.#sqlite = o.sqlite;
    this.#file = o.file;
    this.#logger = o.logger.child({ component: 'wal-checkpointer' });
    this.#script = o.script ?? THREAD_SCRIPT;
    // In bench:pipeline (~6 WAL pages an event) a round found ~80 new pages (median; 270 at p90), against the
    // 1000 of SQLite's autocheckpoint; an idle service's thread wakes 10 times a second to read a header.
    this.#intervalMs = o.intervalMs ?? 100;
    // A RESTART makes the next commit wait while the thread copies the last frames, so only past a size the
    // WAL seldom reaches: in a bench:pipeline run it started over by itself ~90 times and was forced once.
    this.#restartAboveBytes = o.restartAboveBytes ?? 16 * 1024 * 1024;
    this.#hardCapBytes = o.hardCapBytes ?? 4 * this.#restartAboveBytes;
    this.#capCheckMs = o.capCheckMs ?? 100;
    this.#truncateAboveBytes = o.truncateAboveBytes ?? 0;
    this.#truncateAfterIdleMs = o.truncateAfterIdleMs ?? 1000;
    this.#autocheckpoint = o.sqlite.pragma('wal_autocheckpoint', { simple: true }) as number;
  }

  /** Whether checkpoints are off the event loop (false before start, after a failure, after close). */
  get running(): boolean {
    return this.#worker !== null;
  }

  /** Settles when the thread has exited (at once if there is none). */
  get threadExited(): Promise<void> {
    return this.#exited;
  }

  /** Resolves once the thread runs, or once it failed to (warned; autocheckpoint stays on). */
  async start(): Promise<void> {
    const settings: ThreadSettings = {
      file: this.#file, intervalMs: this.#intervalMs, restartAboveBytes: this.#restartAboveBytes,
      truncateAboveBytes: this.#truncateAboveBytes, truncateAfterIdleMs: this.#truncateAfterIdleMs, busyTimeoutMs: 100,
    };
    let worker: Worker;
    try {
      worker = spawn(this.#script, settings);
    } catch (err) {
      this.#fallBack(err);
      return;
    }
    let failure: unknown = null;
    worker.on('error', (err) => { failure = err; });
    this.#exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    const ready = await new Promise<boolean>((resolve) => {
      worker.on('message', (m: ThreadMessage) => {
        if (m.type === 'ready') resolve(true);
        else if (m.type === 'checkpoint') this.#count(m);
      });
      worker.once('exit', () => resolve(false));
    });
    if (!ready) {
      this.#fallBack(failure ?? new Error('the thread exited before it was ready'));
      return;
    }
    if (this.#closing) {
      await worker.terminate();
      return;
    }
    this.#worker = worker;
    this.#sqlite.pragma('wal_autocheckpoint = 0');
    // A WAL file that grew past this is cut back to it when the WAL starts over (kept after a fallback: harmless).
    this.#sqlite.pragma(`journal_size_limit = ${this.#restartAboveBytes}`);
    worker.once('exit', (code) => {
      if (this.#closing) return;
      this.#fallBack(failure ?? new Error(`the thread exited (${code})`));
    });
    this.#capTimer = setInterval(() => this.#checkCap(), this.#capCheckMs).unref();
  }

  /** Stops the thread after a last checkpoint; the main connection checkpoints by itself again. */
  async close(): Promise<void> {
    this.#closing = true;
    this.#stopCapTimer();
    const worker = this.#worker;
    this.#worker = null;
    if (worker) {
      worker.postMessage({ type: 'close' });
      // Its last checkpoint never waits (PASSIVE); a thread stuck all the same must not hold up the shutdown.
      let timer: NodeJS.Timeout | undefined;
      const stuck = new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(true), CLOSE_TIMEOUT_MS); });
      if (await Promise.race([this.#exited.then(() => false), stuck])) {
        this.#logger.warn({ timeoutMs: CLOSE_TIMEOUT_MS }, 'WAL checkpoint thread did not stop; terminated');
        await worker.terminate();
      }
      clearTimeout(timer);
      this.#sqlite.pragma(`wal_autocheckpoint = ${this.#autocheckpoint}`);
    }
  }

  #count(m: Extract<ThreadMessage, { type: 'checkpoint' }>): void {
    if (m.mode === 'passive') {
      this.stats.threadCheckpoints++;
      if (m.log < this.#lastLog) this.stats.restarts++;
    } else if (!m.busy) {
      this.stats[m.mode === 'restart' ? 'forcedRestarts' : 'truncations']++;
    }
    this.#lastLog = m.log;
  }

  /** Past the hard cap the thread is not keeping up: the main connection copies what is left, so the next commit restarts the WAL. */
  #checkCap(): void {
    const size = statSync(`${this.#file}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    // Not inside an open (kysely) transaction on this connection: the next turn will do.
    if (size <= this.#hardCapBytes || this.#sqlite.inTransaction) return;
    try {
      // Busy: the thread is checkpointing right now; the next look will do.
      const [row] = this.#sqlite.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number }>;
      if (row?.busy === 0) this.stats.hardCapCheckpoints++;
    } catch (err) {
      this.#logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'WAL checkpoint past the hard cap failed; will retry');
    }
  }

  #fallBack(err: unknown): void {
    this.#worker = null;
    this.#stopCapTimer();
    this.#sqlite.pragma(`wal_autocheckpoint = ${this.#autocheckpoint}`);
    this.#logger.warn({ err: err instanceof Error ? err.message : String(err) }, 'WAL checkpoint thread not running: the database checkpoints on the event loop again (slower, nothing lost)');
  }

  #stopCapTimer(): void {
    if (this.#capTimer) clearInterval(this.#capTimer);
    this.#capTimer = null;
  }
}
