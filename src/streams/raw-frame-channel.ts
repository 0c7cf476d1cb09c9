// The socket a patrolling ffmpeg writes its full-resolution frames to (y4m). Only the last two are
// kept, so the keyframe that raised an alert can be encoded into its snapshot (snapshot-encoder.ts)
// while nothing else is.

import { SocketChannel } from './socket-channel.js';
import { joinPieces, Y4mSplitter, type Y4mFrame, type Y4mPieces } from './y4m-reader.js';

const KEEP = 2;

export class RawFrameChannel extends SocketChannel<Y4mPieces> {
  constructor() {
    // Frames are kept as the chunks they came in; only the one an alert asks for is joined.
    super('full.sock', KEEP, () => new Y4mSplitter());
  }

  /** Frame `seq` (1-based), waiting up to `waitMs` for it; else the latest one. */
  async frameFor(seq: number, waitMs: number): Promise<Y4mFrame | null> {
    const pieces = await this.itemFor(seq, waitMs);
    return pieces === null ? null : joinPieces(pieces);
  }
}
