// Synthetic event jobs, as the ingest side would produce them, for tests that exercise the queue,
// worker, outbox and MQTT without video.

import type { CameraRef, EventJob } from '../../src/events/event-types.js';
import { newEventId } from '../../src/ids.js';

export function camera(over: Partial<CameraRef> = {}): CameraRef {
  return { id: 'cam1', name: 'Camera 1', zone: 'z1', householdId: null, shareWithOfficers: true, ...over };
}

export function newJob(cam: CameraRef, at = Date.now(), id = newEventId()): Extract<EventJob, { kind: 'new' }> {
  return { kind: 'new', camera: cam, event: { id, type: 'motion', startedAt: at, score: 0.05, box: { x: 1, y: 2, w: 3, h: 4 } }, snapshot: null, thumbnail: null };
}

export function endJob(cam: CameraRef, id: string, at = Date.now()): Extract<EventJob, { kind: 'end' }> {
  return { kind: 'end', camera: cam, event: { id, endedAt: at, score: 0.06, box: null } };
}
