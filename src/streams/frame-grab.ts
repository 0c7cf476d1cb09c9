// One JPEG frame of a camera's stream, for "test connection" (POST /api/cameras/test): one short ffmpeg
// through ffmpeg-process.ts (no shell, protocol whitelist, rtsp only), stopped at the deadline. Errors
// carry our codes and fixed texts only, never ffmpeg's output (it can name the URL with its password).

import { MatThanError } from '../errors.js';
import { buildFrameGrabSpec } from './ffmpeg-args.js';
import { FfmpegProcess } from './ffmpeg-process.js';
import { classifyGrabFailure, jpegSize } from './frame-grab-result.js';

export interface FrameGrabOptions {
  ffmpegPath: string;
  ffmpegMajor: number;
  /** The whole grab, connection included. */
  timeoutMs: number;
  maxWidth?: number;
}

export interface GrabbedFrame {
  jpeg: Buffer;
  width: number;
  height: number;
}

const MAX_JPEG_BYTES = 8 * 1024 * 1024;

/** `rtspUrl` must have passed validateRtspUrl (camera-url.ts); it may carry credentials. */
export async function grabJpegFrame(rtspUrl: string, o: FrameGrabOptions): Promise<GrabbedFrame> {
  const spec = buildFrameGrabSpec({
    rtspUrl, ffmpegMajor: o.ffmpegMajor, rtspTimeoutSec: Math.max(1, Math.ceil(o.timeoutMs / 1000)), maxWidth: o.maxWidth ?? 1280,
  });
  const proc = new FfmpegProcess(spec, o.ffmpegPath);
  const parts: Buffer[] = [];
  let size = 0;
  proc.stdout.on('data', (c: Buffer) => {
    size += c.length;
    if (size <= MAX_JPEG_BYTES) parts.push(c);
    else void proc.stop({ quitMs: 0, termMs: 500 });
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void proc.stop({ quitMs: 200, termMs: 500 });
  }, o.timeoutMs);
  const stdoutEnded = new Promise<void>((resolve) => proc.stdout.once('end', () => resolve()));
  proc.start();
  const exit = await proc.exited();
  clearTimeout(timer);
  // The last bytes of stdout can trail the exit; a stdout that never ends (spawn failed) is not waited for long.
  await Promise.race([stdoutEnded, new Promise((resolve) => setTimeout(resolve, 1000).unref())]);
  const jpeg = Buffer.concat(parts);
  const dims = exit.code === 0 && size <= MAX_JPEG_BYTES ? jpegSize(jpeg) : null;
  if (dims !== null) return { jpeg, ...dims };
  const failure = classifyGrabFailure(exit.stderrTail, timedOut);
  throw new MatThanError(failure.code, failure.detail);
}
