// Reading the outcome of a one-frame grab (frame-grab.ts): the JPEG's size from its header, and why
// ffmpeg failed, from its stderr, as one of our error codes. Pure; never echoes ffmpeg's text, which
// can hold the camera URL.

import type { ErrorCode } from '../errors.js';

/** Width and height from the first SOFn marker of a JPEG, or null if it is not a readable JPEG. */
export function jpegSize(b: Buffer): { width: number; height: number } | null {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return null;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1] as number;
    if (marker === 0xff) { i++; continue; }
    const len = b.readUInt16BE(i + 2);
    // SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7) };
    }
    i += 2 + len;
  }
  return null;
}

export type GrabFailure = Extract<ErrorCode, 'CAMERA_TEST_UNREACHABLE' | 'CAMERA_TEST_UNAUTHORIZED' | 'CAMERA_TEST_NOT_A_CAMERA'>;

/**
 * What a failed grab means for the person testing: fix the address, fix the password, or it is not a
 * camera stream. Status codes are matched as whole words, outside log prefixes and URLs: ffmpeg's
 * prefixes carry hex addresses (`[rtsp @ 0x55d401c2c0]`) that contain them.
 */
export function classifyGrabFailure(stderrTail: readonly string[], timedOut: boolean): { code: GrabFailure; detail: string } {
  // Without log prefixes and URLs (a port or path may read like a status code).
  const text = stderrTail.join('\n').replace(/\[[\w-]+ @ 0x[0-9a-f]+\]/gi, '').replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '');
  if (/\b401\b|Unauthorized|authorization failed/i.test(text)) return { code: 'CAMERA_TEST_UNAUTHORIZED', detail: 'the stream refused the credentials' };
  if (timedOut) return { code: 'CAMERA_TEST_UNREACHABLE', detail: 'no frame before the time-out' };
  if (/Connection refused|Connection timed out|timed out|No route to host|Network is unreachable|Name or service not known|Could not resolve|Host is unreachable|Connection reset|End of file/i.test(text)) {
    return { code: 'CAMERA_TEST_UNREACHABLE', detail: 'the stream could not be reached' };
  }
  if (/\b404\b|Not Found|method DESCRIBE failed|Invalid data|does not contain any stream|no video/i.test(text)) {
    return { code: 'CAMERA_TEST_NOT_A_CAMERA', detail: 'the address answered, but with no video stream' };
  }
  return { code: 'CAMERA_TEST_NOT_A_CAMERA', detail: 'no video frame could be read' };
}
