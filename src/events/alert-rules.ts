// Who is alerted for an event: pure decisions over the camera, the zone's arming schedule,
// household consent, a per-camera cooldown and incident grouping. The state is passed in and out.

export interface ArmWindow {
  from: string;
  to: string;
}

export interface AlertCamera {
  id: string;
  zone: string;
  householdId: string | null;
  shareWithOfficers: boolean;
}

export interface AlertRulesOptions {
  timezone: string;
  cooldownMs: number;
  incidentWindowMs: number;
  /** Arming schedule per zone id; a zone missing here is always armed. */
  schedules: ReadonlyMap<string, ArmWindow[]>;
}

export interface AlertState {
  lastAlertAt: Map<string, number>;
  lastIncident: Map<string, { id: string; at: number }>;
}

export interface AlertDecision {
  /** Officers of the camera's zone are alerted (`zones/<zone>/alerts`). */
  zone: boolean;
  /** The owning household is alerted (`households/<id>/alerts`). */
  household: boolean;
  incidentId: string | null;
  /** Why nobody (or only the household) was alerted; for logs and the event row. */
  reason: 'alerted' | 'household-only' | 'cooldown' | 'not-shared' | 'disarmed';
}

export function newAlertState(): AlertState {
  return { lastAlertAt: new Map(), lastIncident: new Map() };
}

const minutesFormat = new Map<string, Intl.DateTimeFormat>();

/** Minutes since local midnight in `timezone`. */
export function localMinutes(at: number, timezone: string): number {
  let f = minutesFormat.get(timezone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    minutesFormat.set(timezone, f);
  }
  const parts = f.formatToParts(at);
  const hour = Number(parts.find((p) => p.type === 'hour')?.value);
  const minute = Number(parts.find((p) => p.type === 'minute')?.value);
  return hour * 60 + minute;
}

function toMinutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h as number) * 60 + (m as number);
}

/** A window may wrap midnight (22:00–05:00); `to` is exclusive. */
export function isArmed(windows: ArmWindow[] | undefined, at: number, timezone: string): boolean {
  if (windows === undefined) return true;
  const now = localMinutes(at, timezone);
  return windows.some((w) => {
    const from = toMinutes(w.from);
    const to = toMinutes(w.to);
    return from <= to ? now >= from && now < to : now >= from || now < to;
  });
}

/** Decides for a new event at `at`. Pure: `recordAlert` applies the decision once it is stored. */
export function decideAlert(o: AlertRulesOptions, state: AlertState, camera: AlertCamera, eventId: string, at: number): AlertDecision {
  const last = state.lastAlertAt.get(camera.id);
  if (last !== undefined && at - last < o.cooldownMs) return { zone: false, household: false, incidentId: null, reason: 'cooldown' };
  const armed = isArmed(o.schedules.get(camera.zone), at, o.timezone);
  const zone = camera.shareWithOfficers && armed;
  const household = camera.householdId !== null;
  if (!zone && !household) return { zone: false, household: false, incidentId: null, reason: camera.shareWithOfficers ? 'disarmed' : 'not-shared' };
  const reason = zone ? 'alerted' : 'household-only';
  // Neighbouring cameras (same zone) firing close together are one incident for the officers.
  const open = state.lastIncident.get(camera.zone);
  const incidentId = zone && open && at - open.at <= o.incidentWindowMs ? open.id : eventId;
  return { zone, household, incidentId, reason };
}

/**
 * For a new `covered` event (a lens covered: tampering). Officers of a shared camera's zone hear of it
 * at any hour: the arming schedule says when motion is worth an alert, while someone blinding a camera
 * matters whenever it happens. No cooldown holds it back (being seen, then covering the camera, is the
 * pattern), and it joins the zone's open incident, so it is grouped with the motion that preceded it.
 */
export function decideTamperAlert(o: AlertRulesOptions, state: AlertState, camera: AlertCamera, eventId: string, at: number): AlertDecision {
  const zone = camera.shareWithOfficers;
  const household = camera.householdId !== null;
  if (!zone && !household) return { zone: false, household: false, incidentId: null, reason: 'not-shared' };
  const open = state.lastIncident.get(camera.zone);
  const incidentId = zone && open && at - open.at <= o.incidentWindowMs ? open.id : eventId;
  return { zone, household, incidentId, reason: zone ? 'alerted' : 'household-only' };
}

/**
 * Applies a stored decision to the state (`cooldown: false` for tamper alerts: they must not silence
 * the camera's next motion alert). Returns how to take it back if the transaction that stored it
 * fails after all: the entries it set are restored, unless a later alert has replaced them since.
 */
export function recordAlert(state: AlertState, camera: AlertCamera, d: AlertDecision, at: number, cooldown = true): () => void {
  if (!d.zone && !d.household) return () => {};
  const before = { alert: state.lastAlertAt.get(camera.id), incident: state.lastIncident.get(camera.zone) };
  if (cooldown) state.lastAlertAt.set(camera.id, at);
  const incident = d.zone && d.incidentId ? { id: d.incidentId, at } : null;
  if (incident) state.lastIncident.set(camera.zone, incident);
  return () => {
    if (cooldown && state.lastAlertAt.get(camera.id) === at) restore(state.lastAlertAt, camera.id, before.alert);
    if (incident && state.lastIncident.get(camera.zone) === incident) restore(state.lastIncident, camera.zone, before.incident);
  };
}

function restore<V>(map: Map<string, V>, key: string, value: V | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}
