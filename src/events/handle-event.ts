// What the worker does with one event job: store the images, then in ONE transaction the event row
// and the MQTT messages it causes (the outbox). Publishing is the relay's job, so a broker outage
// never fails or repeats a job. Idempotent: a retried job finds its row or its dedupe keys and adds nothing.

import type { Kysely } from 'kysely';
import { EventsRepository, type EventRow } from '../db/events.repository.js';
import { OutboxRepository, type NewOutboxRow } from '../db/outbox.repository.js';
import type { DatabaseSchema } from '../db/schema.js';
import { MatThanError } from '../errors.js';
import type { Message, Topics } from '../mqtt/topics.js';
import { decideAlert, decideTamperAlert, recordAlert, type AlertDecision, type AlertRulesOptions, type AlertState } from './alert-rules.js';
import { endEventMessages, newEventMessages, toPublicEvent, updateEventMessages } from './event-messages.js';
import type { EventJob, EventType } from './event-types.js';
import type { SnapshotStore, StoredImage } from './snapshot-store.js';

export interface HandleEventDeps {
  db: Kysely<DatabaseSchema>;
  snapshots: SnapshotStore;
  topics: Topics;
  publicUrl: string;
  rules: AlertRulesOptions;
  alertState: AlertState;
  motionOffDelayMs: number;
  /** Called after a commit that added messages, to wake the outbox relay. */
  onStored: () => void;
  now?: () => number;
}

type Job<K extends EventJob['kind']> = Extract<EventJob, { kind: K }>;

function outboxRows(messages: Message[], keyBase: string, at: number, deliverAfter = at): NewOutboxRow[] {
  return messages.map((m, i) => ({
    dedupe_key: `${keyBase}:${i}`,
    topic: m.topic,
    payload: typeof m.payload === 'string' ? Buffer.from(m.payload) : m.payload,
    payload_file: m.file ?? null,
    qos: m.options.qos,
    retain: m.options.retain ? 1 : 0,
    deliver_after: deliverAfter,
    created_at: at,
  }));
}

async function saveImages(d: HandleEventDeps, cameraId: string, name: string, at: number, job: { snapshot: string | null; thumbnail: string | null }) {
  const snapshot = job.snapshot === null ? null : Buffer.from(job.snapshot, 'base64');
  const [stored, thumb]: Array<StoredImage | null> = await Promise.all([
    snapshot === null ? null : d.snapshots.save(cameraId, name, at, snapshot),
    job.thumbnail === null ? null : d.snapshots.save(cameraId, `${name}.thumb`, at, Buffer.from(job.thumbnail, 'base64')),
  ]);
  return { snapshot, stored: stored ?? null, thumb: thumb ?? null };
}

export async function handleEvent(job: EventJob, d: HandleEventDeps): Promise<'stored' | 'duplicate' | 'skipped'> {
  switch (job.kind) {
    case 'new':
      return handleNew(job, d);
    case 'update':
      return handleUpdate(job, d);
    case 'end':
      return handleEnd(job, d);
    case 'availability':
      return handleAvailability(job, d);
  }
}

/** Motion alerts by the rules; a covered lens is tampering; `offline` and `frozen` (faults, not acts) alert nobody. */
function decideFor(type: EventType, d: HandleEventDeps, camera: Job<'new'>['camera'], id: string, at: number): AlertDecision | null {
  if (type === 'motion') return decideAlert(d.rules, d.alertState, camera, id, at);
  if (type === 'covered') return decideTamperAlert(d.rules, d.alertState, camera, id, at);
  return null;
}

