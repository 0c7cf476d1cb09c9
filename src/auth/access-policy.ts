// The access policy, in one place: which role may use which kind of route, over which rows (the
// ViewScope), and the police rule that every query carries a reason. Pure: the fastify hook
// (http/access-hook.ts) asks it once per request; routes only declare what they need.

import type { ErrorCode } from '../errors.js';
import type { Role, ViewScope, Viewer } from './viewer.js';

/** What a route needs, declared in its `config.access`. */
export const ACCESS = [
  'public', 'signed-in', 'events:read', 'events:export', 'cameras:read', 'cameras:manage', 'discovery', 'users:manage', 'audit:read',
  'live:read', 'events:act', 'zones:read',
] as const;
export type Access = (typeof ACCESS)[number];

type ScopeRule = 'all' | 'own-household' | 'shared-with-officers' | 'police-viewable';

/** Role → rows, per kind of route; a role missing from a row is refused. */
const RULES: Record<Exclude<Access, 'public' | 'signed-in'>, Partial<Record<Role, ScopeRule>>> = {
  'events:read': { admin: 'all', officer: 'shared-with-officers', household: 'own-household', police: 'police-viewable' },
  // Evidence leaves the system: admins, police (for a case) and a household for its own cameras.
  'events:export': { admin: 'all', household: 'own-household', police: 'police-viewable' },
  'cameras:read': { admin: 'all', officer: 'shared-with-officers', household: 'own-household', police: 'police-viewable' },
  'cameras:manage': { admin: 'all', household: 'own-household' },
  discovery: { admin: 'all' },
  'users:manage': { admin: 'all' },
  'audit:read': { admin: 'all' },
  // The live feed: police query the history with a case reference instead, never watch live.
  'live:read': { admin: 'all', officer: 'shared-with-officers', household: 'own-household' },
  // Acknowledge or escalate an event: the people who respond to alerts.
  'events:act': { admin: 'all', officer: 'shared-with-officers' },
  // Alert zones and their schedules (zones seen on cameras: those of the cameras in scope).
  'zones:read': { admin: 'all', officer: 'shared-with-officers', household: 'own-household', police: 'police-viewable' },
};

/** Routes a police account reaches only with a case reference. */
const POLICE_NEED_REASON: ReadonlySet<Access> = new Set(['events:read', 'events:export', 'cameras:read', 'zones:read']);

/** A case reference: printable, without control characters, 3–200 characters. */
export const REASON = /^[^\p{Cc}]{3,200}$/u;

export type Decision =
  | { allow: true; scope: ViewScope | null }
  | { allow: false; code: Extract<ErrorCode, 'UNAUTHENTICATED' | 'FORBIDDEN' | 'REASON_REQUIRED'>; detail?: string };

/** Routes the service registers without a declaration (the OpenAPI pages) are public; any other route without one is refused. */
export function accessOf(routeUrl: string, declared: Access | undefined): Access | undefined {
  if (declared !== undefined) return declared;
  return routeUrl === '/docs' || routeUrl.startsWith('/docs/') ? 'public' : undefined;
}

function scopeFor(rule: ScopeRule, viewer: Viewer): ViewScope | null {
  if (rule === 'all') return { kind: 'all' };
  if (rule === 'shared-with-officers') return { kind: 'shared-with-officers' };
  if (rule === 'police-viewable') return { kind: 'police-viewable' };
  return viewer.householdId === null ? null : { kind: 'household', householdId: viewer.householdId };
}

export function decide(access: Access | undefined, viewer: Viewer | null, reason: unknown): Decision {
  if (access === 'public') return { allow: true, scope: null };
  if (viewer === null) return { allow: false, code: 'UNAUTHENTICATED' };
  if (access === undefined) return { allow: false, code: 'FORBIDDEN', detail: 'route without an access rule' };
  if (access === 'signed-in') return { allow: true, scope: null };
  const rule = RULES[access][viewer.role];
  const scope = rule === undefined ? null : scopeFor(rule, viewer);
  if (scope === null) return { allow: false, code: 'FORBIDDEN', detail: `${viewer.role} accounts may not use ${access}` };
  if (viewer.role === 'police' && POLICE_NEED_REASON.has(access) && !(typeof reason === 'string' && REASON.test(reason))) {
    return { allow: false, code: 'REASON_REQUIRED' };
  }
  return { allow: true, scope };
}

/** The household a household account must stay within when it writes (null: no such limit). */
export function ownHousehold(scope: ViewScope | null): string | null {
  return scope?.kind === 'household' ? scope.householdId : null;
}
