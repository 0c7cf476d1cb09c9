// How a camera's mode combines our detector's verdict with the camera's own (ONVIF) motion state.
// Pure: the caller passes the time.

import type { FrameVerdict } from './motion-detector.js';
import type { MotionMode } from './motion-settings.js';

export interface CameraSideMotion {
  /** The camera says motion now. */
  active: boolean;
  /** When the camera last said motion (start or still on); null if never. */
  lastActiveAt: number | null;
}

/**
 * server: our verdict as it is;
 * camera: the camera's state decides (our verdict only adds the box, for the snapshot's sake);
 * hybrid: our verdict counts only while the camera reports motion or within `windowMs` after it did,
 *         so a cheap camera trigger opens the window and our detector confirms before anything alerts.
 */
export function gateVerdict(mode: MotionMode, v: FrameVerdict, cam: CameraSideMotion, now: number, windowMs: number): FrameVerdict {
  switch (mode) {
    case 'server':
      return v;
    case 'camera':
      return { ...v, motion: cam.active, score: cam.active ? v.score : 0, box: cam.active && v.motion ? v.box : null };
    case 'hybrid': {
      const open = cam.active || (cam.lastActiveAt !== null && now - cam.lastActiveAt <= windowMs);
      return open ? v : { ...v, motion: false };
    }
  }
}
