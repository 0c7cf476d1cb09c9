// Pure reader of a YUV4MPEG2 (y4m) byte stream of 4:2:0 frames: ffmpeg writes the picture size in
// the stream header, so full-resolution frames of a camera of any size can be cut apart.

const MAX_HEADER = 512;

export interface Y4mFrame {
  width: number;
  height: number;
  /** yuv420p planes, width×height×1.5 bytes; empty for a frame the splitter was told to skip. */
  data: Buffer;
}

const SKIPPED = Buffer.alloc(0);

/**
 * Cuts frames into `pool` buffers used in turn, allocating nothing per frame: the caller may read into
 * one buffer over and over (`onread`), and a frame handed out stays intact for `pool` − 1 frames after
 * it — copy it to keep it longer. A patrolling camera sends every keyframe at snapshot size (345 KB at
 * 640×360) and only the rare one that raises an alert is ever read: a fresh buffer per frame (or per
 * socket read) was most of what Node did per camera — page faults on new memory and garbage
 * collection, not the copying (bench:ingest, perf).
 */
export class Y4mSplitter {
  readonly #pool: Buffer[] = [];
  readonly #poolSize: number;
  #nextInPool = 0;
  /** The frame being filled, and how many of its bytes are still to come. */
  #target: Buffer | null = null;
  #missing = 0;
  /** The header or FRAME line read so far. */
  #line: number[] = [];
  #width = 0;
  #height = 0;

  /** Frames started so far (1-based number of the current one). */
  #index = 0;
  /** Bytes of a skipped frame still to pass over. */
  #skipping = 0;
  readonly #skip: (index: number) => boolean;

  /**
   * `skip(n)`, asked as frame n (1-based) begins: true to pass over its bytes without copying them
   * (the frame is still handed out, with empty data, so counts stay in step).
   */
  constructor(pool: number, skip: (index: number) => boolean = () => false) {
    if (!Number.isInteger(pool) || pool < 1) throw new RangeError('pool must be a positive integer');
    this.#poolSize = pool;
    this.#skip = skip;
  }

  /** The frames this chunk completes. Throws on a stream that is not 4:2:0 y4m. */
  push(chunk: Buffer): Y4mFrame[] {
    const out: Y4mFrame[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.#skipping > 0) {
        const n = Math.min(this.#skipping, chunk.length - i);
        this.#skipping -= n;
        i += n;
        if (this.#skipping === 0) out.push({ width: this.#width, height: this.#height, data: SKIPPED });
        continue;
      }
      if (this.#target) {
        const n = Math.min(this.#missing, chunk.length - i);
        chunk.copy(this.#target, this.#target.length - this.#missing, i, i + n);
        this.#missing -= n;
        i += n;
        if (this.#missing === 0) {
          out.push({ width: this.#width, height: this.#height, data: this.#target });
          this.#target = null;
        }
        continue;
      }
      const nl = chunk.indexOf(0x0a, i);
      const end = nl < 0 ? chunk.length : nl;
      for (let k = i; k < end; k++) this.#line.push(chunk[k] as number);
      if (this.#line.length > MAX_HEADER) throw new Error('y4m: header line too long');
      i = end;
      if (nl < 0) break;
      i = nl + 1;
      this.#onLine(String.fromCharCode(...this.#line));
      this.#line = [];
    }
    return out;
  }

  #onLine(line: string): void {
    if (line.startsWith('YUV4MPEG2 ')) return this.#header(line);
    if (!line.startsWith('FRAME')) throw new Error('y4m: expected FRAME');
    if (this.#width === 0) throw new Error('y4m: FRAME before the stream header');
    const size = this.#width * this.#height * 1.5;
    if (this.#skip(++this.#index)) {
      this.#skipping = size;
      return;
    }
    this.#missing = size;
    this.#target = this.#pooled(size);
  }

  #pooled(size: number): Buffer {
    const k = this.#nextInPool;
    this.#nextInPool = (k + 1) % this.#poolSize;
    let b = this.#pool[k];
    // Slow: a buffer of its own, not a slice of Node's shared pool (it lives as long as the camera).
    if (b?.length !== size) this.#pool[k] = b = Buffer.allocUnsafeSlow(size);
    return b;
  }

  #header(line: string): void {
    const tags = line.split(' ').slice(1);
    const w = Number(tags.find((t) => t.startsWith('W'))?.slice(1));
    const h = Number(tags.find((t) => t.startsWith('H'))?.slice(1));
    const c = tags.find((t) => t.startsWith('C'))?.slice(1) ?? '420jpeg';
    if (!Number.isInteger(w) || !Number.isInteger(h) || w <= 0 || h <= 0 || w % 2 || h % 2) throw new Error(`y4m: bad size in ${line}`);
    if (!c.startsWith('420')) throw new Error(`y4m: colour format ${c} is not 4:2:0`);
    this.#width = w;
    this.#height = h;
  }
}

/** The header of a y4m stream of 4:2:0 frames of this size, as the splitter reads it (the snapshot encoder's input). */
export function y4mHeader(width: number, height: number): string {
  return `YUV4MPEG2 W${width} H${height} F1:1 Ip A1:1 C420jpeg\n`;
}

/** What precedes each frame's bytes in a y4m stream. */
export const Y4M_FRAME = 'FRAME\n';
