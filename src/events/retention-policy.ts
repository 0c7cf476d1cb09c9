// Which events and images are past their age: the configured defaults, overridden per camera. Pure.

import type { CameraSet } from '../db/events.repository.js';

export interface RetentionDefaults {
  snapshotDays: number;
  eventDays: number;
}

export interface CameraRetention {
  id: string;
  snapshot_retention_days: number | null;
  event_retention_days: number | null;
}

/** One sweep: these cameras' images older than snapshotsBefore go, their events older than eventsBefore go. */
export interface RetentionPass {
  cameras: CameraSet;
  snapshotsBefore: number;
  eventsBefore: number;
}

const DAY_MS = 86_400_000;

/**
 * Cameras with the same effective ages share a pass; every other camera (and events of cameras no longer
 * registered) follows the defaults. An event's images never outlive the event.
 */
export function retentionPasses(now: number, defaults: RetentionDefaults, overrides: readonly CameraRetention[]): RetentionPass[] {
  const groups = new Map<string, { snapshotDays: number; eventDays: number; ids: string[] }>();
  for (const c of overrides) {
    const eventDays = c.event_retention_days ?? defaults.eventDays;
    const snapshotDays = Math.min(c.snapshot_retention_days ?? defaults.snapshotDays, eventDays);
    const key = `${snapshotDays}/${eventDays}`;
    const g = groups.get(key) ?? { snapshotDays, eventDays, ids: [] };
    g.ids.push(c.id);
    groups.set(key, g);
  }
  const pass = (cameras: CameraSet, snapshotDays: number, eventDays: number): RetentionPass =>
    ({ cameras, snapshotsBefore: now - Math.min(snapshotDays, eventDays) * DAY_MS, eventsBefore: now - eventDays * DAY_MS });
  return [
    ...[...groups.values()].map((g) => pass({ in: g.ids }, g.snapshotDays, g.eventDays)),
    pass({ notIn: overrides.map((c) => c.id) }, defaults.snapshotDays, defaults.eventDays),
  ];
}
