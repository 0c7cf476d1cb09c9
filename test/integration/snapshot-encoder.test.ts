// The snapshot encoder: one running ffmpeg per picture size turns kept frames into their JPEGs, in
// order; a dead or wedged encoder is replaced, and its requests get no pictures instead of hanging.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { createLogger } from '../../src/logger.js';
import { SnapshotEncoder } from '../../src/streams/snapshot-encoder.js';
import type { Y4mFrame } from '../../src/streams/y4m-reader.js';
import { waitFor } from '../helpers/harness.js';

const SILENT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'silent-encoder.mjs');
const logger = createLogger({ level: 'silent' });

/** A uniform grey frame (limited-range luma, as ffmpeg sends): its JPEG is full range. */
function grey(width: number, height: number, luma: number): Y4mFrame {
  const data = Buffer.alloc(width * height * 1.5, 128);
  data.fill(luma, 0, width * height);
  return { width, height, data };
}

/** The full-range luma a JPEG of `grey(…, luma)` decodes to, within rounding. */
const full = (luma: number): number => Math.round(((luma - 16) * 255) / 219);
const near = (got: number | undefined, want: number): boolean => got !== undefined && Math.abs(got - want) <= 2;

/** Width, height and mean luma of a JPEG, decoded by ffmpeg. */
function look(jpeg: Buffer | null): { width: number; height: number; luma: number } | null {
  if (!jpeg) return null;
  const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', '-i', 'pipe:0'], { input: jpeg });
  const [width, height] = probe.stdout.toString().trim().split(',').map(Number);
  const raw = spawnSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'gray', 'pipe:1'], { input: jpeg }).stdout;
  let sum = 0;
  for (const v of raw) sum += v;
  return { width: width ?? 0, height: height ?? 0, luma: Math.round(sum / Math.max(1, raw.length)) };
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

t.test('frames asked for together come back each with its own pictures, one encoder per size', async (t) => {
  const enc = new SnapshotEncoder({ ffmpegPath: 'ffmpeg', snapshotWidth: 320, thumbnailWidth: 96, logger });
  t.teardown(() => enc.close());
  const lumas = [30, 200, 110];
  const out = await Promise.all(lumas.map((l) => enc.encode(grey(320, 180, l))));
  const snaps = out.map((o) => look(o.snapshot));
  const thumbs = out.map((o) => look(o.thumbnail));
  t.ok(lumas.every((l, i) => near(snaps[i]?.luma, full(l))), `each snapshot shows its own frame, in the order asked: ${snaps.map((s) => s?.luma)}`);
  t.same(snaps.map((s) => [s?.width, s?.height]), lumas.map(() => [320, 180]));
  t.ok(lumas.every((l, i) => near(thumbs[i]?.luma, full(l))), `thumbnails too: ${thumbs.map((s) => s?.luma)}`);
  t.same(thumbs.map((s) => [s?.width, s?.height]), lumas.map(() => [96, 54]));
  t.equal(enc.pids().length, 1, 'one ffmpeg answered all three');
  const first = enc.pids()[0]!;

  const wide = await enc.encode(grey(640, 360, 60));
  const w = look(wide.snapshot);
  t.same([w?.width, w?.height], [320, 180], 'a bigger frame is scaled to the snapshot width');
  t.ok(near(w?.luma, full(60)), `and shows its frame: ${w?.luma}`);
  t.equal(enc.pids().length, 2, 'another size, another encoder');
  t.ok(enc.pids().includes(first), 'the first one still runs');

  await enc.close();
  t.same(enc.pids(), [], 'close forgets them');
  t.notOk(alive(first), 'and their processes are gone');
  t.same(await enc.encode(grey(320, 180, 30)), { snapshot: null, thumbnail: null }, 'after close: no pictures, no new process');
});

t.test('an encoder that died is replaced at the next request', async (t) => {
  const enc = new SnapshotEncoder({ ffmpegPath: 'ffmpeg', snapshotWidth: 320, thumbnailWidth: 96, logger });
  t.teardown(() => enc.close());
  t.ok((await enc.encode(grey(320, 180, 50))).snapshot, 'encodes');
  const [pid] = enc.pids();
  process.kill(pid!, 'SIGKILL');
  await waitFor('the dead encoder to be forgotten', () => !enc.pids().includes(pid!));
  const again = await enc.encode(grey(320, 180, 150));
  t.ok(near(look(again.snapshot)?.luma, full(150)), 'a new encoder answers');
  t.not(enc.pids()[0], pid);
});

t.test('an encoder that never answers is stopped, and its requests get no pictures', async (t) => {
  const enc = new SnapshotEncoder({ ffmpegPath: SILENT, snapshotWidth: 320, thumbnailWidth: 96, logger, timeoutMs: 300 });
  t.teardown(() => enc.close());
  const asked = [enc.encode(grey(320, 180, 50)), enc.encode(grey(320, 180, 60))];
  const [pid] = enc.pids();
  t.ok(pid && alive(pid), 'the wedged encoder runs');
  t.same(await Promise.all(asked), [{ snapshot: null, thumbnail: null }, { snapshot: null, thumbnail: null }]);
  await waitFor('the wedged encoder to be killed', () => !alive(pid!));
  t.same(enc.pids(), [], 'and forgotten');
});

t.test('an idle encoder exits; the next request starts another', async (t) => {
  const enc = new SnapshotEncoder({ ffmpegPath: 'ffmpeg', snapshotWidth: 320, thumbnailWidth: 96, logger, idleMs: 100 });
  t.teardown(() => enc.close());
  t.ok((await enc.encode(grey(320, 180, 50))).snapshot);
  const [pid] = enc.pids();
  await waitFor('the idle encoder to exit', () => !alive(pid!));
  t.same(enc.pids(), []);
  t.ok(near(look((await enc.encode(grey(320, 180, 90))).snapshot)?.luma, full(90)));
});

t.test('a queue that is too long gives no pictures at once instead of ever later ones', async (t) => {
  const enc = new SnapshotEncoder({ ffmpegPath: SILENT, snapshotWidth: 320, thumbnailWidth: 96, logger, maxQueue: 2, timeoutMs: 5000 });
  t.teardown(() => enc.close());
  void enc.encode(grey(320, 180, 50));
  void enc.encode(grey(320, 180, 60));
  t.same(await enc.encode(grey(320, 180, 70)), { snapshot: null, thumbnail: null });
  await enc.close();
  t.same(enc.pids(), []);
});
