// The ViewScope (decided once per request by src/auth/access-policy.ts) as SQL predicates: the one
// translation of "who may see which rows" used by every repository, so no route filters in JavaScript.

import type { ExpressionBuilder, Expression, SqlBool } from 'kysely';
import type { ViewScope } from '../auth/viewer.js';
import type { DatabaseSchema } from './schema.js';

type CameraFlag = 'share_with_officers' | 'police_may_view';

function flagOf(scope: ViewScope): CameraFlag | null {
  if (scope.kind === 'shared-with-officers') return 'share_with_officers';
  if (scope.kind === 'police-viewable') return 'police_may_view';
  return null;
}

/** Cameras the scope covers (`true` for admins). */
export function camerasInScope(eb: ExpressionBuilder<DatabaseSchema, 'cameras'>, scope: ViewScope): Expression<SqlBool> {
  if (scope.kind === 'all') return eb.lit(true);
  if (scope.kind === 'household') return eb('cameras.household_id', '=', scope.householdId);
  return eb(`cameras.${flagOf(scope) as CameraFlag}`, '=', 1);
}

/**
 * Events the scope covers. A household sees the events recorded for it (events.household_id, kept even
 * if the camera is later removed); officers and police see events of cameras whose owner shares them now.
 * The camera check is an `exists`, not `camera_id in (…)`: with `in`, SQLite drove the history query by
 * the camera list and sorted every match (seconds for a deep page). When the query names one camera,
 * the check names it too and runs once, instead of per row (PostgreSQL otherwise walked all of an
 * out-of-scope camera's events to return nothing).
 */
export function eventsInScope(eb: ExpressionBuilder<DatabaseSchema, 'events'>, scope: ViewScope, cameraId?: string): Expression<SqlBool> {
  if (scope.kind === 'all') return eb.lit(true);
  if (scope.kind === 'household') return eb('events.household_id', '=', scope.householdId);
  const camera = eb.selectFrom('cameras').select(eb.lit(1).as('one')).where(`cameras.${flagOf(scope) as CameraFlag}`, '=', 1);
  return eb.exists(cameraId === undefined ? camera.whereRef('cameras.id', '=', 'events.camera_id') : camera.where('cameras.id', '=', cameraId));
}
