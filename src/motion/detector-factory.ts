// The one place a camera's detector is built from the service's motion config and the camera's
// settings, so the stream and the benchmark always measure the same thing.

import type { MotionConfig } from '../config.js';
import type { AnalysisMode } from '../streams/analysis-mode.js';
import { MotionDetector, type MotionDetectorOptions } from './motion-detector.js';
import { DEFAULT_MOTION_SETTINGS, type CameraMotionSettings } from './motion-settings.js';

/**
 * Patrol sees only keyframes, one every GOP (1–2 s): an object has moved tens of pixels between two,
 * so the full profile's rule that a blob persist for 3 frames, each near the last, can never hold
 * (and would cost 4–6 s). A keyframe is a clean, fully coded picture (no drift, no concealment), so
 * one showing a blob over the minimum area is enough to escalate and alert; the warm-up and the
 * settle pause are counted in keyframes too, so they are shortened to the same few seconds.
 */
const PATROL_PROFILE: Partial<MotionDetectorOptions> = { persistFrames: 1, warmupFrames: 2, settleFrames: 1, damageHoldFrames: 1 };

export function createDetector(m: MotionConfig, settings: CameraMotionSettings = DEFAULT_MOTION_SETTINGS, mode: AnalysisMode = 'full'): MotionDetector {
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
    ...(mode === 'patrol' ? PATROL_PROFILE : {}),
  });
}
