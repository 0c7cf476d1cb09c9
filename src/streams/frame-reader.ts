// Byte-stream framing, pure: fixed-size raw frames from ffmpeg's stdout, and whole JPEGs from an
// MJPEG byte stream. Both keep at most one partial frame in memory.

/**
 * Cuts a byte stream into frames of exactly `frameSize` bytes, lent to a callback: a frame is valid
 * only while the callback runs (it may be a view of the chunk or the splitter's one assembly buffer).
 * A fresh buffer per frame cost more than everything else Node did per frame: a new 86 KB (detection)
 * or 345 KB (snapshot-size) allocation faults its pages in one by one, 0.1–0.3 ms a frame on this VM
 * against ~5 µs to copy into memory that is already mapped (bench:ingest).
 */
export class FixedFrameSplitter {
  readonly #size: number;
  /** Allocated once, on the first frame that straddles two chunks. */
  #assembly: Buffer | null = null;
  #filled = 0;

  constructor(frameSize: number) {
    if (!Number.isInteger(frameSize) || frameSize <= 0) throw new RangeError('frameSize must be a positive integer');
    this.#size = frameSize;
  }

  /** Calls `use` with each frame this chunk completes; copy a frame to keep it beyond the call. */
  push(chunk: Buffer, use: (frame: Buffer) => void): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#filled === 0 && chunk.length - offset >= this.#size) {
        use(chunk.subarray(offset, offset + this.#size));
        offset += this.#size;
        continue;
      }
      this.#assembly ??= Buffer.allocUnsafe(this.#size);
      const n = Math.min(this.#size - this.#filled, chunk.length - offset);
      chunk.copy(this.#assembly, this.#filled, offset, offset + n);
      this.#filled += n;
      offset += n;
      if (this.#filled === this.#size) {
        this.#filled = 0;
        use(this.#assembly);
      }
    }
  }
}

const SOI = 0xd8;
const EOI = 0xd9;

/**
 * Splits concatenated JPEGs (ffmpeg's image2pipe/mjpeg). Inside entropy-coded data 0xFF is always
 * stuffed as FF00, so FFD9 can only be the end-of-image marker.
 */
export class JpegSplitter {
  readonly #maxBytes: number;
  #buf: Buffer = Buffer.alloc(0);

  constructor(maxBytes = 8 * 1024 * 1024) {
    this.#maxBytes = maxBytes;
  }

  push(chunk: Buffer): Buffer[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const images: Buffer[] = [];
    for (;;) {
      const start = this.#findMarker(SOI, 0);
      if (start < 0) {
        // Keep a trailing 0xFF: it may be the first half of the next image's SOI.
        this.#buf = this.#buf.at(-1) === 0xff ? this.#buf.subarray(-1) : Buffer.alloc(0);
        break;
      }
      const end = this.#findMarker(EOI, start + 2);
      if (end < 0) {
        this.#buf = this.#buf.subarray(start);
        // A stream that never closes an image must not grow without bound.
        if (this.#buf.length > this.#maxBytes) this.#buf = Buffer.alloc(0);
        break;
      }
      images.push(Buffer.from(this.#buf.subarray(start, end + 2)));
      this.#buf = this.#buf.subarray(end + 2);
    }
    return images;
  }

  #findMarker(marker: number, from: number): number {
    let i = this.#buf.indexOf(0xff, from);
    while (i >= 0 && i + 1 < this.#buf.length) {
      if (this.#buf[i + 1] === marker) return i;
      i = this.#buf.indexOf(0xff, i + 1);
    }
    return -1;
  }
}
