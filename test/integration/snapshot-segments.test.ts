// Images in segment files (snapshot-segments.ts), on SQLite and PostgreSQL: served by the HTTP routes and
// exported with SHA256SUMS like files of their own, rows from before segments still served, and retention
// deleting a segment whole once its hour is past the images' age, after copying out an image on legal hold.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { uuidv7 } from 'uuidv7';
import { CamerasRepository } from '../../src/db/cameras.repository.js';
import type { EventRow } from '../../src/db/events.repository.js';
import { RetentionJob } from '../../src/events/retention-job.js';
import { parseLocator } from '../../src/events/snapshot-segments.js';
import { createLogger } from '../../src/logger.js';
import { startApiApp, type ApiApp } from '../helpers/api-app.js';
import { postgresBinDir } from '../helpers/postgres.js';

const run = promisify(execFile);
const DAY = 86_400_000;
const NOW = Date.now();
const HOUR = 3_600_000;
/** Ten minutes into the hour `ago` ms back: a few events then share one segment. */
const inHour = (ago: number) => Math.floor((NOW - ago) / HOUR) * HOUR + 600_000;
const jpeg = (n: number, size = 40) => Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(size, n), Buffer.from([0xff, 0xd9])]);
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** An event whose images went the producer's way: one append to the camera's segment of the hour. */
async function segmentEvent(api: ApiApp, camera: string, startedAt: number, n: number): Promise<EventRow & { jpeg: Buffer; thumb: Buffer }> {
  const images = { snapshot: jpeg(n, 3000 + n), thumbnail: jpeg(n + 100, 500) };
  const stored = await api.snapshots.saveImages(camera, startedAt, images);
  const row = await api.addEvent({
    camera_id: camera, started_at: startedAt, snapshot_path: stored.snapshot?.path ?? null,
    snapshot_sha256: stored.snapshot?.sha256 ?? null, thumbnail_path: stored.thumbnail?.path ?? null,
  });
  return { ...row, jpeg: images.snapshot, thumb: images.thumbnail };
}

for (const engine of ['sqlite', 'postgres'] as const) {
  t.test(`segments on ${engine}`, { skip: engine === 'postgres' && postgresBinDir() === null ? 'PostgreSQL is not installed' : false }, async (t) => {
    const api = await startApiApp({ retention: { snapshotDays: 30, eventDays: 90 } }, engine);
    t.teardown(() => api.close());
    await api.registry.add({ id: 'gate', name: 'Gate', rtspUrl: 'rtsp://127.0.0.1:9/x' });
    const recentAt = inHour(2 * HOUR);
    const recent = [await segmentEvent(api, 'gate', recentAt, 1), await segmentEvent(api, 'gate', recentAt + 1000, 2)];
    const oldAt = inHour(40 * DAY);
    const old = [await segmentEvent(api, 'gate', oldAt, 3), await segmentEvent(api, 'gate', oldAt + 1000, 4)];
    const held = await segmentEvent(api, 'gate', oldAt + 2000, 5);
    // A row from before segments: a file of its own.
    const legacy = await api.addEvent({ camera_id: 'gate', started_at: NOW - 30_000 }, jpeg(6));

    t.test('both images of an event in one segment, one after the other', async (t) => {
      const [s, th] = [parseLocator(recent[0]!.snapshot_path!), parseLocator(recent[0]!.thumbnail_path!)];
      t.equal(s?.segment, th?.segment);
      t.equal(th!.offset, s!.offset + s!.length);
      t.equal(parseLocator(recent[1]!.snapshot_path!)?.offset, th!.offset + th!.length, 'the next event follows');
      t.equal(parseLocator(legacy.snapshot_path!), null);
    });

    t.test('served over HTTP, streamed from the segment on disk', async (t) => {
      for (const e of [...recent, held]) {
        const snap = await api.as('admin', { method: 'GET', url: `/api/events/${e.id}/snapshot.jpg` });
        t.equal(snap.statusCode, 200);
        t.same(snap.rawPayload, e.jpeg);
        t.equal(snap.headers['content-length'], String(e.jpeg.length));
        const thumb = await api.as('admin', { method: 'GET', url: `/api/events/${e.id}/thumbnail.jpg` });
        t.same(thumb.rawPayload, e.thumb);
      }
      const file = await api.as('admin', { method: 'GET', url: `/api/events/${legacy.id}/snapshot.jpg` });
      t.same(file.rawPayload, jpeg(6), 'an older row naming a file is still served');
    });

    t.test('zip export: the same files and SHA256SUMS as from files', async (t) => {
      const res = await api.as('admin', { method: 'GET', url: '/api/events/export?format=zip&cameraId=gate&reason=test' });
      t.equal(res.statusCode, 200);
      const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-seg-export-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      writeFileSync(path.join(dir, 'export.zip'), res.rawPayload);
      await run('unzip', ['-q', 'export.zip', '-d', 'x'], { cwd: dir });
      const checked = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: path.join(dir, 'x') });
      for (const e of [...recent, ...old, held, legacy]) t.match(checked.stdout, `snapshots/${e.id}.jpg: OK`);
      t.same(readdirSync(path.join(dir, 'x', 'snapshots')).length, 6);
      // The export put them all on hold: release all but one for the retention test.
      await api.db.db.updateTable('events').set({ legal_hold: 0 }).where('id', '!=', held.id).execute();
    });

    t.test('retention: an expired segment goes whole; the image on hold is copied out first', async (t) => {
      const oldSegment = path.join(api.snapshots.root, parseLocator(old[0]!.snapshot_path!)!.segment);
      const recentSegment = path.join(api.snapshots.root, parseLocator(recent[0]!.snapshot_path!)!.segment);
      t.ok(existsSync(oldSegment) && existsSync(recentSegment));
      const job = new RetentionJob({
        events: api.events, cameras: new CamerasRepository(api.db.db), snapshots: api.snapshots, defaults: api.config.retention,
        intervalMs: DAY, logger: createLogger({ level: 'silent' }), now: () => NOW,
      });
      t.same(await job.runOnce(), { imagesCleared: 2, eventsDeleted: 0, filesRemoved: 1 });
      t.notOk(existsSync(oldSegment), 'the expired segment is deleted');
      t.ok(existsSync(recentSegment), 'the current one stays');
      for (const e of old) t.match(await api.events.findById(e.id), { snapshot_path: null, thumbnail_path: null });
      const kept = await api.events.findById(held.id);
      t.equal(parseLocator(kept!.snapshot_path!), null, 'the held image is a file of its own now');
      t.equal(kept!.snapshot_sha256, sha(held.jpeg), 'with the hash taken at capture');
      const snap = await api.as('admin', { method: 'GET', url: `/api/events/${held.id}/snapshot.jpg` });
      t.same(snap.rawPayload, held.jpeg, 'and the same bytes served');
      const thumb = await api.as('admin', { method: 'GET', url: `/api/events/${held.id}/thumbnail.jpg` });
      t.same(thumb.rawPayload, held.thumb);
      t.same(await job.runOnce(), { imagesCleared: 0, eventsDeleted: 0, filesRemoved: 0 }, 'a second sweep finds nothing');
    });
  });
}
