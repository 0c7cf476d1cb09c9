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
 */
export function eventsInScope(eb: ExpressionBuilder<DatabaseSchema, 'events'>, scope: ViewScope): Expression<SqlBool> {
  if (scope.kind === 'all') return eb.lit(true);
  if (scope.kind === 'household') return eb('events.household_id', '=', scope.householdId);
  const flag = flagOf(scope) as CameraFlag;
  return eb('events.camera_id', 'in', eb.selectFrom('cameras').select('cameras.id').where(`cameras.${flag}`, '=', 1));
}
