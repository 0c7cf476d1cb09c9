// The only reader of process.env and config files. Typed, validated, and failing fast with the
// name of the bad field, so a typo in a village's config is caught at start, not at 3 a.m.

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { validateRtspUrl } from './cameras/camera-url.js';
import { MatThanError, isMatThanError } from './errors.js';
import { configSchema } from './config-schema.js';
import { validateMotionSettings, type CameraMotionSettings } from './motion/motion-settings.js';
import type { CameraEventWatcherOptions } from './onvif/camera-event-watcher.js';
import type { AnalysisMode } from './streams/analysis-mode.js';
import type { OverloadThresholds } from './streams/overload-policy.js';

export interface CameraConfig {
  id: string;
  name: string;
  rtspUrl: string;
  zone: string;
  /** The household that owns the camera; null for public cameras. */
  householdId: string | null;
  /** Household consent: alerts go to village officers only when true. */
  shareWithOfficers: boolean;
  /** Registry kind; config cameras are `public` unless they say otherwise. */
  kind?: 'household' | 'public';
  /** Mode, sensitivity and masks; absent = DEFAULT_MOTION_SETTINGS. */
  motion?: CameraMotionSettings;
  /** Where the camera's ONVIF event service is (camera and hybrid modes); credentials in memory only. */
  onvif?: { host: string; port: number; username?: string; password?: string } | null;
}

export interface OnboardingConfig {
  concurrency: number;
  probeTimeoutMs: number;
  discoveryPort: number;
}

/** Cameras' own motion events (ONVIF PullPoint), for cameras in `camera` or `hybrid` mode: the watcher's options. */
export type CameraEventsConfig = Required<Omit<CameraEventWatcherOptions, 'logger' | 'now' | 'messageLimit' | 'maxReplyBytes'>> & {
  hybridWindowSec: number;
};

export interface ZoneConfig {
  id: string;
  name?: string;
  /** Local-time windows when officers are alerted; absent = always, [] = never. */
  armed?: Array<{ from: string; to: string }>;
}

export interface AlertsConfig {
  timezone: string;
  cooldownSec: number;
  incidentWindowSec: number;
  motionOffDelaySec: number;
}

export interface MotionConfig {
  /** Analysis frames per second. */
  fps: number;
  width: number;
  height: number;
  /** Grey-level difference (0-255) a pixel must exceed, on top of the measured noise, to count as changed. */
  pixelThreshold: number;
  /** Fraction of the frame that must change for a frame to count as motion. */
  minAreaRatio: number;
  /** Consecutive motion frames before an episode starts (minimum duration). */
  minFrames: number;
  /** Quiet seconds that end an episode. */
  endAfterSec: number;
  /** An episode still "moving" after this long is closed anyway. */
  maxEpisodeSec: number;
  updateScoreFactor: number;
  updateMinIntervalSec: number;
}

export interface StreamConfig {
  ffmpegPath: string;
  /** How much nicer than the service the cameras' ffmpegs run (0–19): a saturated box then delays decoding, not alerts. */
  ffmpegNice: number;
  /** Socket timeout for RTSP I/O, seconds. */
  rtspTimeoutSec: number;
  /** Restart ffmpeg when no frame arrived for this long. */
  watchdogSec: number;
  backoffInitialMs: number;
  backoffMaxMs: number;
  snapshotWidth: number;
  thumbnailWidth: number;
}

export interface AnalysisConfig {
  mode: AnalysisMode;
  patrolFps: number;
  quietSec: number;
  alertOnPatrol: boolean;
  swapTimeoutSec: number;
  overload: OverloadThresholds & { sampleSec: number };
}

