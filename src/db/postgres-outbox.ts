// The outbox relay's SQL on PostgreSQL (the counterpart of outbox-statements.ts): named statements,
// prepared once per pooled connection. With several machines on one database every service runs a
// relay, but only one publishes: the one holding a session advisory lock, taken on a connection of its
// own so that the lock goes with that process (or its connection) and another relay takes over.

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

/** Any fixed number, the same for every service on the database ('mt' + 1). */
const RELAY_LOCK = 0x6d740001;

export class PostgresOutbox {
  readonly #pool: pg.Pool;
  readonly #connect: () => pg.Client;
  readonly #retryMs: number;
  #lock: pg.Client | null = null;
  #leading = false;
  #triedAt = -Infinity;

  /**
   * `connect` makes the (unconnected) client that holds the relay lock. A relay that is not leading
   * tries again at most every `retryMs` (every new row wakes the relay; the lock need not be asked each time).
   */
  constructor(pool: pg.Pool, connect: () => pg.Client, retryMs = 1000) {
    this.#pool = pool;
    this.#connect = connect;
    this.#retryMs = retryMs;
  }

  /** Whether this relay is the one that publishes; tries to become it when not. */
  async leading(): Promise<boolean> {
    if (this.#leading) return true;
    if (Date.now() - this.#triedAt < this.#retryMs) return false;
    this.#triedAt = Date.now();
    if (!this.#lock) {
      const client = this.#connect();
      // A lost connection lost the lock with it: try again (a new connection) at the next round.
      client.on('error', () => this.#dropLock(client));
      client.on('end', () => this.#dropLock(client));
      this.#lock = client;
      await client.connect().catch((err: unknown) => { this.#dropLock(client); throw err; });
    }
    const r = await this.#lock.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [RELAY_LOCK]);
    this.#leading = r.rows[0]?.ok === true;
    return this.#leading;
  }

  #dropLock(client: pg.Client): void {
    if (this.#lock !== client) return;
    this.#lock = null;
    this.#leading = false;
  }

  /** Unpublished, due rows in the order they were stored (none while another relay publishes). */
  async due(now: number, limit: number): Promise<OutboxRow[]> {
    if (!(await this.leading())) return [];
    return (await this.#pool.query<OutboxRow>({ ...Q.due, values: [now, limit] })).rows;
  }

  /** When the next delayed row falls due, if any (none to wait for while another relay publishes). */
  async nextDueAt(): Promise<number | null> {
    if (!this.#leading) return null;
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

  /** Gives up the lock (its connection). */
  async close(): Promise<void> {
    const client = this.#lock;
    this.#dropLock(client as pg.Client);
    await client?.end();
  }
}
