// Kysely queries on the MQTT outbox for the API and tests. The worker writes it through event-store.ts
// and the relay reads it through outbox-statements.ts (prepared statements, on the hot path).

import type { Insertable, Kysely, Selectable } from 'kysely';
import type { DatabaseSchema, OutboxTable } from './schema.js';

export type OutboxRow = Selectable<OutboxTable>;
export type NewOutboxRow = Omit<Insertable<OutboxTable>, 'id' | 'published_at'>;

export class OutboxRepository {
  readonly #db: Kysely<DatabaseSchema>;

  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
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

  async pendingCount(): Promise<number> {
    const r = await this.#db
      .selectFrom('outbox')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('published_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
