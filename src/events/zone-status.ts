// The alert zones as the status board shows them: every zone of the configuration, plus the zones the
// viewer's cameras name without a configuration entry (always armed, like the alert rules treat them).
// Pure: `armed` is decided by the same isArmed() the alert rules use, at `at`, in alerts.timezone.

import { isArmed, type ArmWindow } from './alert-rules.js';

export interface ZoneEntry {
  id: string;
  name?: string | undefined;
  /** Absent: always armed. Empty: never armed. */
  armed?: ArmWindow[] | undefined;
}

export interface ZoneStatus {
  id: string;
  name: string | null;
  /** Alerts of shared cameras in this zone reach the officers now. */
  armed: boolean;
  /** The arming windows (local time, `to` exclusive, may wrap midnight); null = no schedule, always armed. */
  schedule: ArmWindow[] | null;
  /** `config`: a zone of the configuration file; `camera`: only named by a camera. */
  source: 'config' | 'camera';
}

export function zoneStatuses(configured: readonly ZoneEntry[], cameraZones: Iterable<string>, at: number, timezone: string): ZoneStatus[] {
  const out = configured.map((z): ZoneStatus => ({
    id: z.id, name: z.name ?? null, armed: isArmed(z.armed, at, timezone), schedule: z.armed === undefined ? null : z.armed.map((w) => ({ from: w.from, to: w.to })), source: 'config',
  }));
  const known = new Set(out.map((z) => z.id));
  for (const id of [...new Set(cameraZones)].sort()) {
    if (!known.has(id)) out.push({ id, name: null, armed: true, schedule: null, source: 'camera' });
  }
  return out;
}
