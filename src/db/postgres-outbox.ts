// The outbox relay's SQL on PostgreSQL (the counterpart of outbox-statements.ts): named statements,
// prepared once per pooled connection.

import type pg from 'pg';
import type { OutboxRow } from './outbox.repository.js';

const Q = {
  // Same predicate as the partial index outbox_pending, which also gives the order.
  due: { name: 'mt_outbox_due', text: 'select * from outbox where published_at is null and deliver_after <= $1 order by id limit $2' },
  nextDueAt: { name: 'mt_outbox_next_due', text: 'select min(deliver_after) as at from outbox where published_at is null' },
  // One statement (one commit) for the whole round.
  markPublished: { name: 'mt_outbox_mark', text: 'update outbox set published_at = $1 where id = any($2::bigint[])' },
  requeue: { name: 'mt_outbox_requeue', text: 'update outbox set published_at = null where published_at >= $1' },
  prune: { name: 'mt_outbox_prune', text: 'delete from outbox where published_at < $1' },
};

export class PostgresOutbox {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Unpublished, due rows in the order they were stored. */
  async due(now: number, limit: number): Promise<OutboxRow[]> {
    return (await this.#pool.query<OutboxRow>({ ...Q.due, values: [now, limit] })).rows;
  }

  /** When the next delayed row falls due, if any. */
  async nextDueAt(): Promise<number | null> {
    const r = await this.#pool.query<{ at: number | null }>({ ...Q.nextDueAt, values: [] });
    return r.rows[0]?.at ?? null;
  }

  async markPublished(ids: number[], at: number): Promise<void> {
    if (ids.length > 0) await this.#pool.query({ ...Q.markPublished, values: [at, ids] });
  }

  /** Marks rows published since `at` as unpublished again, so the relay re-sends them. */
  async requeuePublishedSince(at: number): Promise<number> {
    return (await this.#pool.query({ ...Q.requeue, values: [at] })).rowCount ?? 0;
  }

  /** Published rows are kept a while as the dedupe memory for retried jobs, then pruned. */
  async prunePublishedBefore(at: number): Promise<void> {
    await this.#pool.query({ ...Q.prune, values: [at] });
  }
}
