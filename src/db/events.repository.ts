// SQL for the events table, nothing else. Works on the database or inside a transaction.

import type { Kysely, Updateable } from 'kysely';
import type { DatabaseSchema, EventsTable } from './schema.js';

export type EventRow = EventsTable;

export interface ListEventsQuery {
  cameraId?: string;
  limit: number;
}

export class EventsRepository {
  readonly #db: Kysely<DatabaseSchema>;

  constructor(db: Kysely<DatabaseSchema>) {
    this.#db = db;
  }

  /** Inserts once; a repeated insert of the same id is ignored (jobs may be retried). True if it was new. */
  async insert(row: EventRow): Promise<boolean> {
    const r = await this.#db.insertInto('events').values(row).onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async update(id: string, changes: Updateable<EventsTable>): Promise<void> {
    await this.#db.updateTable('events').set(changes).where('id', '=', id).execute();
  }

  async findById(id: string): Promise<EventRow | undefined> {
    return this.#db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Whether a motion event that started after `startedAt` is still open on the camera. */
  async hasOpenMotionAfter(cameraId: string, startedAt: number): Promise<boolean> {
    const r = await this.#db
      .selectFrom('events')
      .select('id')
      .where('camera_id', '=', cameraId)
      .where('type', '=', 'motion')
      .where('started_at', '>', startedAt)
      .where('ended_at', 'is', null)
      .executeTakeFirst();
    return r !== undefined;
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
