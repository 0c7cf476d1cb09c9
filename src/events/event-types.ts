// The data that travels from detection to the worker (job payloads) and out to consumers.

import type { Box } from '../motion/motion-detector.js';

/**
 * Camera health, each an event opened when the condition starts and ended when it clears: `offline`
 * (the stream is down), `frozen` (the picture stands still), `covered` (the picture suddenly went
 * uniform: a covered lens, i.e. tampering).
 */
export type HealthCondition = 'offline' | 'frozen' | 'covered';

/** `motion` from the detector, or a health condition. */
export type EventType = 'motion' | HealthCondition;

/** What a stream reports about its health: `offline` inactive means online. Only changes are reported. */
export interface HealthReport {
  condition: HealthCondition;
  active: boolean;
  /** When the condition began, or when it cleared (epoch ms). */
  at: number;
}

/** What the worker needs to know of the camera; carried in the job so the worker needs no registry. */
export interface CameraRef {
  id: string;
  name: string;
  zone: string;
  householdId: string | null;
  shareWithOfficers: boolean;
}

/** JPEGs travel as base64 in the job; the worker stores them. Times are epoch milliseconds. */
export interface Images {
  snapshot: string | null;
  thumbnail: string | null;
}

export type EventJob =
  | ({ kind: 'new'; camera: CameraRef; event: { id: string; type: EventType; startedAt: number; score: number; box: Box | null } } & Images)
  | ({ kind: 'update'; seq: number; camera: CameraRef; event: { id: string; at: number; score: number; box: Box | null } } & Images)
  | { kind: 'end'; camera: CameraRef; event: { id: string; endedAt: number; score: number; box: Box | null } }
  | { kind: 'availability'; camera: CameraRef; online: boolean; at: number };

/** The event as consumers see it (MQTT payloads and the HTTP API). */
export interface PublicEvent {
  id: string;
  cameraId: string;
  zone: string;
  type: EventType;
  startedAt: string;
  endedAt: string | null;
  score: number;
  box: Box | null;
  snapshotUrl: string | null;
  thumbnailUrl: string | null;
  snapshotSha256: string | null;
  incidentId: string | null;
}

/** BullMQ job id: derived from the event id so a re-sent job is the same job. */
export function jobIdFor(job: EventJob): string {
  switch (job.kind) {
    case 'update':
      return `update_${job.event.id}_${job.seq}`;
    case 'availability':
      return `avail_${job.camera.id}_${job.at}_${job.online ? 1 : 0}`;
    default:
      return `${job.kind}_${job.event.id}`;
  }
}
