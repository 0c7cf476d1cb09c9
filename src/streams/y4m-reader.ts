// Pure reader of a YUV4MPEG2 (y4m) byte stream of 4:2:0 frames: ffmpeg writes the picture size in
// the stream header, so full-resolution frames of a camera of any size can be cut apart.

const MAX_HEADER = 512;

export interface Y4mFrame {
  width: number;
  height: number;
  /** yuv420p planes, width×height×1.5 bytes. */
  data: Buffer;
}

export class Y4mSplitter {
  #buf: Buffer = Buffer.alloc(0);
  #width = 0;
  #height = 0;

  /** The frames this chunk completed (fresh buffers). Throws on a stream that is not 4:2:0 y4m. */
  push(chunk: Buffer): Y4mFrame[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const out: Y4mFrame[] = [];
    for (;;) {
      const nl = this.#buf.indexOf(0x0a);
      if (nl < 0) {
        if (this.#buf.length > MAX_HEADER) throw new Error('y4m: header line too long');
        break;
      }
      const line = this.#buf.subarray(0, nl).toString('latin1');
      if (line.startsWith('YUV4MPEG2 ')) {
        this.#header(line);
        this.#buf = this.#buf.subarray(nl + 1);
        continue;
      }
      if (!line.startsWith('FRAME')) throw new Error('y4m: expected FRAME');
      if (this.#width === 0) throw new Error('y4m: FRAME before the stream header');
      const size = this.#width * this.#height * 1.5;
      if (this.#buf.length < nl + 1 + size) break;
      out.push({ width: this.#width, height: this.#height, data: Buffer.from(this.#buf.subarray(nl + 1, nl + 1 + size)) });
      this.#buf = this.#buf.subarray(nl + 1 + size);
    }
    // Keep only the unread tail (a fresh copy, so the chunk it came from can go).
    if (this.#buf.length > 0) this.#buf = Buffer.from(this.#buf);
    return out;
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
