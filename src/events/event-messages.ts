// Which MQTT messages an event transition produces: pure, so the contract is testable without a broker.

import type { EventRow } from '../db/events.repository.js';
import type { Message, Topics } from '../mqtt/topics.js';
import type { CameraRef, PublicEvent } from './event-types.js';

export function toPublicEvent(row: EventRow, publicUrl: string): PublicEvent {
  const base = `${publicUrl}/api/events/${row.id}`;
  return {
    id: row.id,
    cameraId: row.camera_id,
    zone: row.zone,
    type: row.type as PublicEvent['type'],
    startedAt: new Date(row.started_at).toISOString(),
    endedAt: row.ended_at === null ? null : new Date(row.ended_at).toISOString(),
    score: Math.round(row.score * 10_000) / 10_000,
    box: row.box === null ? null : (JSON.parse(row.box) as PublicEvent['box']),
    snapshotUrl: row.snapshot_path === null ? null : `${base}/snapshot.jpg`,
    thumbnailUrl: row.thumbnail_path === null ? null : `${base}/thumbnail.jpg`,
    snapshotSha256: row.snapshot_sha256,
    incidentId: row.incident_id,
  };
}

export interface TransitionInput {
  topics: Topics;
  camera: CameraRef;
  event: PublicEvent;
  /** The stored snapshot of this transition, if it has one. */
  snapshotPath: string | null;
  /** Alert targets decided for a new event. */
  alert?: { zone: boolean; household: boolean; incidentId: string | null };
}

/**
 * Messages for a new event: the event, the camera's state, the picture, and the alerts. Availability
 * is about the stream being reachable, so only `offline` touches it; a frozen or covered camera still
 * streams, and says so through its own event type (and, when covered, alerts).
 */
export function newEventMessages(i: TransitionInput): Message[] {
  const { topics, camera, event } = i;
  const out: Message[] = [topics.eventMessage('new', event)];
  if (event.type === 'offline') {
    out.push(topics.availabilityMessage(camera.id, false));
    return out;
  }
  if (event.type === 'motion') out.push(topics.motionMessage(camera.id, true));
  if (i.snapshotPath) out.push(topics.snapshotMessage(camera.id, i.snapshotPath));
  if (i.alert?.zone) out.push(topics.alertMessage(topics.zoneAlerts(camera.zone), camera, event, i.alert.incidentId));
  if (i.alert?.household && camera.householdId) {
    out.push(topics.alertMessage(topics.householdAlerts(camera.householdId), camera, event, i.alert.incidentId));
  }
  return out;
}

export function updateEventMessages(i: TransitionInput): Message[] {
  const out = [i.topics.eventMessage('update', i.event)];
  if (i.snapshotPath) out.push(i.topics.snapshotMessage(i.camera.id, i.snapshotPath));
  return out;
}

/** The end of an event; a motion event's motion OFF is returned apart because it is delayed. */
export function endEventMessages(i: TransitionInput): { now: Message[]; delayed: Message | null } {
  const now = [i.topics.eventMessage('end', i.event)];
  if (i.event.type === 'offline') now.push(i.topics.availabilityMessage(i.camera.id, true));
  return { now, delayed: i.event.type === 'motion' ? i.topics.motionMessage(i.camera.id, false) : null };
}
