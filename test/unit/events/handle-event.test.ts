// The worker's job handling on a real SQLite (in memory) and a real PostgreSQL: rows and outbox messages,
// idempotency, ordering.

import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { rowMessages } from '../../../src/db/outbox-bundle.js';
import { OutboxRepository, type OutboxRow } from '../../../src/db/outbox.repository.js';
import { newAlertState } from '../../../src/events/alert-rules.js';
import { handleEvent, type HandleEventDeps } from '../../../src/events/handle-event.js';
import { SnapshotStore } from '../../../src/events/snapshot-store.js';
import { Topics } from '../../../src/mqtt/topics.js';
import type { EventJob } from '../../../src/events/event-types.js';
import { newEventId } from '../../../src/ids.js';
import { camera, endJob, newJob } from '../../helpers/jobs.js';
import { forEachStore, type StoreCase } from '../../helpers/stores.js';

async function setup(t: Test, stores: StoreCase) {
  const db = await stores.open(t);
  let now = 1_000_000;
  let stored = 0;
  const deps: HandleEventDeps = {
    store: db.worker,
    snapshots: new SnapshotStore(mkdtempSync(path.join(os.tmpdir(), 'mt-he-'))),
    topics: new Topics('mt'),
    publicUrl: 'http://x',
    rules: { timezone: 'Asia/Ho_Chi_Minh', cooldownMs: 60_000, incidentWindowMs: 30_000, schedules: new Map() },
    alertState: newAlertState(),
    motionOffDelayMs: 5000,
    onStored: () => { stored++; },
    now: () => now,
  };
  const outbox = new OutboxRepository(db.db);
  const describe = (topic: string, payload: Buffer | null) => {
    if (topic.endsWith('/snapshot')) return '<jpeg>';
    const text = String(payload);
    if (!text.startsWith('{')) return text;
    const body = JSON.parse(text) as { type?: string; alertId?: string };
    return body.type ?? `alert ${body.alertId}`;
  };
  // A row may hold several messages (a bundle): listed as the relay will publish them.
  const messages = async (rows: OutboxRow[]) => rows.flatMap(rowMessages);
  const pending = async (at = Number.MAX_SAFE_INTEGER) => (await messages(await outbox.due(at, 1000))).map((m) => `${m.topic} ${describe(m.topic, m.payload)}`);
  const storedOn = async (topic: string) => (await messages(await db.db.selectFrom('outbox').selectAll().orderBy('id').execute())).filter((m) => m.topic === topic);
  return { db, deps, outbox, pending, storedOn, advance: (ms: number) => { now += ms; }, stored: () => stored };
}


