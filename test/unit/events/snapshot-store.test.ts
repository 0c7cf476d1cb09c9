// The snapshot store on a real temporary directory: what read() returns after a save, from memory or disk.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { SnapshotStore } from '../../../src/events/snapshot-store.js';

const jpeg = (n: number) => Buffer.from([0xff, 0xd8, n, 0xff, 0xd9]);

t.test('an image saved moments ago is read back without touching the disk; others come from the file', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-ss-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const writer = new SnapshotStore(dir);
  const saved = await writer.save('cam1', 'e1', 1_000_000, jpeg(1));
  t.same(readFileSync(path.join(writer.root, saved.path)), jpeg(1), 'written to disk before anything else');
  rmSync(path.join(writer.root, saved.path));
  t.same(await writer.read(saved.path), jpeg(1), 'the writer serves it from memory');
  t.equal(await new SnapshotStore(dir).read(saved.path), null, 'another store instance reads the (deleted) file');
  const again = await writer.save('cam1', 'e1', 1_000_000, jpeg(2));
  t.same(await writer.read(again.path), jpeg(2), 'a rewrite replaces the remembered bytes');
  t.same(await new SnapshotStore(dir).read(again.path), jpeg(2));
});
