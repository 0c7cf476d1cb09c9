// The retention sweep on real files: images and events past their age go (per-camera overrides
// respected), events on legal hold and recent ones stay, files first checked on disk.

import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { CamerasRepository } from '../../src/db/cameras.repository.js';
import { RetentionJob } from '../../src/events/retention-job.js';
import { createLogger } from '../../src/logger.js';
import { startApiApp } from '../helpers/api-app.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-30T12:00:00Z');
const jpeg = Buffer.from([0xff, 0xd8, 0x01, 0x02, 0xff, 0xd9]);

t.test('sweep: default ages, a camera override, legal hold, recent events', async (t) => {
  const api = await startApiApp({ retention: { snapshotDays: 30, eventDays: 90 } });
  t.teardown(() => api.close());
  await api.registry.add({ id: 'gate', name: 'Gate', rtspUrl: 'rtsp://127.0.0.1:9/x' });
  // A household keeping only a week of images and a month of events.
  await api.registry.add({ id: 'yard', name: 'Yard', householdId: 'ho-1', rtspUrl: 'rtsp://127.0.0.1:9/x', retention: { snapshotDays: 7, eventDays: 30 } });
  const ev = async (camera: string, ageDays: number) => api.addEvent({ camera_id: camera, started_at: NOW - ageDays * DAY }, jpeg);
  const gateRecent = await ev('gate', 3);
  const gateOldImage = await ev('gate', 40);
  const gateExpired = await ev('gate', 100);
  const gateHeld = await ev('gate', 100);
  const gateHeldImage = await ev('gate', 40);
  const yardRecent = await ev('yard', 3);
  const yardOldImage = await ev('yard', 10);
  const yardExpired = await ev('yard', 40);
  // An update image beside the event's first one (`<id>-2.jpg`): it goes with the event.
  const update = await api.snapshots.save('gate', `${gateExpired.id}-2`, gateExpired.started_at, jpeg);
  await api.events.setLegalHold([gateHeld.id, gateHeldImage.id]);

  const file = (rel: string | null) => rel !== null && existsSync(path.join(api.snapshots.root, rel));
  for (const e of [gateRecent, gateOldImage, gateExpired, gateHeld, yardOldImage, yardExpired]) t.ok(file(e.snapshot_path) && file(e.thumbnail_path), 'files exist before');

  const job = new RetentionJob({
    events: api.events, cameras: new CamerasRepository(api.db.db), snapshots: api.snapshots, defaults: api.config.retention,
    intervalMs: DAY, logger: createLogger({ level: 'silent' }), now: () => NOW,
  });
  const report = await job.runOnce();
  // Images first (4 events past their image age: 8 files and the update image), then 2 events past theirs.
  t.same(report, { imagesCleared: 4, eventsDeleted: 2, filesRemoved: 9 });

  const row = (id: string) => api.events.findById(id);
  t.ok(await row(gateRecent.id) && file(gateRecent.snapshot_path), 'recent gate event untouched');
  t.match(await row(gateOldImage.id), { snapshot_path: null, thumbnail_path: null }, 'gate: image past 30 days cleared, event kept');
  t.notOk(file(gateOldImage.snapshot_path) || file(gateOldImage.thumbnail_path), 'its files deleted');
  t.equal(await row(gateExpired.id), undefined, 'gate: event past 90 days deleted');
  t.notOk(file(gateExpired.snapshot_path) || file(update.path), 'with every image of it');
  t.ok(await row(gateHeld.id) && file(gateHeld.snapshot_path), 'legal hold: event and image kept past every age');
  t.ok(file(gateHeldImage.snapshot_path), 'legal hold keeps the image too');
  t.ok(file(yardRecent.snapshot_path), 'yard: 3 days old kept');
  t.match(await row(yardOldImage.id), { snapshot_path: null }, 'yard: its 7-day override clears a 10-day-old image');
  t.equal(await row(yardExpired.id), undefined, 'yard: its 30-day override deletes a 40-day-old event');
  t.equal(readdirSync(path.dirname(path.join(api.snapshots.root, gateHeld.snapshot_path as string))).filter((n) => n.startsWith(gateExpired.id)).length, 0);

  t.same(await job.runOnce(), { imagesCleared: 0, eventsDeleted: 0, filesRemoved: 0 }, 'a second sweep finds nothing');
});

t.test('start() runs the sweep on its timer; close() stops it', async (t) => {
  const api = await startApiApp();
  t.teardown(() => api.close());
  const old = await api.addEvent({ camera_id: 'gone-camera', started_at: Date.now() - 400 * DAY }, jpeg);
  let finished!: () => void;
  const swept = new Promise<void>((resolve) => { finished = resolve; });
  const job = new RetentionJob({
    events: api.events, cameras: new CamerasRepository(api.db.db), snapshots: api.snapshots, defaults: api.config.retention,
    intervalMs: DAY, firstRunMs: 1, logger: createLogger({ level: 'silent' }),
  });
  const runOnce = job.runOnce.bind(job);
  job.runOnce = async () => { const r = await runOnce(); finished(); return r; };
  // The job's timer is unref'd (it must not keep a stopping service alive): hold the loop open meanwhile.
  const keepAlive = setInterval(() => undefined, 1000);
  job.start();
  await swept;
  clearInterval(keepAlive);
  await job.close();
  t.equal(await api.events.findById(old.id), undefined, 'events of a camera no longer registered follow the defaults');
});
