// The outbox relay's SQL as prepared statements. Through kysely each round compiled and prepared its
// queries again (~0.1 ms each); at 100 events/s nearly every event is a round of its own.

import type SqliteDatabase from 'better-sqlite3';
import type { OutboxRow } from './outbox.repository.js';

export class OutboxStatements {
  readonly #due: SqliteDatabase.Statement<[number, number], OutboxRow>;
  readonly #nextDueAt: SqliteDatabase.Statement<[], { at: number | null }>;
  readonly #markPublished: (ids: number[], at: number) => void;
  readonly #requeue: SqliteDatabase.Statement<[number]>;
  readonly #prune: SqliteDatabase.Statement<[number]>;

  constructor(sqlite: SqliteDatabase.Database) {
    // Same predicate as the partial index outbox_pending, which also gives the order.
    this.#due = sqlite.prepare('select * from outbox where published_at is null and deliver_after <= ? order by id limit ?');
    this.#nextDueAt = sqlite.prepare('select min(deliver_after) as at from outbox where published_at is null');
    const mark = sqlite.prepare('update outbox set published_at = ? where id = ?');
    // One transaction (one commit) for the whole round.
    this.#markPublished = sqlite.transaction((ids: number[], at: number) => {
      for (const id of ids) mark.run(at, id);
    });
    this.#requeue = sqlite.prepare('update outbox set published_at = null where published_at >= ?');
    this.#prune = sqlite.prepare('delete from outbox where published_at < ?');
  }

  /** Unpublished, due rows in the order they were stored. */
  due(now: number, limit: number): OutboxRow[] {
    return this.#due.all(now, limit);
  }

  /** When the next delayed row falls due, if any. */
  nextDueAt(): number | null {
    return this.#nextDueAt.get()?.at ?? null;
  }

  markPublished(ids: number[], at: number): void {
    if (ids.length > 0) this.#markPublished(ids, at);
  }

  /** Marks rows published since `at` as unpublished again, so the relay re-sends them. */
  requeuePublishedSince(at: number): number {
    return this.#requeue.run(at).changes;
  }

  /** Published rows are kept a while as the dedupe memory for retried jobs, then pruned. */
  prunePublishedBefore(at: number): void {
    this.#prune.run(at);
  }
}
