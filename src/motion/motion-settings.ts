// Per-camera motion settings (what a household or an admin chooses), their validation, and what
// they mean for the detector's thresholds. Pure.

import { MatThanError } from '../errors.js';
import { ANALYSIS_MODES, type AnalysisMode } from '../streams/analysis-mode.js';
import { validateMasks, type MaskPolygon } from './masks.js';

/**
 * server: our detector alone decides (the default: camera firmware is not trusted to be the only source);
 * camera: the camera's own ONVIF motion events decide (our stream still gives the snapshot);
 * hybrid: a camera event opens a window in which our detector must confirm before anything alerts.
 */
export const MOTION_MODES = ['server', 'camera', 'hybrid'] as const;
export type MotionMode = (typeof MOTION_MODES)[number];

export interface CameraMotionSettings {
  mode: MotionMode;
  /** 1 (only large, clear motion) … 10 (the smallest change); 5 is the default balance. */
  sensitivity: number;
  masks: MaskPolygon[];
  /** Decode mode for this camera (keyframe patrol or every frame); absent = the service's analysis.mode. */
  analysis?: AnalysisMode;
}

export const DEFAULT_MOTION_SETTINGS: CameraMotionSettings = { mode: 'server', sensitivity: 5, masks: [] };

/** Validates a (partial) settings object from the API or config; missing fields keep `base`'s. */
export function validateMotionSettings(value: unknown, base: CameraMotionSettings = DEFAULT_MOTION_SETTINGS): CameraMotionSettings {
  const bad = (why: string) => new MatThanError('VALIDATION_FAILED', `motion: ${why}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('must be an object');
  const v = value as Record<string, unknown>;
  const unknown = Object.keys(v).filter((k) => k !== 'mode' && k !== 'sensitivity' && k !== 'masks' && k !== 'analysis');
  if (unknown.length > 0) throw bad(`unknown field ${unknown[0]}`);
  const mode = v.mode ?? base.mode;
  if (!MOTION_MODES.includes(mode as MotionMode)) throw bad(`mode must be one of ${MOTION_MODES.join(', ')}`);
  const sensitivity = v.sensitivity ?? base.sensitivity;
  if (!Number.isInteger(sensitivity) || (sensitivity as number) < 1 || (sensitivity as number) > 10) {
    throw bad('sensitivity must be an integer from 1 to 10');
  }
  const masks = v.masks === undefined ? base.masks : validateMasks(v.masks);
  const analysis = v.analysis ?? base.analysis;
  if (analysis !== undefined && !ANALYSIS_MODES.includes(analysis as AnalysisMode)) throw bad(`analysis must be one of ${ANALYSIS_MODES.join(', ')}`);
  return { mode: mode as MotionMode, sensitivity: sensitivity as number, masks, ...(analysis === undefined ? {} : { analysis: analysis as AnalysisMode }) };
}

/**
 * How much a sensitivity step scales the thresholds: each step is ×1.25 on the area an object must
 * cover and ×1.12 on the grey-level difference, so 10 sees about a third of what 5 needs and 1 about 2.4×.
 */
export function sensitivityFactors(sensitivity: number): { area: number; level: number } {
  const steps = 5 - sensitivity;
  return { area: 1.25 ** steps, level: 1.12 ** steps };
}

/** JSON schema of the settings (the API's body and the config file); validateMotionSettings re-checks the meaning. */
export const motionSettingsSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    mode: { enum: [...MOTION_MODES] },
    sensitivity: { type: 'integer', minimum: 1, maximum: 10 },
    analysis: { enum: [...ANALYSIS_MODES] },
    masks: {
      type: 'array',
      maxItems: 32,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['kind', 'points'],
        properties: {
          kind: { enum: ['privacy', 'ignore'] },
          points: {
            type: 'array', minItems: 3, maxItems: 64,
            items: { type: 'array', minItems: 2, maxItems: 2, items: { type: 'number', minimum: 0, maximum: 1 } },
          },
        },
      },
    },
  },
} as const;

/**
 * The stored form (a JSON column; null = defaults) back to settings. A damaged value throws rather
 * than falling back: privacy masks must never silently vanish.
 */
export function parseStoredMotionSettings(json: string | null): CameraMotionSettings {
  return json === null ? DEFAULT_MOTION_SETTINGS : validateMotionSettings(JSON.parse(json));
}
