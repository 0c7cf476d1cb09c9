// Camera URLs are untrusted input: only rtsp:// and rtsps:// with a host may reach ffmpeg,
// and credentials inside them must never reach a log line.

import { MatThanError } from '../errors.js';

const ALLOWED_PROTOCOLS = new Set(['rtsp:', 'rtsps:']);

/** Throws CAMERA_URL_INVALID naming the camera; returns the normalised URL. */
export function validateRtspUrl(cameraId: string, raw: unknown): string {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new MatThanError('CAMERA_URL_INVALID', `camera '${cameraId}': rtspUrl is missing`);
  }
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new MatThanError('CAMERA_URL_INVALID', `camera '${cameraId}': rtspUrl is not a URL`);
  }
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) {
    throw new MatThanError(
      'CAMERA_URL_INVALID',
      `camera '${cameraId}': rtspUrl must start with rtsp:// or rtsps:// (got ${url.protocol})`,
    );
  }
  if (url.hostname === '') {
    throw new MatThanError('CAMERA_URL_INVALID', `camera '${cameraId}': rtspUrl has no host`);
  }
  // Control characters or whitespace could smuggle extra ffmpeg/RTSP syntax.
  if (/[\s\u0000-\u001f\u007f]/.test(raw.trim())) {
    throw new MatThanError('CAMERA_URL_INVALID', `camera '${cameraId}': rtspUrl contains control characters`);
  }
  return url.toString();
}

const CREDENTIALS_IN_URL = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@'"]+@/gi;

/** Replaces `user:pass@` in any URL inside the text with `***@`. */
export function redactUrls(text: string): string {
  return text.replace(CREDENTIALS_IN_URL, '$1***@');
}