async function handleNew(job: Job<'new'>, d: HandleEventDeps): Promise<'stored' | 'duplicate'> {
  const { camera, event: e } = job;
  const now = (d.now ?? Date.now)();
  const img = await saveImages(d, camera.id, e.id, e.startedAt, job);
  const stored = await d.db.transaction().execute(async (trx) => {
    const events = new EventsRepository(trx);
    const decision = decideFor(e.type, d, camera, e.id, e.startedAt);
    const row: EventRow = {
      id: e.id, camera_id: camera.id, zone: camera.zone, household_id: camera.householdId, type: e.type,
      started_at: e.startedAt, ended_at: null, score: e.score, box: e.box === null ? null : JSON.stringify(e.box),
      snapshot_path: img.stored?.path ?? null, snapshot_sha256: img.stored?.sha256 ?? null, thumbnail_path: img.thumb?.path ?? null,
      incident_id: decision?.incidentId ?? null, alert: decision?.reason ?? 'none', created_at: now, updated_at: now,
    };
    // A retried job finds its row: everything it would add was committed with it, so nothing to do.
    if (!(await events.insert(row))) return false;
    const outbox = new OutboxRepository(trx);
    // New motion overtakes a camera's motion OFF that is still waiting for its delay.
    if (e.type === 'motion') await outbox.cancelPending(d.topics.camera(camera.id, 'motion'), Buffer.from('OFF'));
    const messages = newEventMessages({ topics: d.topics, camera, event: toPublicEvent(row, d.publicUrl), snapshotPath: img.stored?.path ?? null, alert: decision ?? undefined });
    await outbox.add(outboxRows(messages, `${e.id}:new`, now));
    if (decision) recordAlert(d.alertState, camera, decision, e.startedAt, e.type === 'motion');
    return true;
  });
  if (stored) d.onStored();
  return stored ? 'stored' : 'duplicate';
}

async function requireRow(d: HandleEventDeps, id: string): Promise<EventRow> {
  const row = await new EventsRepository(d.db).findById(id);
  // The `new` job has not been stored yet (it may be retrying): try again later so nothing overtakes it.
  if (!row) throw new MatThanError('EVENT_NOT_READY', id);
  return row;
}

async function handleUpdate(job: Job<'update'>, d: HandleEventDeps): Promise<'stored' | 'skipped'> {
  const { camera, event: e } = job;
  const row = await requireRow(d, e.id);
  if (row.ended_at !== null || e.score <= row.score) return 'skipped';
  const now = (d.now ?? Date.now)();
  const img = await saveImages(d, camera.id, `${e.id}-${job.seq}`, e.at, job);
  const changes = {
    score: e.score, box: e.box === null ? row.box : JSON.stringify(e.box), updated_at: now,
    ...(img.stored ? { snapshot_path: img.stored.path, snapshot_sha256: img.stored.sha256 } : {}),
    ...(img.thumb ? { thumbnail_path: img.thumb.path } : {}),
  };
  await d.db.transaction().execute(async (trx) => {
    await new EventsRepository(trx).update(e.id, changes);
    const messages = updateEventMessages({ topics: d.topics, camera, event: toPublicEvent({ ...row, ...changes }, d.publicUrl), snapshotPath: img.stored?.path ?? null });
    await new OutboxRepository(trx).add(outboxRows(messages, `${e.id}:update:${job.seq}`, now));
  });
  d.onStored();
  return 'stored';
}

async function handleEnd(job: Job<'end'>, d: HandleEventDeps): Promise<'stored'> {
  const { camera, event: e } = job;
  const row = await requireRow(d, e.id);
  const now = (d.now ?? Date.now)();
  const ended: EventRow = { ...row, ended_at: e.endedAt, score: Math.max(row.score, e.score), updated_at: now };
  await d.db.transaction().execute(async (trx) => {
    const events = new EventsRepository(trx);
    await events.update(e.id, { ended_at: ended.ended_at, score: ended.score, updated_at: now });
    const { now: messages, delayed } = endEventMessages({ topics: d.topics, camera, event: toPublicEvent(ended, d.publicUrl), snapshotPath: null });
    const outbox = new OutboxRepository(trx);
    await outbox.add(outboxRows(messages, `${e.id}:end`, now));
    // Motion stays ON for the off delay, and stays ON if a newer motion event is already open.
    if (delayed && !(await events.hasOpenMotionAfter(camera.id, row.started_at))) {
      await outbox.add(outboxRows([delayed], `${e.id}:off`, now, now + d.motionOffDelayMs));
    }
  });
  d.onStored();
  return 'stored';
}

async function handleAvailability(job: Job<'availability'>, d: HandleEventDeps): Promise<'stored'> {
  const now = (d.now ?? Date.now)();
  const message = d.topics.availabilityMessage(job.camera.id, job.online);
  await new OutboxRepository(d.db).add(outboxRows([message], `avail:${job.camera.id}:${job.at}:${job.online ? 1 : 0}`, now));
  d.onStored();
  return 'stored';
}
