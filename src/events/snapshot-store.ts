// Snapshot files under DATA_DIR/snapshots/<camera>/<day>/<event>[-n][.thumb].jpg (the day in the
// village's time zone). A file is written before the job that names it is queued (or, for a job carrying
// base64, before its row is committed), so a crash can leave at most an orphan file, never a row pointing
// at half a JPEG.

import { createHash } from 'node:crypto';
import { createReadStream, writeFile as writeFileCb, type ReadStream } from 'node:fs';
import { mkdir, readdir, readFile, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { StoredImage } from './event-types.js';

export type { StoredImage };

/**
 * Bytes of recently saved images kept in memory: the relay publishes each new snapshot moments after it
 * was written, and a burst of a few thousand events (about 20 KB each) must still find them here.
 */
const RECENT_BYTES = 64 * 1024 * 1024;

export class SnapshotStore {
  readonly root: string;
  /** Day folders follow the village's calendar, not UTC. */
  readonly #day: Intl.DateTimeFormat;
  /** Day folders already made: one mkdir per camera and day, not one per image. */
  readonly #dirs = new Set<string>();
  /** The last few saved images by path, oldest first, so publishing one does not read the file back. */
  readonly #recent = new Map<string, Buffer>();
  #recentBytes = 0;

  constructor(dataDir: string, timezone = 'UTC') {
    this.root = path.join(dataDir, 'snapshots');
    this.#day = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  /** `name` distinguishes an event's images (e.g. `<id>`, `<id>-2.thumb`); writing the same one twice is harmless. */
  async save(cameraId: string, name: string, takenAt: number, jpeg: Buffer): Promise<StoredImage> {
    const day = this.#day.format(takenAt);
    const rel = path.join(cameraId, day, `${name}.jpg`);
    const abs = path.join(this.root, rel);
    const dir = path.dirname(abs);
    if (!this.#dirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.#dirs.add(dir);
    }
    // fs.writeFile with a callback: creating a file costs ~300 µs of kernel time on our boxes, which runs
    // on the thread pool beside the event loop; the promise form adds FileHandle objects (measured ~2× the
    // CPU per image) and writeFileSync puts the kernel time on the event loop (bench:pipeline: both slower).
    const write = () => new Promise<void>((resolve, reject) => writeFileCb(abs, jpeg, (err) => (err ? reject(err) : resolve())));
    try {
      await write();
    } catch (err) {
      // The folder was removed since we made it (a clean-up, an operator): make it again, once.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dir, { recursive: true });
      await write();
    }
    this.#remember(rel, jpeg);
    return { path: rel, sha256: createHash('sha256').update(jpeg).digest('hex') };
  }

  #remember(rel: string, jpeg: Buffer): void {
    this.#forget(rel);
    this.#recent.set(rel, jpeg);
    this.#recentBytes += jpeg.length;
    while (this.#recentBytes > RECENT_BYTES) this.#forget(this.#recent.keys().next().value as string);
  }

  #forget(rel: string): void {
    this.#recentBytes -= this.#recent.get(rel)?.length ?? 0;
    this.#recent.delete(rel);
  }

  /**
   * Reads a stored image whole; null when the file is gone (or the path escapes the root). A file this
   * store wrote moments ago is served from memory: the same bytes, without a read back from disk.
   */
  async read(rel: string): Promise<Buffer | null> {
    const recent = this.#recent.get(rel);
    if (recent !== undefined) return recent;
    const abs = this.#resolve(rel);
    return abs === null ? null : readFile(abs).catch(() => null);
  }

  #resolve(rel: string): string | null {
    const abs = path.resolve(this.root, rel);
    return abs.startsWith(this.root + path.sep) ? abs : null;
  }

  /** Opens a stored snapshot; null when the file is gone. Refuses paths that escape the root. */
  async open(rel: string): Promise<{ stream: ReadStream; size: number } | null> {
    const abs = this.#resolve(rel);
    if (abs === null) return null;
    try {
      const s = await stat(abs);
      return { stream: createReadStream(abs), size: s.size };
    } catch {
      return null;
    }
  }

  /**
   * Deletes an event's images (retention): the files named, and the event's earlier update images beside
   * them (`<id>-<n>[.thumb].jpg`). Returns how many files went; a file already gone is not an error.
   */
  async removeEventImages(eventId: string, paths: ReadonlyArray<string | null>): Promise<number> {
    const ours = new RegExp(`^${eventId.replace(/[^A-Za-z0-9-]/g, '')}(-\\d+)?(\\.thumb)?\\.jpg$`);
    const dirs = new Set(paths.filter((p): p is string => p !== null).map((p) => path.dirname(p)));
    let removed = 0;
    for (const dir of dirs) {
      const abs = this.#resolve(path.join(dir, 'x'));
      if (abs === null) continue;
      const names = await readdir(path.dirname(abs)).catch(() => [] as string[]);
      for (const name of names.filter((n) => ours.test(n))) {
        this.#forget(path.join(dir, name));
        await unlink(path.join(path.dirname(abs), name)).then(() => removed++, () => undefined);
      }
    }
    return removed;
  }
}
