// SQL for the events table, nothing else.

import type { Db } from './database.js';
import type { EventsTable } from './schema.js';

export type EventRow = Omit<EventsTable, 'announced'> & { announced: number };

export interface ListEventsQuery {
  cameraId?: string;
  limit: number;
}

export class EventsRepository {
  readonly #db: Db;

  constructor(db: Db) {
    this.#db = db;
  }

  /** Inserts once; a repeated insert of the same id is ignored (jobs may be retried). */
  async insert(row: Omit<EventRow, 'announced' | 'ended_at'>): Promise<void> {
    await this.#db
      .insertInto('events')
      .values({ ...row, ended_at: null })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async markAnnounced(id: string): Promise<void> {
    await this.#db.updateTable('events').set({ announced: 1 }).where('id', '=', id).execute();
  }

  async markEnded(id: string, endedAt: number, score: number, box: string | null): Promise<void> {
    await this.#db
      .updateTable('events')
      .set({ ended_at: endedAt, score, box })
      .where('id', '=', id)
      .execute();
  }

  async findById(id: string): Promise<EventRow | undefined> {
    return this.#db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Newest first. */
  async list(q: ListEventsQuery): Promise<EventRow[]> {
    let query = this.#db.selectFrom('events').selectAll();
    if (q.cameraId !== undefined) query = query.where('camera_id', '=', q.cameraId);
    return query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  }

  async count(): Promise<number> {
    const r = await this.#db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
