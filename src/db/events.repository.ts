// SQL for the events table, nothing else. Works on the database or inside a transaction, on SQLite
// and PostgreSQL alike.

import type { ExpressionBuilder, Kysely, Updateable } from 'kysely';
import type { ViewScope } from '../auth/viewer.js';
import type { EventSearch } from './event-search.js';
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

  /**
   * The history query: filters, the viewer's scope and the keyset position as SQL predicates, newest
   * first. Each filter it narrows by has an index ending in (started_at, id) (migration 0004), so a page
   * is a short backward index walk however deep it is.
   */
  async search(q: EventSearch): Promise<EventRow[]> {
    return this.searchQuery(q).execute();
  }

  /** search()'s query, not run: for EXPLAIN (bench/history.ts, the plan tests). */
  searchQuery(q: EventSearch) {
    let query = this.#db.selectFrom('events').selectAll();
    const scope = q.scope;
    if (scope.kind !== 'all') query = query.where((eb) => scopePredicate(eb, scope, q.cameraId));
    if (q.cameraId !== undefined) query = query.where('camera_id', '=', q.cameraId);
    if (q.zone !== undefined) query = query.where('zone', '=', q.zone);
    if (q.householdId !== undefined) query = query.where('household_id', '=', q.householdId);
    if (q.type !== undefined) query = query.where('type', '=', q.type);
    if (q.from !== undefined) query = query.where('started_at', '>=', q.from);
    if (q.to !== undefined) query = query.where('started_at', '<', q.to);
    if (q.minScore !== undefined) query = query.where('score', '>=', q.minScore);
    const after = q.after;
    if (after) query = query.where((eb) => eb(eb.refTuple('started_at', 'id'), '<', eb.tuple(after.startedAt, after.id)));
    return query.orderBy('started_at', 'desc').orderBy('id', 'desc').limit(q.limit);
  }

  async count(): Promise<number> {
    const r = await this.#db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}

/**
 * The rows a viewer may read (auth/viewer.ts), as SQL: never filtered after the query. The camera flags
 * are an EXISTS on the camera's row rather than `camera_id in (…)`: SQLite would otherwise drive the
 * query by the list of cameras and sort every matching event (a deep page took seconds); this way the
 * filters' (…, started_at, id) index gives the order and each row's camera is one primary-key lookup.
 * Asked for one camera, the EXISTS names that camera instead of each row's: evaluated once, so a camera
 * out of scope answers nothing at once (PostgreSQL otherwise walked all its events to find none).
 */
function scopePredicate(eb: ExpressionBuilder<DatabaseSchema, 'events'>, scope: Exclude<ViewScope, { kind: 'all' }>, cameraId?: string) {
  if (scope.kind === 'household') return eb('events.household_id', '=', scope.householdId);
  const flag = scope.kind === 'shared-with-officers' ? 'cameras.share_with_officers' : 'cameras.police_may_view';
  const camera = eb.selectFrom('cameras').select(eb.lit(1).as('one')).where(flag, '=', 1);
  return eb.exists(cameraId === undefined ? camera.whereRef('cameras.id', '=', 'events.camera_id') : camera.where('cameras.id', '=', cameraId));
}
