// SQL for the camera registry; no decisions here (camera-registry.ts makes them).

import type { Insertable, Selectable, Updateable } from 'kysely';
import type { ViewScope } from '../auth/viewer.js';
import type { Db } from './database.js';
import { camerasInScope } from './scope-predicates.js';
import type { CamerasTable } from './schema.js';

export type CameraRow = Selectable<CamerasTable>;
export type NewCameraRow = Insertable<CamerasTable>;
export type CameraRowPatch = Updateable<Omit<CamerasTable, 'id' | 'created_at'>>;

export class CamerasRepository {
  constructor(private readonly db: Db) {}

  async insert(row: NewCameraRow): Promise<void> {
    await this.db.insertInto('cameras').values(row).execute();
  }

  /** Insert or replace every column but created_at (config seeding). */
  async upsert(row: NewCameraRow): Promise<void> {
    const { id: _id, created_at: _created, ...rest } = row;
    await this.db.insertInto('cameras').values(row).onConflict((oc) => oc.column('id').doUpdateSet(rest)).execute();
  }

  async update(id: string, patch: CameraRowPatch): Promise<boolean> {
    const r = await this.db.updateTable('cameras').set(patch).where('id', '=', id).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  async setStatusIf(id: string, from: readonly string[], status: string, at: number): Promise<void> {
    await this.db.updateTable('cameras').set({ status, status_detail: null, updated_at: at })
      .where('id', '=', id).where('status', 'in', from).where('status', '!=', status).execute();
  }

  async delete(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('cameras').where('id', '=', id).executeTakeFirst();
    return r.numDeletedRows > 0n;
  }

  async deleteConfigExcept(keep: readonly string[]): Promise<string[]> {
    let q = this.db.deleteFrom('cameras').where('source', '=', 'config');
    if (keep.length > 0) q = q.where('id', 'not in', keep);
    const rows = await q.returning('id').execute();
    return rows.map((r) => r.id);
  }

  async findById(id: string): Promise<CameraRow | undefined> {
    return this.db.selectFrom('cameras').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async list(scope: ViewScope = { kind: 'all' }): Promise<CameraRow[]> {
    return this.db.selectFrom('cameras').selectAll().where((eb) => camerasInScope(eb, scope)).orderBy('created_at').orderBy('id').execute();
  }

  async findVisible(id: string, scope: ViewScope): Promise<CameraRow | undefined> {
    return this.db.selectFrom('cameras').selectAll().where('id', '=', id).where((eb) => camerasInScope(eb, scope)).executeTakeFirst();
  }

  /**
   * When each camera's newest motion event started, in one statement: a subquery per camera that walks
   * the (camera_id, started_at, id) index backwards and stops at the first motion event.
   */
  async lastMotionAt(ids: readonly string[]): Promise<Map<string, number>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.selectFrom('cameras')
      .select((eb) => [
        'cameras.id',
        eb.selectFrom('events').select('events.started_at').whereRef('events.camera_id', '=', 'cameras.id').where('events.type', '=', 'motion')
          .orderBy('events.started_at', 'desc').limit(1).as('last_motion_at'),
      ])
      .where('cameras.id', 'in', ids).execute();
    return new Map(rows.flatMap((r) => (r.last_motion_at === null ? [] : [[r.id, Number(r.last_motion_at)] as const])));
  }

  /** Cameras with their own retention ages. */
  async retentionOverrides(): Promise<Array<Pick<CameraRow, 'id' | 'snapshot_retention_days' | 'event_retention_days'>>> {
    return this.db.selectFrom('cameras').select(['id', 'snapshot_retention_days', 'event_retention_days'])
      .where((eb) => eb.or([eb('snapshot_retention_days', 'is not', null), eb('event_retention_days', 'is not', null)])).execute();
  }
}
