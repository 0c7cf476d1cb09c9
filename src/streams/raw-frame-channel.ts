// The socket a patrolling ffmpeg writes its full-resolution frames to (y4m). Only the last two are
// kept, so the keyframe that raised an alert can be encoded into its snapshot (snapshot-encoder.ts)
// while nothing else is.

import { SocketChannel } from './socket-channel.js';
import { Y4mSplitter, type Y4mFrame } from './y4m-reader.js';

export class RawFrameChannel extends SocketChannel<Y4mFrame> {
  constructor() {
    super('full.sock', 2, () => new Y4mSplitter());
  }

  /** Frame `seq` (1-based), waiting up to `waitMs` for it; else the latest one. */
  frameFor(seq: number, waitMs: number): Promise<Y4mFrame | null> {
    return this.itemFor(seq, waitMs);
  }
}
