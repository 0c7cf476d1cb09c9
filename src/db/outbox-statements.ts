// The outbox relay's SQL as prepared statements. Through kysely each round compiled and prepared its
// queries again (~0.1 ms each); at 100 events/s nearly every event is a round of its own.

import type SqliteDatabase from 'better-sqlite3';
import type { EventStore } from './event-store.js';
import type { OutboxRow } from './outbox.repository.js';

export class OutboxStatements {
  readonly #due: SqliteDatabase.Statement<[number, number], OutboxRow>;
  readonly #nextDueAt: SqliteDatabase.Statement<[], { at: number | null }>;
  readonly #markPublished: SqliteDatabase.Statement<[number, string]>;
  readonly #store: EventStore;
  readonly #requeue: SqliteDatabase.Statement<[number]>;
  readonly #prune: SqliteDatabase.Statement<[number]>;

  /** `store`: the worker's group commit, which marking shares. */
  constructor(sqlite: SqliteDatabase.Database, store: EventStore) {
    this.#store = store;
    // Same predicate as the partial index outbox_pending, which also gives the order.
    this.#due = sqlite.prepare('select * from outbox where published_at is null and deliver_after <= ? order by id limit ?');
    this.#nextDueAt = sqlite.prepare('select min(deliver_after) as at from outbox where published_at is null');
    // One statement for the whole round.
    this.#markPublished = sqlite.prepare('update outbox set published_at = ? where id in (select value from json_each(?))');
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

  /**
   * In the worker's next group commit rather than a commit of its own (a relay round was about one
   * per group commit in bench:pipeline). The rows were acknowledged already; the relay waits for this
   * before it looks for due rows again, and a crash before the commit means a re-send, as before.
   */
  markPublished(ids: number[], at: number): Promise<void> {
    if (ids.length === 0) return Promise.resolve();
    return this.#store.commit(() => {
      this.#markPublished.run(at, JSON.stringify(ids));
    });
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
