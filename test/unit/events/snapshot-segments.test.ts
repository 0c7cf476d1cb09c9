// Segment files on a real temporary directory: locators, appends side by side, a reopened segment
// continuing where it ends, and reads of an image from another store instance (from disk).

import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { formatLocator, parseLocator, segmentEnd, segmentName, SegmentWriter } from '../../../src/events/snapshot-segments.js';
import { SnapshotStore } from '../../../src/events/snapshot-store.js';

const HOUR = 3_600_000;
const bytes = (n: number, len: number) => Buffer.alloc(len, n);

t.test('locators and segment names', async (t) => {
  const l = { segment: 'cam_1/2026-11-30/h493000-ab12cd34.seg', offset: 20480, length: 15360 };
  t.same(parseLocator(formatLocator(l)), l);
  t.equal(parseLocator('cam_1/2026-11-30/0193a1b2.jpg'), null, 'a file path of an older row is no locator');
  t.equal(parseLocator('x.seg#1'), null);
  t.equal(segmentName(5 * HOUR + 1, 'ab12'), 'h5-ab12.seg');
  t.equal(segmentEnd('h5-ab12.seg'), 6 * HOUR, 'every image in it was taken before the next hour');
  t.equal(segmentEnd('0193a1b2.jpg'), null);
});

t.test('appends run side by side at distinct offsets; a reopened segment continues at its end', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-seg-'));
  const w = new SegmentWriter();
  t.teardown(async () => { await w.close(); rmSync(dir, { recursive: true, force: true }); });
  const abs = path.join(dir, 'h1-x.seg');
  const offsets = await Promise.all([1, 2, 3].map((n) => w.append(abs, [bytes(n, 100), bytes(n + 10, 50)])));
  t.same(offsets, [0, 150, 300]);
  const file = readFileSync(abs);
  for (const [i, n] of [1, 2, 3].entries()) {
    t.same(file.subarray(i * 150, i * 150 + 100), bytes(n, 100));
    t.same(file.subarray(i * 150 + 100, i * 150 + 150), bytes(n + 10, 50));
  }
  w.forget(abs);
  t.equal(await w.append(abs, [bytes(9, 10)]), 450, 'reopened (no truncation), it continues after what it holds');
  t.equal(statSync(abs).size, 460);
});

t.test('an event\'s images in one segment: read back from memory, and by another instance from disk', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-ss-seg-'));
  const writer = new SnapshotStore(dir);
  t.teardown(async () => { await writer.close(); rmSync(dir, { recursive: true, force: true }); });
  const at = Date.parse('2026-11-30T10:15:00Z');
  const s = await writer.saveImages('cam1', at, { snapshot: bytes(1, 300), thumbnail: bytes(2, 40) });
  t.match(s.snapshot?.path, /^cam1\/2026-11-30\/h\d+-[0-9a-f]{8}\.seg#0\+300$/);
  t.match(s.thumbnail?.path, /#300\+40$/);
  t.same(await writer.read(s.snapshot!.path), bytes(1, 300));
  const reader = new SnapshotStore(dir);
  t.same(await reader.read(s.thumbnail!.path), bytes(2, 40), 'another instance reads the range from disk');
  const opened = await reader.open(s.snapshot!.path);
  t.equal(opened?.size, 300);
  const chunks: Buffer[] = [];
  for await (const c of opened!.stream) chunks.push(c as Buffer);
  t.same(Buffer.concat(chunks), bytes(1, 300), 'streamed: exactly its range');
  t.equal(await reader.open(`${s.snapshot!.path.split('#')[0]}#1000+5`), null, 'a range past the end is gone, not garbage');
  t.same(await writer.saveImages('cam1', at, { snapshot: null, thumbnail: null }), { snapshot: null, thumbnail: null });
  t.equal(await reader.read('../../etc/passwd.seg#0+10'), null, 'a locator outside the root is refused');
});
