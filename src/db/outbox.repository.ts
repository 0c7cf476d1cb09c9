// SQL for the MQTT outbox, nothing else.

import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DatabaseSchema, OutboxTable } from './schema.js';

export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxRow = Omit<Insertable<OutboxTable>, 'id' | 'published_at'>;

export class OutboxRepository {
  readonly #db: Kysely<DatabaseSchema>;

  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  /** Rows whose dedupe key exists already are skipped: a retried job adds nothing. */
  async add(rows: NewOutboxRow[]): Promise<void> {
    if (rows.length === 0) return;
    await this.#db.insertInto('outbox').values(rows).onConflict((oc) => oc.column('dedupe_key').doNothing()).execute();
  }

  /** Unpublished, due rows in the order they were stored. */
  async due(now: number, limit: number): Promise<OutboxRow[]> {
    return this.#db
      .selectFrom('outbox')
      .selectAll()
      .where('published_at', 'is', null)
      .where('deliver_after', '<=', now)
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /** When the next delayed row falls due, if any. */
  async nextDueAt(): Promise<number | null> {
    const r = await this.#db
      .selectFrom('outbox')
      .select((eb) => eb.fn.min<number>('deliver_after').as('at'))
      .where('published_at', 'is', null)
      .executeTakeFirst();
    return r?.at ?? null;
  }

  async markPublished(ids: number[], at: number): Promise<void> {
    if (ids.length === 0) return;
    await this.#db.updateTable('outbox').set({ published_at: at }).where('id', 'in', ids).execute();
  }

  /** Marks rows published since `at` as unpublished again, so the relay re-sends them. */
  async requeuePublishedSince(at: number): Promise<number> {
    const r = await this.#db.updateTable('outbox').set({ published_at: null }).where('published_at', '>=', at).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Drops unpublished rows for a topic (a pending motion OFF overtaken by new motion). */
  async cancelPending(topic: string, payload: Buffer): Promise<void> {
    await this.#db.deleteFrom('outbox').where('published_at', 'is', null).where('topic', '=', topic).where('payload', '=', payload).execute();
  }

  async pendingCount(): Promise<number> {
    const r = await this.#db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('published_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /** Published rows are kept a while as the dedupe memory for retried jobs, then pruned. */
  async prunePublishedBefore(at: number): Promise<void> {
    await this.#db.deleteFrom('outbox').where('published_at', '<', at).execute();
  }
}
