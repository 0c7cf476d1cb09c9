// The socket an ffmpeg run writes its analysed frames to at snapshot size (y4m). Only the last one or
// two are kept, so the frame that raised an event can be encoded into its snapshot (snapshot-encoder.ts)
// while nothing else is.

import { SocketChannel } from './socket-channel.js';
import { Y4mSplitter, type Y4mFrame } from './y4m-reader.js';

/** One socket read: a 640×360 frame (345 KB) comes in three. */
const READ_BYTES = 128 * 1024;

export class RawFrameChannel extends SocketChannel<Y4mFrame> {
  /**
   * `keep`: frames kept. An event asks for its frame as the detector judges it, and ffmpeg writes
   * each frame to the detector first, so the frame asked for is the newest or the next one: one is
   * enough where frames come seconds apart (patrol; a 640×360 frame is 0.33 MiB a camera), two where
   * they come fractions of a second apart (full decoding).
   */
  constructor(keep: number) {
    // ffmpeg listens and Node reads into a shared buffer; each frame is copied into one of keep + 1
    // buffers used in turn (the kept ones and the one filling), so a camera allocates nothing per frame.
    super('full.sock', keep, () => new Y4mSplitter(keep + 1), { ffmpegListensReadBytes: READ_BYTES });
  }

  /** Frame `seq` (1-based), waiting up to `waitMs` for it; else the latest one. A copy of its own. */
  async frameFor(seq: number, waitMs: number): Promise<Y4mFrame | null> {
    const f = await this.itemFor(seq, waitMs);
    // The splitter reuses its buffers: the encoder gets a copy that outlives them.
    return f === null ? null : { ...f, data: Buffer.from(f.data) };
  }
}
