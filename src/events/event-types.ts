// The data that travels from detection to the worker (job payloads) and out to consumers.

import type { Box } from '../motion/motion-detector.js';

export type EventType = 'motion';

/** Job payloads. Times are epoch milliseconds; the snapshot travels as base64 JPEG. */
export type EventJob =
  | {
      kind: 'new';
      event: { id: string; cameraId: string; zone: string; type: EventType; startedAt: number; score: number; box: Box | null };
      snapshot: string | null;
    }
  | { kind: 'end'; event: { id: string; cameraId: string; endedAt: number; score: number; box: Box | null } };

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
}

/** BullMQ job id: derived from the event id so a re-sent job is the same job. */
export function jobIdFor(job: EventJob): string {
  return `${job.kind}_${job.event.id}`;
}
