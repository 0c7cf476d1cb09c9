// Segment files: an event's JPEGs appended to one file per camera, hour and writer
// (`<camera>/<day>/h<epoch hour>-<writer>.seg`), each image then named by a locator
// `<segment>#<offset>+<length>` that travels where a file path did (job, row, outbox). Creating two files
// per event cost more CPU than all of BullMQ's work for it (bench:pipeline, --cpu-prof: open/close on the
// thread pool and their callbacks); one positional write into an open file costs a fraction. The writer
// token keeps two processes (or two stores) from ever appending to the same file, so each one's own byte
// count is the file's end. Retention deletes a segment whole once its hour is past the images' age.

import { randomBytes } from 'node:crypto';
import { close, constants, fstat, open, writev } from 'node:fs';

export interface Locator {
  segment: string;
  offset: number;
  length: number;
}

const HOUR_MS = 3_600_000;
const LOCATOR = /^(.+\.seg)#(\d+)\+(\d+)$/;
const SEGMENT_NAME = /^h(\d+)-[0-9a-f]+\.seg$/;
/** A segment's file is closed after this long without an append (a quiet camera holds no descriptor). */
const IDLE_MS = 60_000;

/** The locator of an image in a segment; null for a path that names a file of its own (older rows). */
export function parseLocator(rel: string): Locator | null {
  const m = LOCATOR.exec(rel);
  return m ? { segment: m[1] as string, offset: Number(m[2]), length: Number(m[3]) } : null;
}

export const formatLocator = (l: Locator): string => `${l.segment}#${l.offset}+${l.length}`;

/** The file name of the segment holding images taken at `at` by `writer`. */
export const segmentName = (at: number, writer: string): string => `h${Math.floor(at / HOUR_MS)}-${writer}.seg`;

/** When the last image a segment can hold was taken (epoch ms, exclusive); null if `name` is no segment. */
export function segmentEnd(name: string): number | null {
  const m = SEGMENT_NAME.exec(name);
  return m ? (Number(m[1]) + 1) * HOUR_MS : null;
}

interface Segment {
  /** The open file and its size when opened: a reopened segment continues after what it holds. */
  opened: Promise<number>;
  fd: number | null;
  /** Bytes reserved so far: the next image's offset. */
  size: number;
  usedAt: number;
  /** Appends still writing: the file is not closed under them. */
  writing: number;
}

/** pwritev of all of `bufs` at `position`; a short write (a full disk) continues with what is left. */
function writeAll(fd: number, bufs: Buffer[], position: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const step = (parts: Buffer[], at: number) => writev(fd, parts, at, (err, n) => {
      if (err) return reject(err);
      const total = parts.reduce((sum, b) => sum + b.length, 0);
      if (n >= total) return resolve();
      const rest = Buffer.concat(parts).subarray(n);
      step([rest], at + n);
    });
    step(bufs, position);
  });
}

/** No O_APPEND (Linux would ignore the positions) and no O_TRUNC (a reopened segment keeps its images). */
const openFile = (abs: string) => new Promise<number>((resolve, reject) =>
  open(abs, constants.O_WRONLY | constants.O_CREAT, 0o644, (err, fd) => (err ? reject(err) : resolve(fd))));

const sizeOf = (fd: number) => new Promise<number>((resolve, reject) => fstat(fd, (err, s) => (err ? reject(err) : resolve(s.size))));

const closeFile = (fd: number) => new Promise<void>((resolve) => close(fd, () => resolve()));

/** Appends to segment files this process alone writes. start()/close() like every stateful part. */
export class SegmentWriter {
  /** Unique per writer: no other writer ever appends to our files. */
  readonly token = randomBytes(4).toString('hex');
  readonly #segments = new Map<string, Segment>();
  #timer: NodeJS.Timeout | null = null;

  start(): void {
    this.#timer ??= setInterval(() => this.#closeIdle(Date.now()), IDLE_MS).unref();
  }

  /**
   * Writes `bufs`, one after the other, at the end of the segment `abs` (its folder exists) in one
   * pwritev, and resolves with the offset of the first once written. Offsets are reserved in order, so
   * appends to one segment run side by side.
   */
  async append(abs: string, bufs: Buffer[]): Promise<number> {
    const seg = this.#segments.get(abs) ?? this.#open(abs);
    seg.writing++;
    try {
      const fd = await seg.opened;
      const offset = seg.size;
      for (const b of bufs) seg.size += b.length;
      seg.usedAt = Date.now();
      await writeAll(fd, bufs, offset);
      return offset;
    } finally {
      seg.writing--;
    }
  }

  #open(abs: string): Segment {
    const seg: Segment = { opened: Promise.resolve(0), fd: null, size: 0, usedAt: Date.now(), writing: 0 };
    seg.opened = openFile(abs).then(async (fd) => {
      seg.fd = fd;
      seg.size = await sizeOf(fd);
      return fd;
    });
    // A failed open is not remembered: the next append tries again.
    seg.opened.catch(() => { if (this.#segments.get(abs) === seg) this.#segments.delete(abs); });
    this.#segments.set(abs, seg);
    return seg;
  }

  /** Closes segments left alone for a while; one appended to again is reopened where it ends. */
  #closeIdle(now: number): void {
    for (const [abs, seg] of this.#segments) {
      if (seg.writing > 0 || seg.fd === null || now - seg.usedAt < IDLE_MS) continue;
      this.#segments.delete(abs);
      close(seg.fd, () => undefined);
    }
  }

  /** Forgets a segment retention deleted (nothing writes to it: its hour is long past). */
  forget(abs: string): void {
    const seg = this.#segments.get(abs);
    if (seg === undefined || seg.writing > 0) return;
    this.#segments.delete(abs);
    if (seg.fd !== null) close(seg.fd, () => undefined);
  }

  async close(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    const segments = [...this.#segments.values()];
    this.#segments.clear();
    await Promise.all(segments.map((s) => s.opened.then(closeFile, () => undefined)));
  }
}
