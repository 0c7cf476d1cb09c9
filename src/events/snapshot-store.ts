// Snapshots under DATA_DIR/snapshots/<camera>/<day>/ (the day in the village's time zone): an event's
// images appended to the camera's segment file of the hour (snapshot-segments.ts; what the producer does),
// or files of their own, <event>[-n][.thumb].jpg (jobs carrying base64, images kept on legal hold past
// their segment, and every image stored before segments). Either way the bytes are written before the job
// that names them is queued (or, for base64, before its row is committed), so a crash can leave at most
// unreferenced bytes, never a row pointing at half a JPEG.

import { createHash } from 'node:crypto';
import { createReadStream, writeFile as writeFileCb, type ReadStream } from 'node:fs';
import { mkdir, open as openFile, readdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { CameraSet } from '../db/events.repository.js';
import type { StoredImage } from './event-types.js';
import { formatLocator, parseLocator, segmentEnd, segmentName, SegmentWriter, type Locator } from './snapshot-segments.js';

export type { StoredImage };

/**
 * Bytes of recently saved images kept in memory: the relay publishes each new snapshot moments after it
 * was written, and a burst of a few thousand events (about 20 KB each) must still find them here.
 */
const RECENT_BYTES = 64 * 1024 * 1024;

export interface EventImages {
  snapshot: Buffer | null;
  thumbnail: Buffer | null;
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

export class SnapshotStore {
  readonly root: string;
  /** Day folders follow the village's calendar, not UTC. */
  readonly #day: Intl.DateTimeFormat;
  /** Day folders already made: one mkdir per camera and day, not one per image. */
  readonly #dirs = new Set<string>();
  /** The last few saved images by path (or locator), oldest first, so publishing one does not read it back. */
  readonly #recent = new Map<string, Buffer>();
  #recentBytes = 0;
  readonly #segments = new SegmentWriter();

  constructor(dataDir: string, timezone = 'UTC') {
    this.root = path.join(dataDir, 'snapshots');
    this.#day = new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' });
  }

  /** Starts closing segment files that saw no image for a while. */
  start(): void {
    this.#segments.start();
  }

  async close(): Promise<void> {
    await this.#segments.close();
  }

  /** The folder (relative to the root) of a camera's images taken at `takenAt`, made if need be. */
  async #folder(cameraId: string, takenAt: number, again = false): Promise<string> {
    const rel = path.join(cameraId, this.#day.format(takenAt));
    const abs = path.join(this.root, rel);
    if (again) this.#dirs.delete(abs);
    if (!this.#dirs.has(abs)) {
      await mkdir(abs, { recursive: true });
      this.#dirs.add(abs);
    }
    return rel;
  }

  /**
   * Stores an event's images in one write, appended to the camera's segment of the hour; each comes back
   * as a locator (its path) and its SHA-256. The producer's path (event-ingest.ts).
   */
  async saveImages(cameraId: string, takenAt: number, images: EventImages): Promise<{ snapshot: StoredImage | null; thumbnail: StoredImage | null }> {
    const parts = [images.snapshot, images.thumbnail];
    const present = parts.filter((b): b is Buffer => b !== null);
    if (present.length === 0) return { snapshot: null, thumbnail: null };
    const append = async (again: boolean) => {
      const segment = path.join(await this.#folder(cameraId, takenAt, again), segmentName(takenAt, this.#segments.token));
      return { segment, offset: await this.#segments.append(path.join(this.root, segment), present) };
    };
    // The folder was removed since we made it (a clean-up, an operator): make it again, once.
    const { segment, offset } = await append(false).catch((err: unknown) => { if (isMissing(err)) return append(true); throw err; });
    let at = offset;
    const [snapshot, thumbnail] = parts.map((jpeg) => {
      if (jpeg === null) return null;
      const rel = formatLocator({ segment, offset: at, length: jpeg.length });
      at += jpeg.length;
      this.#remember(rel, jpeg);
      return { path: rel, sha256: sha256(jpeg) };
    });
    return { snapshot: snapshot ?? null, thumbnail: thumbnail ?? null };
  }

  /** A file of its own; `name` distinguishes an event's images (e.g. `<id>`, `<id>-2.thumb`); writing the same one twice is harmless. */
  async save(cameraId: string, name: string, takenAt: number, jpeg: Buffer): Promise<StoredImage> {
    const write = async (again: boolean) => {
      const rel = path.join(await this.#folder(cameraId, takenAt, again), `${name}.jpg`);
      // fs.writeFile with a callback: creating a file costs ~300 µs of kernel time on our boxes, which runs
      // on the thread pool beside the event loop; the promise form adds FileHandle objects (measured ~2× the
      // CPU per image) and writeFileSync puts the kernel time on the event loop (bench:pipeline: both slower).
      await new Promise<void>((resolve, reject) => writeFileCb(path.join(this.root, rel), jpeg, (err) => (err ? reject(err) : resolve())));
      return rel;
    };
    const rel = await write(false).catch((err: unknown) => { if (isMissing(err)) return write(true); throw err; });
    this.#remember(rel, jpeg);
    return { path: rel, sha256: sha256(jpeg) };
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
   * Reads a stored image whole; null when it is gone (or the path escapes the root). An image this store
   * wrote moments ago is served from memory: the same bytes, without a read back from disk.
   */
  async read(rel: string): Promise<Buffer | null> {
    const recent = this.#recent.get(rel);
    if (recent !== undefined) return recent;
    const loc = parseLocator(rel);
    const abs = this.#resolve(loc?.segment ?? rel);
    if (abs === null) return null;
    return (loc === null ? readFile(abs) : readRange(abs, loc)).catch(() => null);
  }

  #resolve(rel: string): string | null {
    const abs = path.resolve(this.root, rel);
    return abs.startsWith(this.root + path.sep) ? abs : null;
  }

  /** Opens a stored image for streaming; null when it is gone. Refuses paths that escape the root. */
  async open(rel: string): Promise<{ stream: ReadStream; size: number } | null> {
    const loc = parseLocator(rel);
    const abs = this.#resolve(loc?.segment ?? rel);
    if (abs === null) return null;
    try {
      const s = await stat(abs);
      if (loc === null) return { stream: createReadStream(abs), size: s.size };
      if (loc.length === 0 || s.size < loc.offset + loc.length) return null;
      return { stream: createReadStream(abs, { start: loc.offset, end: loc.offset + loc.length - 1 }), size: loc.length };
    } catch {
      return null;
    }
  }

  /**
   * Deletes an event's files of its own (retention): the files named, and the event's earlier update images
   * beside them (`<id>-<n>[.thumb].jpg`). Images in segments go with their segment (removeSegments).
   * Returns how many files went; a file already gone is not an error.
   */
  async removeEventImages(eventId: string, paths: ReadonlyArray<string | null>): Promise<number> {
    const ours = new RegExp(`^${eventId.replace(/[^A-Za-z0-9-]/g, '')}(-\\d+)?(\\.thumb)?\\.jpg$`);
    const dirs = new Set(paths.filter((p): p is string => p !== null && parseLocator(p) === null).map((p) => path.dirname(p)));
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

  /** Segments (relative paths) of these cameras whose every image was taken before `before`. */
  async segmentsBefore(cameras: CameraSet, before: number): Promise<string[]> {
    const list = (rel: string) => readdir(path.join(this.root, rel), { withFileTypes: true }).catch(() => []);
    const inSet = (id: string) => ('in' in cameras ? cameras.in.includes(id) : !cameras.notIn.includes(id));
    const out: string[] = [];
    for (const cam of (await list('.')).filter((d) => d.isDirectory() && inSet(d.name))) {
      for (const day of (await list(cam.name)).filter((d) => d.isDirectory())) {
        for (const f of await list(path.join(cam.name, day.name))) {
          const end = segmentEnd(f.name);
          if (end !== null && end <= before) out.push(path.join(cam.name, day.name, f.name));
        }
      }
    }
    return out;
  }

  /** Copies an image out of its segment into a file of its own beside it (`<name>.jpg`); null when it is gone. */
  async keepApart(rel: string, name: string): Promise<string | null> {
    const loc = parseLocator(rel);
    const jpeg = loc === null ? null : await this.read(rel);
    if (loc === null || jpeg === null) return null;
    const file = path.join(path.dirname(loc.segment), `${name}.jpg`);
    const abs = this.#resolve(file);
    if (abs === null) return null;
    await writeFile(abs, jpeg);
    return file;
  }

  /** Deletes whole segments (retention); returns how many went. */
  async removeSegments(rels: readonly string[]): Promise<number> {
    const gone = new Set(rels);
    for (const key of [...this.#recent.keys()]) {
      const loc = parseLocator(key);
      if (loc !== null && gone.has(loc.segment)) this.#forget(key);
    }
    let removed = 0;
    for (const rel of gone) {
      const abs = this.#resolve(rel);
      if (abs === null) continue;
      this.#segments.forget(abs);
      await unlink(abs).then(() => removed++, () => undefined);
    }
    return removed;
  }
}

/** An image's bytes out of its segment; rejects when the segment is gone or too short. */
async function readRange(abs: string, loc: Locator): Promise<Buffer> {
  const fh = await openFile(abs, 'r');
  try {
    const buf = Buffer.allocUnsafe(loc.length);
    const { bytesRead } = await fh.read(buf, 0, loc.length, loc.offset);
    if (bytesRead !== loc.length) throw new Error(`segment ${abs} ends before ${loc.offset + loc.length}`);
    return buf;
  } finally {
    await fh.close();
  }
}
