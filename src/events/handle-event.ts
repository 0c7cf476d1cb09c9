// What the worker does with one event job. Idempotent: a retried or re-sent job writes the same
// file, inserts nothing new, and re-publishes at most (consumers drop duplicates by event id).

import type { EventRow, EventsRepository } from '../db/events.repository.js';
import { MatThanError } from '../errors.js';
import type { Message, Topics } from '../mqtt/topics.js';
import type { EventJob, PublicEvent } from './event-types.js';
import type { SnapshotStore } from './snapshot-store.js';

export interface HandleEventDeps {
  events: EventsRepository;
  snapshots: SnapshotStore;
  topics: Topics;
  publish: (m: Message) => Promise<void>;
  /** Base of snapshot URLs, e.g. http://host:8080 */
  publicUrl: string;
}

export function toPublicEvent(row: EventRow, publicUrl: string): PublicEvent {
  return {
    id: row.id,
    cameraId: row.camera_id,
    zone: row.zone,
    type: row.type as PublicEvent['type'],
    startedAt: new Date(row.started_at).toISOString(),
    endedAt: row.ended_at === null ? null : new Date(row.ended_at).toISOString(),
    score: Math.round(row.score * 10_000) / 10_000,
    box: row.box === null ? null : (JSON.parse(row.box) as PublicEvent['box']),
    snapshotUrl: row.snapshot_path === null ? null : `${publicUrl}/api/events/${row.id}/snapshot.jpg`,
  };
}

export async function handleEvent(job: EventJob, deps: HandleEventDeps): Promise<'published'> {
  return job.kind === 'new' ? handleNew(job, deps) : handleEnd(job, deps);
}

async function handleNew(job: Extract<EventJob, { kind: 'new' }>, d: HandleEventDeps): Promise<'published'> {
  const e = job.event;
  const snapshotPath = job.snapshot === null ? null : await d.snapshots.save(e.cameraId, e.id, e.startedAt, Buffer.from(job.snapshot, 'base64'));
  await d.events.insert({
    id: e.id,
    camera_id: e.cameraId,
    zone: e.zone,
    type: e.type,
    started_at: e.startedAt,
    score: e.score,
    box: e.box === null ? null : JSON.stringify(e.box),
    snapshot_path: snapshotPath,
    created_at: Date.now(),
  });
  const row = await d.events.findById(e.id);
  if (!row) throw new Error(`event ${e.id} vanished after insert`);
  await d.publish(d.topics.eventMessage('new', toPublicEvent(row, d.publicUrl)));
  await d.publish(d.topics.motionMessage(e.cameraId, true));
  await d.events.markAnnounced(e.id);
  return 'published';
}

async function handleEnd(job: Extract<EventJob, { kind: 'end' }>, d: HandleEventDeps): Promise<'published'> {
  const e = job.event;
  const row = await d.events.findById(e.id);
  // The `new` job has not finished (it may be retrying): try again later so `end` never overtakes it.
  if (!row || row.announced !== 1) throw new MatThanError('EVENT_NOT_READY', e.id);
  const score = Math.max(row.score, e.score);
  const box = e.score >= row.score && e.box ? JSON.stringify(e.box) : row.box;
  await d.events.markEnded(e.id, e.endedAt, score, box);
  const ended: EventRow = { ...row, ended_at: e.endedAt, score, box };
  await d.publish(d.topics.eventMessage('end', toPublicEvent(ended, d.publicUrl)));
  await d.publish(d.topics.motionMessage(e.cameraId, false));
  return 'published';
}
