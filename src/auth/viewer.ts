// Who is asking, and which cameras' events that person may see. The shared vocabulary of the
// access policy (src/auth/), the history queries (db/) and the routes (http/).

export const ROLES = ['admin', 'officer', 'household', 'police'] as const;
export type Role = (typeof ROLES)[number];

export interface Viewer {
  userId: string;
  username: string;
  role: Role;
  /** Set for (and only for) the `household` role. */
  householdId: string | null;
}

/**
 * The rows a viewer may read, decided once per request by the access policy and applied by the
 * repositories as a SQL predicate (never filtered in JavaScript after the query).
 * - `all`: admins;
 * - `household`: cameras (and their events) whose household_id is this household;
 * - `shared-with-officers`: cameras with share_with_officers = 1 (officers);
 * - `police-viewable`: cameras with police_may_view = 1 (police; every query also carries a reason).
 */
export type ViewScope =
  | { kind: 'all' }
  | { kind: 'household'; householdId: string }
  | { kind: 'shared-with-officers' }
  | { kind: 'police-viewable' };
