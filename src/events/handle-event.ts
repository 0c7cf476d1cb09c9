// What the worker does with one event job: in ONE transaction, the event row (naming the images the
// producer stored) and the MQTT messages it causes (the outbox). Publishing is the relay's job, so a broker outage
// never fails or repeats a job. Idempotent: a retried job finds its row or its dedupe keys and adds nothing.
// Each transaction is a body of steps (db/worker-store.ts) that runs synchronously on SQLite (shared with
// the jobs committing in the same turn of the event loop) and as one serialised transaction on PostgreSQL:
// either way nothing interleaves between an alert decision, its row and its effect on the cooldown.

import type { EventRow } from '../db/events.repository.js';
import { encodeBundle } from '../db/outbox-bundle.js';
import type { NewOutboxRow } from '../db/outbox.repository.js';
import type { AlertMemory, Step, WorkerStore, WorkerWrites } from '../db/worker-store.js';
import { MatThanError } from '../errors.js';
import type { Message, Topics } from '../mqtt/topics.js';
import { decideAlert, decideTamperAlert, recordAlert, type AlertDecision, type AlertRulesOptions, type AlertState } from './alert-rules.js';
import { endEventMessages, newEventMessages, toPublicEvent, updateEventMessages } from './event-messages.js';
import { imageName, imageTakenAt, type EventJob, type EventType, type JobImage, type StoredImage } from './event-types.js';
import type { SnapshotStore } from './snapshot-store.js';

