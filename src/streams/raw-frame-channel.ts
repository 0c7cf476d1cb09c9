// The socket an ffmpeg run writes its analysed frames to at snapshot size (y4m). Only the last two
// are kept, so the frame that raised an event can be encoded into its snapshot (snapshot-encoder.ts)
// while nothing else is.

import { SocketChannel } from './socket-channel.js';
import { Y4mSplitter, type Y4mFrame } from './y4m-reader.js';

const KEEP = 2;
/** One socket read: a 640×360 frame (345 KB) comes in three. */
const READ_BYTES = 128 * 1024;

export class RawFrameChannel extends SocketChannel<Y4mFrame> {
  constructor() {
    // ffmpeg listens and Node reads into one buffer; each frame is copied into one of KEEP + 1
    // buffers used in turn (the kept ones and the one filling), so a camera allocates nothing per frame.
    super('full.sock', KEEP, () => new Y4mSplitter(KEEP + 1), { ffmpegListensReadBytes: READ_BYTES });
  }

  /** Frame `seq` (1-based), waiting up to `waitMs` for it; else the latest one. A copy of its own. */
  async frameFor(seq: number, waitMs: number): Promise<Y4mFrame | null> {
    const f = await this.itemFor(seq, waitMs);
    // The splitter reuses its buffers: the encoder gets a copy that outlives them.
    return f === null ? null : { ...f, data: Buffer.from(f.data) };
  }
}