const JPEG = Buffer.from([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);

forEachStore((t, stores) => {
  t.test('a new event: row, images with SHA-256, and its messages, exactly once however often it runs', async (t) => {
    const { db, deps, pending, stored, storedOn } = await setup(t, stores);
    const job = { ...newJob(camera(), 1_000_000), snapshot: JPEG.toString('base64'), thumbnail: JPEG.toString('base64') };
    t.equal(await handleEvent(job, deps), 'stored');
    t.equal(await handleEvent(job, deps), 'duplicate', 'a retried job adds nothing');
    t.equal(stored(), 1);
    t.same(await pending(), ['mt/events new', 'mt/cameras/cam1/motion ON', 'mt/cameras/cam1/snapshot <jpeg>', `mt/zones/z1/alerts alert ${job.event.id}`]);
    const row = await db.db.selectFrom('events').selectAll().executeTakeFirstOrThrow();
    t.equal(row.snapshot_sha256, createHash('sha256').update(JPEG).digest('hex'));
    t.same(readFileSync(path.join(deps.snapshots.root, row.snapshot_path as string)), JPEG);
    const snap = (await storedOn('mt/cameras/cam1/snapshot'))[0];
    t.equal(snap?.file, row.snapshot_path, 'the retained snapshot message refers to the stored file');
    t.match(row.thumbnail_path, /\.thumb\.jpg$/);
    t.equal(row.alert, 'alerted');
    t.equal(row.incident_id, job.event.id);
  });

  t.test('end before new is retried later; end adds a delayed motion OFF', async (t) => {
    const { deps, pending, advance } = await setup(t, stores);
    const n = newJob(camera());
    await t.rejects(handleEvent(endJob(camera(), n.event.id), deps), { code: 'EVENT_NOT_READY' });
    await handleEvent(n, deps);
    await handleEvent(endJob(camera(), n.event.id), deps);
    await handleEvent(endJob(camera(), n.event.id), deps);
    const now = (deps.now as () => number)();
    t.same((await pending(now)).slice(-1), ['mt/events end'], 'OFF is not due yet');
    advance(5000);
    t.same((await pending(now + 5000)).filter((m) => m.includes('/motion')), ['mt/cameras/cam1/motion ON', 'mt/cameras/cam1/motion OFF'], 'OFF once, after the delay');
  });

  t.test('new motion cancels a pending OFF', async (t) => {
    const { deps, pending } = await setup(t, stores);
    const a = newJob(camera());
    await handleEvent(a, deps);
    await handleEvent(endJob(camera(), a.event.id), deps);
    await handleEvent(newJob(camera(), 2_000_000), deps);
    t.same((await pending()).filter((m) => m.includes('/motion')), ['mt/cameras/cam1/motion ON', 'mt/cameras/cam1/motion ON']);
  });

  t.test('an update with a better score replaces the snapshot; a worse one is skipped', async (t) => {
    const { db, deps, pending } = await setup(t, stores);
    const n = newJob(camera());
    await handleEvent(n, deps);
    const better = { kind: 'update' as const, seq: 1, camera: camera(), event: { id: n.event.id, at: 1_000_500, score: 0.2, box: null }, snapshot: JPEG.toString('base64'), thumbnail: null };
    t.equal(await handleEvent(better, deps), 'stored');
    t.equal(await handleEvent({ ...better, seq: 2, event: { ...better.event, score: 0.1 } }, deps), 'skipped');
    const row = await db.db.selectFrom('events').selectAll().executeTakeFirstOrThrow();
    t.equal(row.score, 0.2);
    t.match(row.snapshot_path, new RegExp(`${n.event.id}-1\\.jpg$`));
    t.ok((await pending()).includes('mt/events update'));
  });

  t.test('consent: a household camera not shared alerts its household only', async (t) => {
    const { deps, pending } = await setup(t, stores);
    await handleEvent(newJob(camera({ householdId: 'ho-17', shareWithOfficers: false })), deps);
    const topics = (await pending()).map((m) => m.split(' ')[0]);
    t.ok(topics.includes('mt/households/ho-17/alerts'));
    t.notOk(topics.some((x) => x?.startsWith('mt/zones/')));
  });

  t.test('an offline event flips availability, and its end flips it back', async (t) => {
    const { deps, pending } = await setup(t, stores);
    const id = '01a22afd-bf33-70d8-9338-ba4fac6d440c';
    await handleEvent({ kind: 'new', camera: camera(), event: { id, type: 'offline', startedAt: 5, score: 0, box: null }, snapshot: null, thumbnail: null }, deps);
    await handleEvent({ kind: 'end', camera: camera(), event: { id, endedAt: 9, score: 0, box: null } }, deps);
    t.same(await pending(), ['mt/events new', 'mt/cameras/cam1/availability offline', 'mt/events end', 'mt/cameras/cam1/availability online']);
  });

  t.test('a covered lens is a tamper alert; its end says only end; availability and motion are left alone', async (t) => {
    const { db, deps, pending } = await setup(t, stores);
    const id = '01a22afd-bf33-70d8-9338-ba4fac6d4401';
    const cam = camera({ zone: 'night-zone', householdId: 'ho-3' });
    const rules = { ...deps.rules, schedules: new Map([['night-zone', [{ from: '22:00', to: '05:00' }]]]) };
    const noon = Date.parse('2026-11-30T12:00:00+07:00');
    await handleEvent({ kind: 'new', camera: cam, event: { id, type: 'covered', startedAt: noon, score: 0, box: null }, snapshot: null, thumbnail: null }, { ...deps, rules });
    await handleEvent({ kind: 'end', camera: cam, event: { id, endedAt: noon + 9000, score: 0, box: null } }, deps);
    t.same(await pending(), ['mt/events new', `mt/zones/night-zone/alerts alert ${id}`, `mt/households/ho-3/alerts alert ${id}`, 'mt/events end'], 'officers told outside arming hours');
    const row = await db.db.selectFrom('events').selectAll().executeTakeFirstOrThrow();
    t.match(row, { type: 'covered', alert: 'alerted', incident_id: id, ended_at: noon + 9000 });
    t.notOk(deps.alertState.lastAlertAt.has('cam1'), 'no motion cooldown started');
  });

  t.test('a frozen picture is stored and published as its own type, alerting nobody', async (t) => {
    const { db, deps, pending } = await setup(t, stores);
    const id = '01a22afd-bf33-70d8-9338-ba4fac6d4402';
    await handleEvent({ kind: 'new', camera: camera({ householdId: 'ho-3' }), event: { id, type: 'frozen', startedAt: 5, score: 0, box: null }, snapshot: null, thumbnail: null }, deps);
    await handleEvent({ kind: 'end', camera: camera(), event: { id, endedAt: 9, score: 0, box: null } }, deps);
    t.same(await pending(), ['mt/events new', 'mt/events end']);
    const row = await db.db.selectFrom('events').selectAll().executeTakeFirstOrThrow();
    t.match(row, { type: 'frozen', alert: 'none', incident_id: null });
  });

  t.test('a day folder removed while running is made again', async (t) => {
    const { deps } = await setup(t, stores);
    const first = await deps.snapshots.save('cam1', 'a', 1_000_000, JPEG);
    rmSync(path.dirname(path.join(deps.snapshots.root, first.path)), { recursive: true });
    const second = await deps.snapshots.save('cam1', 'b', 1_000_000, JPEG);
    t.same(readFileSync(path.join(deps.snapshots.root, second.path)), JPEG);
  });

  t.test('jobs committed in one group: an end sees its new, and the second event of a camera is in cooldown', async (t) => {
    const { db, deps } = await setup(t, stores);
    const a = newJob(camera(), 1_000_000);
    const b = newJob(camera(), 1_000_100);
    // No images: all three reach their commit in the same turn of the event loop, so one group. The end
    // starts some microtasks later, as it would in real life: after its new has asked to commit.
    const first = handleEvent(a, deps);
    for (let i = 0; i < 20; i++) await null;
    const results = await Promise.all([first, handleEvent(endJob(camera(), a.event.id), deps), handleEvent(b, deps)]);
    t.same(results, ['stored', 'stored', 'stored']);
    const rows = await db.db.selectFrom('events').select(['id', 'alert', 'ended_at']).orderBy('started_at').execute();
    t.same(rows.map((r) => r.alert), ['alerted', 'cooldown']);
    t.not(rows[0]?.ended_at, null, 'the end was stored with its new');
  });

  t.test('images the producer stored travel as references: the row takes their path and SHA-256, nothing is rewritten', async (t) => {
    const { db, deps, storedOn } = await setup(t, stores);
    const snapshot = await deps.snapshots.save('cam1', 'ev1', 1_000_000, JPEG);
    const thumbnail = await deps.snapshots.save('cam1', 'ev1.thumb', 1_000_000, JPEG);
    rmSync(path.join(deps.snapshots.root, thumbnail.path));
    t.equal(await handleEvent({ ...newJob(camera(), 1_000_000), snapshot, thumbnail }, deps), 'stored');
    const row = await db.db.selectFrom('events').selectAll().executeTakeFirstOrThrow();
    t.same([row.snapshot_path, row.snapshot_sha256, row.thumbnail_path], [snapshot.path, createHash('sha256').update(JPEG).digest('hex'), thumbnail.path]);
    t.notOk(existsSync(path.join(deps.snapshots.root, thumbnail.path)), 'the worker wrote no file');
    t.same((await storedOn('mt/cameras/cam1/snapshot')).map((m) => m.file), [snapshot.path]);
  });
  t.test('a stream starting to watch ends what a dead process left open: not its own events, not newer ones, not other cameras\'', async (t) => {
    const { db, deps, pending, advance } = await setup(t, stores);
    const cam = camera();
    const health = (type: 'frozen' | 'covered', startedAt: number): EventJob =>
      ({ kind: 'new', camera: cam, event: { id: newEventId(), type, startedAt, score: 0, box: null }, snapshot: null, thumbnail: null });
    // Left by the process that died: motion last updated at 1_000_500, a frozen picture.
    const motion = newJob(cam, 900_000);
    await handleEvent(motion, deps);
    advance(500);
    await handleEvent({ kind: 'update', seq: 1, camera: cam, event: { id: motion.event.id, at: 1_000_400, score: 0.3, box: null }, snapshot: null, thumbnail: null }, deps);
    const frozen = health('frozen', 950_000);
    await handleEvent(frozen, deps);
    // Open in this process (kept), opened by the new stream (after `since`), and on another camera.
    const covered = health('covered', 960_000);
    await handleEvent(covered, deps);
    const since = 1_100_000;
    const newer = newJob(cam, since + 100);
    await handleEvent(newer, deps);
    const other = newJob(camera({ id: 'cam2' }), 900_000);
    await handleEvent(other, deps);
    advance(100_000);
    const before = (await pending()).length;

    const watching: EventJob = { kind: 'sweep', camera: cam, before: since, keep: [covered.kind === 'new' ? covered.event.id : ''] };
    t.equal(await handleEvent(watching, deps), 'stored');
    const ended = new Map((await db.db.selectFrom('events').select(['id', 'ended_at', 'score']).execute()).map((r) => [r.id, r]));
    t.equal(ended.get(motion.event.id)?.ended_at, 1_000_500, 'motion ends at its last update, the last evidence of movement');
    t.equal(ended.get(motion.event.id)?.score, 0.3, 'with its best score');
    t.equal(ended.get(frozen.kind === 'new' ? frozen.event.id : '')?.ended_at, since, 'a condition ends when a stream looked again');
    t.equal(ended.get(covered.kind === 'new' ? covered.event.id : '')?.ended_at, null, 'this process\'s own event is left to it');
    t.equal(ended.get(newer.event.id)?.ended_at, null, 'the new stream\'s event is left open');
    t.equal(ended.get(other.event.id)?.ended_at, null, 'another camera is not touched');
    t.same((await pending()).slice(before), ['mt/events end', 'mt/events end'], 'an end message each; motion stays ON while the new stream\'s motion is open');

    t.equal(await handleEvent(watching, deps), 'none', 'a retried job finds nothing left');
    await handleEvent(endJob(cam, motion.event.id, 1_000_600), deps);
    t.same((await pending()).slice(before), ['mt/events end', 'mt/events end'], 'an end that still comes from the old watcher adds no second message');
  });

  t.test('motion left ON by a dead process goes OFF at once, once; availability is the new stream\'s to say', async (t) => {
    const { db, deps, pending, advance } = await setup(t, stores);
    const cam = camera();
    const a = newJob(cam, 900_000);
    const b = newJob(cam, 950_000);
    const offline: EventJob = { kind: 'new', camera: cam, event: { id: newEventId(), type: 'offline', startedAt: 960_000, score: 0, box: null }, snapshot: null, thumbnail: null };
    for (const j of [a, b, offline]) await handleEvent(j, deps);
    advance(60_000);
    const before = (await pending()).length;
    t.equal(await handleEvent({ kind: 'sweep', camera: cam, before: 1_050_000, keep: [] }, deps), 'stored');
    const now = (deps.now as () => number)();
    t.same((await pending(now)).slice(before), ['mt/events end', 'mt/events end', 'mt/events end', 'mt/cameras/cam1/motion OFF'], 'OFF due now, not after the off delay');
    t.equal((await db.db.selectFrom('events').select('id').where('ended_at', 'is', null).execute()).length, 0);
    t.equal(await handleEvent({ kind: 'sweep', camera: cam, before: 1_060_000, keep: [] }, deps), 'none', 'nothing is open any more');
  });
});
