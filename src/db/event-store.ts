// The worker's writes, as prepared statements run synchronously inside one better-sqlite3 transaction.
// Through kysely each statement was compiled, prepared again and awaited: about 0.7 ms of CPU per
// event, the largest cost of the pipeline after BullMQ. Here the statements are prepared once and an
// event's row and outbox rows take a few tens of microseconds. Kysely stays for everything else.

import type SqliteDatabase from 'better-sqlite3';
import type { EventRow } from './events.repository.js';
import { GroupCommit } from './group-commit.js';
import type { NewOutboxRow } from './outbox.repository.js';

/** What an `update` job changes; a null image column keeps the stored one. */
export interface EventUpdate {
  score: number;
  box: string | null;
  updated_at: number;
  snapshot_path: string | null;
  snapshot_sha256: string | null;
  thumbnail_path: string | null;
}

const EVENT_COLUMNS = [
  'id', 'camera_id', 'zone', 'household_id', 'type', 'started_at', 'ended_at', 'score', 'box',
  'snapshot_path', 'snapshot_sha256', 'thumbnail_path', 'incident_id', 'alert', 'created_at', 'updated_at',
] as const;
const OUTBOX_COLUMNS = ['dedupe_key', 'topic', 'payload', 'payload_file', 'qos', 'retain', 'deliver_after', 'created_at', 'bundle'] as const;

/**
 * A camera's open events before a time (the sweep). The index is named: without statistics SQLite
 * prefers the covering index, and would walk the camera's whole history.
 */
export const OPEN_BEFORE_SQL = 'select * from events indexed by events_open where camera_id = ? and started_at < ? and ended_at is null order by started_at';

const insertSql = (table: string, cols: readonly string[], key: string) =>
  `insert into ${table} (${cols.join(', ')}) values (${cols.map((c) => `@${c}`).join(', ')}) on conflict (${key}) do nothing`;

export class EventStore {
  readonly #sqlite: SqliteDatabase.Database;
  readonly #insertEvent: SqliteDatabase.Statement;
  readonly #findEvent: SqliteDatabase.Statement<[string], EventRow>;
  readonly #updateEvent: SqliteDatabase.Statement;
  readonly #endEvent: SqliteDatabase.Statement;
  readonly #openMotionAfter: SqliteDatabase.Statement<[string, number]>;
  readonly #openBefore: SqliteDatabase.Statement<[string, number], EventRow>;
  readonly #addOutbox: SqliteDatabase.Statement;
  readonly #cancelPending: SqliteDatabase.Statement<[string, Buffer]>;
  readonly #run: ((fn: () => unknown) => unknown) & { immediate: (fn: () => unknown) => unknown };
  readonly #group: GroupCommit;

  constructor(sqlite: SqliteDatabase.Database) {
    this.#sqlite = sqlite;
    this.#insertEvent = sqlite.prepare(insertSql('events', EVENT_COLUMNS, 'id'));
    this.#findEvent = sqlite.prepare('select * from events where id = ?');
    this.#updateEvent = sqlite.prepare(`update events set score = @score, box = @box, updated_at = @updated_at,
      snapshot_path = coalesce(@snapshot_path, snapshot_path), snapshot_sha256 = coalesce(@snapshot_sha256, snapshot_sha256),
      thumbnail_path = coalesce(@thumbnail_path, thumbnail_path) where id = @id`);
    this.#endEvent = sqlite.prepare('update events set ended_at = @ended_at, score = @score, updated_at = @updated_at where id = @id');
    this.#openMotionAfter = sqlite.prepare(
      "select 1 from events where camera_id = ? and type = 'motion' and started_at > ? and ended_at is null limit 1",
    );
    this.#openBefore = sqlite.prepare(OPEN_BEFORE_SQL);
    this.#addOutbox = sqlite.prepare(insertSql('outbox', OUTBOX_COLUMNS, 'dedupe_key'));
    // Same predicate as the partial index outbox_pending_topic, so it is used.
    this.#cancelPending = sqlite.prepare('delete from outbox where published_at is null and topic = ? and payload = ?');
    this.#run = sqlite.transaction((fn: () => unknown) => fn());
    // Called inside a transaction, a better-sqlite3 transaction function runs as a savepoint.
    this.#group = new GroupCommit((work) => this.transaction(work), (fn) => this.#run(fn));
  }

  /**
   * Runs `fn` (synchronous) atomically, in a transaction shared with the other jobs committing in this
   * turn of the event loop (group-commit.ts); resolves once committed. The worker's path.
   */
  commit<T>(fn: () => T): Promise<T> {
    return this.#group.run(fn);
  }

  /**
   * Runs `fn` as one transaction: all of it is committed or none. `fn` is synchronous, so nothing else
   * on this connection can interleave with it. IMMEDIATE takes the write lock up front, so a worker
   * running in another process waits (busy_timeout) instead of failing half-way with SQLITE_BUSY.
   */
  transaction<T>(fn: () => T): T {
    // better-sqlite3 would nest into an open (kysely) transaction as a savepoint, and its rollback would take ours.
    if (this.#sqlite.inTransaction) throw new Error('event store: the connection is inside another transaction');
    return this.#run.immediate(fn) as T;
  }

  /** Inserts once; the same id again is ignored (jobs may be retried). True if it was new. */
  insertEvent(row: EventRow): boolean {
    return this.#insertEvent.run(row).changes > 0;
  }

  findEvent(id: string): EventRow | undefined {
    return this.#findEvent.get(id);
  }

  updateEvent(id: string, u: EventUpdate): void {
    this.#updateEvent.run({ id, ...u });
  }

  endEvent(id: string, endedAt: number, score: number, at: number): void {
    this.#endEvent.run({ id, ended_at: endedAt, score, updated_at: at });
  }

  /** Whether a motion event that started after `startedAt` is still open on the camera. */
  hasOpenMotionAfter(cameraId: string, startedAt: number): boolean {
    return this.#openMotionAfter.get(cameraId, startedAt) !== undefined;
  }

  /** The camera's events still open that started before `before`, oldest first. */
  openEventsBefore(cameraId: string, before: number): EventRow[] {
    return this.#openBefore.all(cameraId, before);
  }

  /** Rows whose dedupe key exists already are skipped: a retried job adds nothing. */
  addOutbox(rows: NewOutboxRow[]): void {
    for (const r of rows) this.#addOutbox.run(r.bundle === undefined ? { ...r, bundle: null } : r);
  }

  /** Drops unpublished rows for a topic (a pending motion OFF overtaken by new motion). */
  cancelPending(topic: string, payload: Buffer): void {
    this.#cancelPending.run(topic, payload);
  }
}
