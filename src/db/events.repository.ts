// SQL for the events table, nothing else. Works on the database or inside a transaction, on SQLite
// and PostgreSQL alike.

import type { Kysely, Selectable, Updateable } from 'kysely';
import type { ViewScope } from '../auth/viewer.js';
import type { EventSearch } from './event-search.js';
import { eventsInScope } from './scope-predicates.js';
import type { DatabaseSchema, EventsTable } from './schema.js';

/** A stored row, as read back. */
export type StoredEventRow = Selectable<EventsTable>;
/** A row as the worker writes it (the legal hold is only ever set by an export). */
export type EventRow = Omit<StoredEventRow, 'legal_hold'>;

/** An event past its retention age: what the retention job needs to delete it and its images. */
export interface ExpiringEvent {
  id: string;
  snapshot_path: string | null;
  thumbnail_path: string | null;
}

/** Which cameras a retention query covers: these ids, or every camera but these. */
export type CameraSet = { in: string[] } | { notIn: string[] };

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

  async findById(id: string): Promise<StoredEventRow | undefined> {
    return this.#db.selectFrom('events').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The event if the scope covers it; undefined otherwise (the caller cannot tell "not yours" from "none"). */
  async findVisible(id: string, scope: ViewScope): Promise<StoredEventRow | undefined> {
    return this.#db.selectFrom('events').selectAll().where('id', '=', id).where((eb) => eventsInScope(eb, scope)).executeTakeFirst();
  }

  /**
   * Events in scope with an id after `afterId`, oldest first: the live feed's replay after a reconnect
   * (ids are UUIDv7, so id order is creation order; the primary key index serves the range).
   */
  async newerThan(afterId: string, scope: ViewScope, limit: number): Promise<StoredEventRow[]> {
    return this.#db.selectFrom('events').selectAll().where('id', '>', afterId).where((eb) => eventsInScope(eb, scope))
      .orderBy('id').limit(limit).execute();
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

  /**
   * The history query: filters, the viewer's scope and the keyset position as SQL predicates, newest
   * first. Each filter it narrows by has an index ending in (started_at, id) (migration 0005), so a page
   * is a short backward index walk however deep it is.
   */
  async search(q: EventSearch): Promise<StoredEventRow[]> {
    return this.searchQuery(q).execute();
  }

  /** search()'s query, not run: for EXPLAIN (bench/history.ts, the plan tests). */
  searchQuery(q: EventSearch) {
    let query = this.#db.selectFrom('events').selectAll();
    if (q.scope.kind !== 'all') query = query.where((eb) => eventsInScope(eb, q.scope, q.cameraId));
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

  /** Puts events on legal hold (an export referenced them): retention keeps them and their images. */
  async setLegalHold(ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 500) {
      await this.#db.updateTable('events').set({ legal_hold: 1 }).where('id', 'in', ids.slice(i, i + 500)).execute();
    }
  }

  /** Events not on hold that started before `before` and still have images, oldest first. */
  async withExpiredImages(cameras: CameraSet, before: number, limit: number): Promise<ExpiringEvent[]> {
    return this.#expiring(cameras, before, limit)
      .where((eb) => eb.or([eb('snapshot_path', 'is not', null), eb('thumbnail_path', 'is not', null)]))
      .execute();
  }

  /** Events not on hold that started before `before`, oldest first. */
  async expired(cameras: CameraSet, before: number, limit: number): Promise<ExpiringEvent[]> {
    return this.#expiring(cameras, before, limit).execute();
  }

  #expiring(cameras: CameraSet, before: number, limit: number) {
    let q = this.#db.selectFrom('events').select(['id', 'snapshot_path', 'thumbnail_path'])
      .where('legal_hold', '=', 0).where('started_at', '<', before);
    if ('in' in cameras) q = q.where('camera_id', 'in', cameras.in.length > 0 ? cameras.in : ['']);
    else if (cameras.notIn.length > 0) q = q.where('camera_id', 'not in', cameras.notIn);
    return q.orderBy('started_at').limit(limit);
  }

  /**
   * Forgets the images of these events, except those put on hold meanwhile; returns the ids whose images
   * may now be deleted (rows first, files after: a crash in between leaves a file, never a dangling row).
   */
  async clearImages(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db.updateTable('events').set({ snapshot_path: null, thumbnail_path: null })
      .where('id', 'in', ids).where('legal_hold', '=', 0).returning('id').execute();
    return rows.map((r) => r.id);
  }

  /** Deletes these events, except those put on hold meanwhile; returns the ids deleted. */
  async deleteUnheld(ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.#db.deleteFrom('events').where('id', 'in', ids).where('legal_hold', '=', 0).returning('id').execute();
    return rows.map((r) => r.id);
  }

  async count(): Promise<number> {
    const r = await this.#db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }
}
