// The socket ffmpeg writes its JPEG snapshots (or thumbnails) to, in full mode: the last 8 kept.

import { JpegSplitter } from './frame-reader.js';
import { SocketChannel } from './socket-channel.js';

export class JpegChannel extends SocketChannel<Buffer> {
  constructor() {
    super('snap.sock', 8, () => new JpegSplitter());
  }

  /** The JPEG of frame `seq` (1-based in this run), waiting up to `waitMs` for it; else the latest one. */
  imageFor(seq: number, waitMs: number): Promise<Buffer | null> {
    return this.itemFor(seq, waitMs);
  }
}
