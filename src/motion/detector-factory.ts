// The one place a camera's detector is built from the service's motion config and the camera's
// settings, so the stream and the benchmark always measure the same thing.

import type { MotionConfig } from '../config.js';
import { MotionDetector } from './motion-detector.js';
import { DEFAULT_MOTION_SETTINGS, type CameraMotionSettings } from './motion-settings.js';

export function createDetector(m: MotionConfig, settings: CameraMotionSettings = DEFAULT_MOTION_SETTINGS): MotionDetector {
  return new MotionDetector({
    width: m.width,
    height: m.height,
    pixelThreshold: m.pixelThreshold,
    minAreaRatio: m.minAreaRatio,
    sensitivity: settings.sensitivity,
    masks: settings.masks,
    // ffmpeg sends yuv420p: the chroma tells an IR-lit night picture from a day one.
    chroma: true,
    // Artefacts of lost data last until the next keyframe: hold about 2.5 s.
    damageHoldFrames: Math.max(2, Math.ceil(m.fps * 2.5)),
  });
}