export interface HandleEventDeps {
  store: WorkerStore;
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

/**
 * A transition's messages that fall due together are one row, a bundle (db/outbox-bundle.ts); a lone
 * message keeps a row of its own, which `cancelPending` can find by topic and payload (the delayed OFF).
 * The key ends in `:0` either way, as the first message's row did when each message had one: a job
 * retried across the upgrade still finds what it committed before.
 */
function outboxRows(messages: Message[], keyBase: string, at: number, deliverAfter = at): NewOutboxRow[] {
  const first = messages[0];
  if (!first) return [];
  const single = messages.length === 1;
  return [{
    dedupe_key: `${keyBase}:0`,
    topic: first.topic,
    payload: !single ? EMPTY : typeof first.payload === 'string' ? Buffer.from(first.payload) : first.payload,
    payload_file: single ? first.file ?? null : null,
    qos: first.options.qos,
    retain: single && first.options.retain ? 1 : 0,
    deliver_after: deliverAfter,
    created_at: at,
    bundle: single ? null : encodeBundle(messages),
  }];
}

const EMPTY = Buffer.alloc(0);

/** Normally the producer stored the images already; a job carrying base64 JPEGs has them stored here. */
async function saveImages(d: HandleEventDeps, job: Job<'new'> | Job<'update'>) {
  const store = (image: JobImage, suffix: string): StoredImage | null | Promise<StoredImage> =>
    typeof image !== 'string' ? image : d.snapshots.save(job.camera.id, imageName(job) + suffix, imageTakenAt(job), Buffer.from(image, 'base64'));
  const [stored, thumb] = await Promise.all([store(job.snapshot, ''), store(job.thumbnail, '.thumb')]);
  return { stored: stored ?? null, thumb: thumb ?? null };
}

export async function handleEvent(job: EventJob, d: HandleEventDeps): Promise<'stored' | 'duplicate' | 'skipped' | 'none'> {
  switch (job.kind) {
    case 'new':
      return handleNew(job, d);
    case 'update':
      return handleUpdate(job, d);
    case 'end':
      return handleEnd(job, d);
    case 'availability':
      return handleAvailability(job, d);
    case 'sweep':
      return handleSweep(job, d);
  }
}

/**
 * Motion alerts by the rules; a covered lens is tampering; `offline` and `frozen` (faults, not acts) alert
 * nobody. The rules' memory is the store's where several workers share it (PostgreSQL), else this worker's.
 */
function* decideFor(w: WorkerWrites, type: EventType, d: HandleEventDeps, camera: Job<'new'>['camera'], id: string, at: number): Step<AlertDecision | null> {
  if (type !== 'motion' && type !== 'covered') return null;
  const memory = yield* w.alertMemory(camera.id, camera.zone, at - Math.max(d.rules.cooldownMs, d.rules.incidentWindowMs));
  const state = memory === null ? d.alertState : stateOf(memory, camera);
  return type === 'motion' ? decideAlert(d.rules, state, camera, id, at) : decideTamperAlert(d.rules, state, camera, id, at);
}

function stateOf(m: AlertMemory, camera: { id: string; zone: string }): AlertState {
  return {
    lastAlertAt: new Map(m.lastAlertAt === null ? [] : [[camera.id, m.lastAlertAt]]),
    lastIncident: new Map(m.lastIncident === null ? [] : [[camera.zone, m.lastIncident]]),
  };
}

async function handleNew(job: Job<'new'>, d: HandleEventDeps): Promise<'stored' | 'duplicate'> {
  const { camera, event: e } = job;
  const now = (d.now ?? Date.now)();
  const img = await saveImages(d, job);
  let undoAlert = () => {};
  const decision = await d.store.commit(function* (w) {
    const decision = yield* decideFor(w, e.type, d, camera, e.id, e.startedAt);
    const row: EventRow = {
      id: e.id, camera_id: camera.id, zone: camera.zone, household_id: camera.householdId, type: e.type,
      started_at: e.startedAt, ended_at: null, score: e.score, box: e.box === null ? null : JSON.stringify(e.box),
      snapshot_path: img.stored?.path ?? null, snapshot_sha256: img.stored?.sha256 ?? null, thumbnail_path: img.thumb?.path ?? null,
      incident_id: decision?.incidentId ?? null, alert: decision?.reason ?? 'none', created_at: now, updated_at: now,
    };
    // A retried job finds its row: everything it would add was committed with it, so nothing to do.
    if (!(yield* w.insertEvent(row))) return undefined;
    // New motion overtakes a camera's motion OFF that is still waiting for its delay.
    if (e.type === 'motion') yield* w.cancelPending(d.topics.camera(camera.id, 'motion'), Buffer.from('OFF'));
    const messages = newEventMessages({ topics: d.topics, camera, event: toPublicEvent(row, d.publicUrl), snapshotPath: img.stored?.path ?? null, alert: decision ?? undefined });
    yield* w.addOutbox(outboxRows(messages, `${e.id}:new`, now));
    // Recorded at once, so the next job of the same group already sees this camera's cooldown.
    if (decision) undoAlert = recordAlert(d.alertState, camera, decision, e.startedAt, e.type === 'motion');
    return decision;
  }).catch((err: unknown) => {
    // The group's commit failed: the alert was not stored, so it must not hold back the retry.
    undoAlert();
    throw err;
  });
  if (decision === undefined) return 'duplicate';
  d.onStored();
  return 'stored';
}

// The `new` job has not been stored yet (it may be retrying): try again later so nothing overtakes it.
function present(row: EventRow | undefined, id: string): EventRow {
  if (!row) throw new MatThanError('EVENT_NOT_READY', id);
  return row;
}

function* requireRow(w: WorkerWrites, id: string): Step<EventRow> {
  return present(yield* w.findEvent(id), id);
}

async function handleUpdate(job: Job<'update'>, d: HandleEventDeps): Promise<'stored' | 'skipped'> {
  const { camera, event: e } = job;
  const row = present(await d.store.findEvent(e.id), e.id);
  if (row.ended_at !== null || e.score <= row.score) return 'skipped';
  const now = (d.now ?? Date.now)();
  const img = await saveImages(d, job);
  const changes = {
    score: e.score, box: e.box === null ? row.box : JSON.stringify(e.box), updated_at: now,
    snapshot_path: img.stored?.path ?? null, snapshot_sha256: img.stored?.sha256 ?? null, thumbnail_path: img.thumb?.path ?? null,
  };
  // The row as it will be: an update without a new image keeps the stored one.
  const updated: EventRow = {
    ...row, score: changes.score, box: changes.box, updated_at: now,
    snapshot_path: changes.snapshot_path ?? row.snapshot_path, snapshot_sha256: changes.snapshot_sha256 ?? row.snapshot_sha256,
    thumbnail_path: changes.thumbnail_path ?? row.thumbnail_path,
  };
  await d.store.commit(function* (w) {
    yield* w.updateEvent(e.id, changes);
    const messages = updateEventMessages({ topics: d.topics, camera, event: toPublicEvent(updated, d.publicUrl), snapshotPath: img.stored?.path ?? null });
    yield* w.addOutbox(outboxRows(messages, `${e.id}:update:${job.seq}`, now));
  });
  d.onStored();
  return 'stored';
}

async function handleEnd(job: Job<'end'>, d: HandleEventDeps): Promise<'stored'> {
  const { camera, event: e } = job;
  const now = (d.now ?? Date.now)();
  await d.store.commit(function* (w) {
    // Read inside the transaction: a `new` committing in the same group is seen.
    const row = yield* requireRow(w, e.id);
    const ended: EventRow = { ...row, ended_at: e.endedAt, score: Math.max(row.score, e.score), updated_at: now };
    yield* w.endEvent(e.id, e.endedAt, ended.score, now);
    const { now: messages, delayed } = endEventMessages({ topics: d.topics, camera, event: toPublicEvent(ended, d.publicUrl), snapshotPath: null });
    yield* w.addOutbox(outboxRows(messages, `${e.id}:end`, now));
    // Motion stays ON for the off delay, and stays ON if a newer motion event is already open.
    if (delayed && !(yield* w.hasOpenMotionAfter(camera.id, row.started_at))) {
      yield* w.addOutbox(outboxRows([delayed], `${e.id}:off`, now, now + d.motionOffDelayMs));
    }
  });
  d.onStored();
  return 'stored';
}

async function handleAvailability(job: Job<'availability'>, d: HandleEventDeps): Promise<'stored'> {
  const now = (d.now ?? Date.now)();
  const message = d.topics.availabilityMessage(job.camera.id, job.online);
  await d.store.commit((w) => w.addOutbox(outboxRows([message], `avail:${job.camera.id}:${job.at}:${job.online ? 1 : 0}`, now)));
  d.onStored();
  return 'stored';
}

/**
 * When an event nobody saw end ended: motion at the last moment its row was touched (its last update,
 * the last evidence of movement), a health condition at `before`, when a stream looked at the camera
 * again or this process stopped looking (the condition may have lasted until then; a stream reports it
 * afresh if it still holds).
 */
function staleEndedAt(row: EventRow, before: number): number {
  const end = row.type === 'motion' ? Math.max(row.started_at, row.updated_at) : before;
  return Math.min(end, before);
}

/**
 * End the camera's events left open (see the job's type), with the same dedupe keys as their own `end`
 * jobs: one that still comes adds no second message, only its real end time. Only the `end` message
 * and motion OFF go out: availability is for a stream to say, from what it sees.
 */
async function handleSweep(job: Job<'sweep'>, d: HandleEventDeps): Promise<'stored' | 'none'> {
  const { camera, before } = job;
  const keep = new Set(job.keep);
  const now = (d.now ?? Date.now)();
  const ended = await d.store.commit(function* (w) {
    const stale = (yield* w.openEventsBefore(camera.id, before)).filter((r) => !keep.has(r.id));
    for (const row of stale) {
      const endedAt = staleEndedAt(row, before);
      yield* w.endEvent(row.id, endedAt, row.score, now);
      const message = d.topics.eventMessage('end', toPublicEvent({ ...row, ended_at: endedAt, updated_at: now }, d.publicUrl));
      yield* w.addOutbox(outboxRows([message], `${row.id}:end`, now));
    }
    // Motion stuck ON (retained) goes OFF now, once, unless motion is open on the camera still (ours).
    const lastMotion = stale.filter((r) => r.type === 'motion').at(-1);
    if (lastMotion && !(yield* w.hasOpenMotionAfter(camera.id, 0))) {
      yield* w.addOutbox(outboxRows([d.topics.motionMessage(camera.id, false)], `${lastMotion.id}:off`, now));
    }
    return stale.length;
  });
  if (ended === 0) return 'none';
  d.onStored();
  return 'stored';
}
