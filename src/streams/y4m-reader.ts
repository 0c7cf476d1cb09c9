// Pure reader of a YUV4MPEG2 (y4m) byte stream of 4:2:0 frames: ffmpeg writes the picture size in
// the stream header, so full-resolution frames of a camera of any size can be cut apart.

const MAX_HEADER = 512;

export interface Y4mFrame {
  width: number;
  height: number;
  /** yuv420p planes, width×height×1.5 bytes. */
  data: Buffer;
}

/** A frame as cut from the stream: views of the chunks it arrived in, not yet joined. */
export interface Y4mPieces {
  width: number;
  height: number;
  parts: Buffer[];
}

/** The frame's bytes in one buffer of its own (a copy). */
export function joinPieces(p: Y4mPieces): Y4mFrame {
  return { width: p.width, height: p.height, data: Buffer.concat(p.parts) };
}

export interface Y4mSplitterOptions {
  /**
   * 0 (default): frames are views of the chunks, which the caller must not reuse (a socket that
   * allocates per read). N > 0: each frame is copied into one of N buffers used in turn, for a caller
   * that reads into one buffer over and over (`onread`); a frame stays intact for N − 1 frames after it.
   */
  pool?: number;
}

/**
 * Cuts frames without allocating per frame. A patrolling camera sends every keyframe at snapshot size
 * (345 KB at 640×360) and only the rare one that raises an alert is ever read: a fresh buffer per
 * frame (or per socket read) was most of what Node did per camera — page faults on new memory and
 * garbage collection, not the copying (bench:ingest, perf).
 */
export class Y4mSplitter {
  readonly #pool: Buffer[] = [];
  readonly #poolSize: number;
  #nextInPool = 0;
  /** Pooled: the frame's buffer and how much of it is filled. */
  #target: Buffer | null = null;
  #filled = 0;
  /** The header or FRAME line read so far. */
  #line: number[] = [];
  #width = 0;
  #height = 0;
  /** The frame being gathered, and how many of its bytes are still to come. */
  #parts: Buffer[] | null = null;
  #missing = 0;

  constructor(o: Y4mSplitterOptions = {}) {
    this.#poolSize = o.pool ?? 0;
  }

  /** The frames this chunk completes. Throws on a stream that is not 4:2:0 y4m. */
  push(chunk: Buffer): Y4mPieces[] {
    const out: Y4mPieces[] = [];
    let i = 0;
    while (i < chunk.length) {
      if (this.#parts) {
        const n = Math.min(this.#missing, chunk.length - i);
        if (this.#target) this.#filled += chunk.copy(this.#target, this.#filled, i, i + n);
        else this.#parts.push(chunk.subarray(i, i + n));
        this.#missing -= n;
        i += n;
        if (this.#missing === 0) {
          out.push({ width: this.#width, height: this.#height, parts: this.#target ? [this.#target] : this.#parts });
          this.#parts = null;
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
    this.#parts = [];
    this.#missing = this.#width * this.#height * 1.5;
    if (this.#poolSize > 0) this.#target = this.#pooled(this.#missing);
  }

  #pooled(size: number): Buffer {
    const k = this.#nextInPool;
    this.#nextInPool = (k + 1) % this.#poolSize;
    let b = this.#pool[k];
    // Slow: a buffer of its own, not a slice of Node's shared pool (it lives as long as the camera).
    if (b?.length !== size) this.#pool[k] = b = Buffer.allocUnsafeSlow(size);
    this.#filled = 0;
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

/** The y4m bytes of one frame (header + FRAME), to hand a kept frame to an encoder. */
export function y4mBytes(f: Y4mFrame): Buffer {
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${f.width} H${f.height} F1:1 Ip A1:1 C420jpeg\nFRAME\n`, 'latin1'), f.data]);
}
