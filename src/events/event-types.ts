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

/** A JPEG already in the snapshot store: its path under the store root and its SHA-256 (hex). */
export interface StoredImage {
  path: string;
  sha256: string;
}

/**
 * An image of a job. The producer stores the JPEGs before queueing (event-ingest.ts), so only the
 * reference travels through Redis. A base64 string is a JPEG the worker stores itself: jobs queued
 * before that change (still in Redis after an upgrade) and jobs made by hand. Times are epoch ms.
 */
export type JobImage = StoredImage | string | null;

export interface Images {
  snapshot: JobImage;
  thumbnail: JobImage;
}

export type EventJob =
  | ({ kind: 'new'; camera: CameraRef; event: { id: string; type: EventType; startedAt: number; score: number; box: Box | null } } & Images)
  | ({ kind: 'update'; seq: number; camera: CameraRef; event: { id: string; at: number; score: number; box: Box | null } } & Images)
  | { kind: 'end'; camera: CameraRef; event: { id: string; endedAt: number; score: number; box: Box | null } }
  | { kind: 'availability'; camera: CameraRef; online: boolean; at: number }
  /**
   * The camera's events still open that started before `before`, other than `keep`, are ended: queued
   * when a stream starts watching the camera (`keep`: the events this process has open itself; the rest
   * were left by a process that died — a power cut, SIGKILL, a node lost — and nobody would end them),
   * and when this process stops watching it for good (deleted, or handed to another node).
   */
  | { kind: 'sweep'; camera: CameraRef; before: number; keep: string[] };

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

/** The snapshot store name of a job's images (`.thumb` is added for the thumbnail); one per job, so a retry rewrites its own. */
export function imageName(job: Extract<EventJob, { kind: 'new' | 'update' }>): string {
  return job.kind === 'new' ? job.event.id : `${job.event.id}-${job.seq}`;
}

/** When a job's images were taken: their day folder in the store. */
export function imageTakenAt(job: Extract<EventJob, { kind: 'new' | 'update' }>): number {
  return job.kind === 'new' ? job.event.startedAt : job.event.at;
}

/** BullMQ job id: derived from the event id so a re-sent job is the same job. */
export function jobIdFor(job: EventJob): string {
  switch (job.kind) {
    case 'update':
      return `update_${job.event.id}_${job.seq}`;
    case 'availability':
      return `avail_${job.camera.id}_${job.at}_${job.online ? 1 : 0}`;
    case 'sweep':
      return `sweep_${job.camera.id}_${job.before}`;
    default:
      return `${job.kind}_${job.event.id}`;
  }
}