export interface Config {
  host: string;
  port: number;
  publicUrl: string | null;
  dataDir: string;
  redisUrl: string | null;
  databaseUrl: string | null;
  secretKey: string | null;
  nodeId: string | null;
  metrics: MetricsConfig;
  mqtt: { url: string | null; embeddedPort: number; topicPrefix: string; clientId: string; homeAssistant: boolean; discoveryPrefix: string; anonymous: 'status' | 'all' };
  queue: { name: string; concurrency: number; attempts: number; lockDurationMs: number };
  log: { level: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'; pretty: boolean | null };
  motion: MotionConfig;
  analysis: AnalysisConfig;
  stream: StreamConfig;
  cameras: CameraConfig[];
  zones: ZoneConfig[];
  alerts: AlertsConfig;
  health: { offlineGraceSec: number; frozenAfterSec: number; coveredAfterSec: number };
  onboarding: OnboardingConfig;
  cameraEvents: CameraEventsConfig;
  auth: AuthConfig;
  retention: { snapshotDays: number; eventDays: number; intervalHours: number };
  cluster: ClusterConfig;
}

export interface ClusterConfig {
  maxCameras: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
  heartbeatMs: number;
  nodeTtlMs: number;
  reconcileMs: number;
  healthPort: number | null;
}

export interface MetricsConfig {
  enabled: boolean;
  /** Bearer token Prometheus must send; null: /metrics is open to whoever reaches the port. */
  token: string | null;
  cacheMs: number;
}

export interface AuthConfig {
  tokenTtlHours: number;
  maxFailedLogins: number;
  lockoutMinutes: number;
  loginAttemptsPerMinute: number;
  adminUsername: string;
  /** From MATTHAN_ADMIN_PASSWORD; never defaulted. */
  adminPassword: string | null;
}

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const DEFAULT_CONFIG_FILE = path.join(packageRoot, 'config', 'default.yaml');

const ajv = new Ajv({ allErrors: false, useDefaults: true, coerceTypes: false, strict: true });
const validate = ajv.compile(configSchema);

function describe(err: ErrorObject): string {
  const field = err.instancePath === '' ? '(root)' : err.instancePath.slice(1).replaceAll('/', '.');
  if (err.keyword === 'additionalProperties') {
    return `${field === '(root)' ? '' : field + '.'}${String(err.params.additionalProperty)} is not a known setting`;
  }
  return `${field} ${err.message ?? 'is invalid'}`;
}

/** Validates an already-merged raw config object; fills defaults. */
export function buildConfig(raw: unknown): Config {
  const copy = structuredClone(raw ?? {});
  if (!validate(copy)) {
    const first = validate.errors?.[0];
    throw new MatThanError('CONFIG_INVALID', first ? describe(first) : 'unknown error');
  }
  const config = copy as unknown as Config;
  const seen = new Set<string>();
  config.cameras.forEach((cam, i) => {
    if (seen.has(cam.id)) throw new MatThanError('CONFIG_INVALID', `cameras.${i}.id '${cam.id}' is used twice`);
    seen.add(cam.id);
    cam.name ??= cam.id;
    try {
      cam.rtspUrl = validateRtspUrl(cam.id, cam.rtspUrl);
      if (cam.motion !== undefined) cam.motion = validateMotionSettings(cam.motion);
    } catch (err) {
      if (isMatThanError(err)) throw new MatThanError('CONFIG_INVALID', `cameras.${i}: ${err.message}`);
      throw err;
    }
  });
  const zones = new Set<string>();
  config.zones.forEach((z, i) => {
    if (zones.has(z.id)) throw new MatThanError('CONFIG_INVALID', `zones.${i}.id '${z.id}' is used twice`);
    zones.add(z.id);
  });
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: config.alerts.timezone });
  } catch {
    throw new MatThanError('CONFIG_INVALID', `alerts.timezone '${config.alerts.timezone}' is not a known time zone`);
  }
  return config;
}

function readConfigFile(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new MatThanError('CONFIG_INVALID', `cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    const parsed: unknown = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
    if (parsed === null || parsed === undefined) return {};
    if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('top level must be a mapping');
    return parsed as Record<string, unknown>;
  } catch (err) {
    throw new MatThanError('CONFIG_INVALID', `${file}: ${(err as Error).message}`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge where objects merge and everything else (arrays included) is replaced. */
export function mergeConfig(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isPlainObject(prev) && isPlainObject(value) ? mergeConfig(prev, value) : value;
  }
  return out;
}

function envOverrides(env: NodeJS.ProcessEnv): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  if (env.REDIS_URL) o.redisUrl = env.REDIS_URL;
  if (env.DATABASE_URL) o.databaseUrl = env.DATABASE_URL;
  if (env.DATA_DIR) o.dataDir = env.DATA_DIR;
  if (env.PUBLIC_URL) o.publicUrl = env.PUBLIC_URL;
  // Each node needs its own MQTT client id (persistent session): one env file per instance sets it.
  if (env.MQTT_URL || env.MQTT_CLIENT_ID) {
    o.mqtt = { ...(env.MQTT_URL ? { url: env.MQTT_URL } : {}), ...(env.MQTT_CLIENT_ID ? { clientId: env.MQTT_CLIENT_ID } : {}) };
  }
  if (env.MATTHAN_SECRET_KEY) o.secretKey = env.MATTHAN_SECRET_KEY;
  if (env.LOG_LEVEL) o.log = { level: env.LOG_LEVEL };
  if (env.MATTHAN_NODE_ID) o.nodeId = env.MATTHAN_NODE_ID;
  // A metrics token is only ever set to be used: it also turns /metrics on.
  if (env.MATTHAN_METRICS_TOKEN) o.metrics = { enabled: true, token: env.MATTHAN_METRICS_TOKEN };
  if (env.MATTHAN_ADMIN_PASSWORD || env.MATTHAN_ADMIN_USERNAME) {
    o.auth = {
      ...(env.MATTHAN_ADMIN_USERNAME ? { adminUsername: env.MATTHAN_ADMIN_USERNAME } : {}),
      ...(env.MATTHAN_ADMIN_PASSWORD ? { adminPassword: env.MATTHAN_ADMIN_PASSWORD } : {}),
    };
  }
  if (env.PORT !== undefined && env.PORT !== '') {
    const port = Number(env.PORT);
    // Keep the raw string when it is not a number so validation names PORT's field.
    o.port = Number.isInteger(port) ? port : env.PORT;
  }
  return o;
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Extra values merged last (used by the CLI and by tests). */
  overrides?: Record<string, unknown>;
}

/** default.yaml ← $MATTHAN_CONFIG ← env ← overrides, then validated. */
export function loadConfig(opts: LoadConfigOptions = {}): Config {
  const env = opts.env ?? process.env;
  let merged = readConfigFile(DEFAULT_CONFIG_FILE);
  if (env.MATTHAN_CONFIG) merged = mergeConfig(merged, readConfigFile(path.resolve(env.MATTHAN_CONFIG)));
  merged = mergeConfig(merged, envOverrides(env));
  if (opts.overrides) merged = mergeConfig(merged, opts.overrides);
  const config = buildConfig(merged);
  config.dataDir = path.resolve(config.dataDir);
  return config;
}
