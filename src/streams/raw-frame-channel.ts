// The socket an ffmpeg run writes its analysed frames to at snapshot size (y4m). A frame is kept only
// while it may still be asked for: until the detector has judged it, or an event asked for it to
// encode its snapshot (snapshot-encoder.ts). ffmpeg writes each frame to the detector first, so most
// frames arrive already judged and not wanted, and are passed over without being copied anywhere.
//
// Copying every keyframe into the camera's own buffers was half of Node's CPU at 120 cameras on the
// development VM (memmove into memory last written seconds before costs ~2 ms per 345 KB frame there,
// and page faults), and those buffers were 0.33 MiB of memory per camera.

import { SocketChannel } from './socket-channel.js';
import { Y4mSplitter, type Y4mFrame } from './y4m-reader.js';

/** One socket read: a 640×360 frame (345 KB) comes in three. */
const READ_BYTES = 128 * 1024;

interface Judging {
  /** The highest frame number the detector has judged. */
  judged: number;
  /** Frames an event asked for (until it has its copy). */
  readonly wanted: Set<number>;
}

export class RawFrameChannel extends SocketChannel<Y4mFrame> {
  readonly #judging: Judging;

  /**
   * `keep`: frames kept. An event asks for its frame as the detector judges it, and ffmpeg writes
   * each frame to the detector first, so the frame asked for is the newest or the next one: one is
   * enough where frames come seconds apart (patrol; a 640×360 frame is 0.33 MiB a camera), two where
   * they come fractions of a second apart (full decoding).
   */
  constructor(keep: number) {
    // ffmpeg listens and Node reads into a shared buffer; a frame that may be wanted is copied into one
    // of keep + 1 buffers used in turn (the kept ones and the one filling), allocated on first use.
    // One connection per run, so the splitter's frame numbers are the channel's.
    const judging: Judging = { judged: 0, wanted: new Set() };
    super('full.sock', keep, () => new Y4mSplitter(keep + 1, (n) => n <= judging.judged && !judging.wanted.has(n)), { ffmpegListensReadBytes: READ_BYTES });
    this.#judging = judging;
  }

  /** The detector has judged frame `seq` (and any event on it has asked for it): unless asked for, it is not needed. */
  judged(seq: number): void {
    this.#judging.judged = Math.max(this.#judging.judged, seq);
  }

  /**
   * Frame `seq` (1-based), waiting up to `waitMs` for it; else the latest one kept. A copy of its own.
   * Ask before `judged(seq)`, or the frame may have been passed over.
   */
  async frameFor(seq: number, waitMs: number): Promise<Y4mFrame | null> {
    this.#judging.wanted.add(seq);
    try {
      const f = await this.itemFor(seq, waitMs);
      // The splitter reuses its buffers: the encoder gets a copy that outlives them.
      return f === null || f.data.length === 0 ? null : { ...f, data: Buffer.from(f.data) };
    } finally {
      this.#judging.wanted.delete(seq);
    }
  }
}
