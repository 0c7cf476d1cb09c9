// Which parts of the service a process runs: `mat-than serve --role all|api|ingest|worker` (a
// comma-separated list allowed). `all` is the single box; any other list is one node of several,
// sharing Redis, PostgreSQL and the MQTT broker (docs/architecture.md, "Several nodes").

import { MatThanError } from './errors.js';

export interface Roles {
  api: boolean;
  ingest: boolean;
  worker: boolean;
  /** `all`: one box; its ingest follows the registry in-process instead of taking watch jobs. */
  single: boolean;
}

export const ALL_ROLES: Roles = Object.freeze({ api: true, ingest: true, worker: true, single: true });

const KNOWN = ['api', 'ingest', 'worker'] as const;

export function parseRoles(text: string | undefined): Roles {
  const names = (text ?? 'all').split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 1 && names[0] === 'all') return ALL_ROLES;
  if (names.length === 0) throw new MatThanError('CONFIG_INVALID', '--role is empty (all, api, ingest, worker)');
  const roles: Roles = { api: false, ingest: false, worker: false, single: false };
  for (const name of names) {
    if (!(KNOWN as readonly string[]).includes(name)) {
      throw new MatThanError('CONFIG_INVALID', `--role: '${name}' is not a role (all alone, or a list of api, ingest, worker)`);
    }
    roles[name as (typeof KNOWN)[number]] = true;
  }
  return roles;
}

export function describeRoles(roles: Roles): string {
  return roles.single ? 'all' : KNOWN.filter((k) => roles[k]).join(',');
}
