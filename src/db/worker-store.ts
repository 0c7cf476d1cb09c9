// What the event worker needs from the store, for SQLite (synchronous, better-sqlite3) and PostgreSQL
// (asynchronous, pg) alike. A job's transaction is written once, as a generator of steps:
//   await store.commit(function* (w) { if (!(yield* w.insertEvent(row))) return; yield* w.addOutbox(rows); });
// On SQLite a step never yields, so the whole body runs synchronously inside the group commit
// (sqlite-worker-store.ts); on PostgreSQL each step yields its query and the driver awaits it
// (postgres-worker-store.ts). Either way the body is one transaction: all of it or none.

import type { EventUpdate } from './event-store.js';
import type { EventRow } from './events.repository.js';
import type { NewOutboxRow } from './outbox.repository.js';

/** One statement inside a job's transaction; `yield*` it to get its result. */
export type Step<T> = Generator<unknown, T, unknown>;

export interface WorkerWrites {
  /** Inserts once; the same id again is ignored (jobs may be retried). True if it was new. */
  insertEvent(row: EventRow): Step<boolean>;
  findEvent(id: string): Step<EventRow | undefined>;
  /** A null image column keeps the stored one. */
  updateEvent(id: string, u: EventUpdate): Step<void>;
  endEvent(id: string, endedAt: number, score: number, at: number): Step<void>;
  /** Whether a motion event that started after `startedAt` is still open on the camera. */
  hasOpenMotionAfter(cameraId: string, startedAt: number): Step<boolean>;
  /** The camera's events still open that started before `before`, oldest first. */
  openEventsBefore(cameraId: string, before: number): Step<EventRow[]>;
  /** Rows whose dedupe key exists already are skipped: a retried job adds nothing. */
  addOutbox(rows: NewOutboxRow[]): Step<void>;
  /** Drops unpublished rows for a topic (a pending motion OFF overtaken by new motion). */
  cancelPending(topic: string, payload: Buffer): Step<void>;
  /**
   * What the alert rules remember, read from the stored events, for a store that several workers share
   * (PostgreSQL): it first takes the zone's transaction lock, so two workers' decisions on one zone follow
   * each other and each sees the other's committed row. null: this process is the only writer (SQLite),
   * and its in-memory state is the memory.
   */
  alertMemory(cameraId: string, zone: string, since: number): Step<AlertMemory | null>;
}

/** The camera's last alerted motion and the zone's last officer alert (its incident), since a time. */
export interface AlertMemory {
  lastAlertAt: number | null;
  lastIncident: { id: string; at: number } | null;
}

export interface WorkerStore {
  /** Runs `body` as one transaction; resolves with its result once committed, rejects (rolled back) if it throws. */
  commit<T>(body: (w: WorkerWrites) => Step<T>): Promise<T>;
  /** A read outside any transaction. */
  findEvent(id: string): Promise<EventRow | undefined>;
}
