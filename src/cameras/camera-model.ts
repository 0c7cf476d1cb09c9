// Pure helpers of the camera registry: ids, credentials in and out of URLs, and the shapes a row
// takes for the API (never a credential) and for the stream supervisor (credentials in memory only).

import { randomBytes } from 'node:crypto';
import type { CameraConfig } from '../config.js';
import type { CameraRow, NewCameraRow } from '../db/cameras.repository.js';
import { MatThanError, type ErrorCode } from '../errors.js';
import type { ProbeResult } from '../onvif/onvif-client.js';
import { DEFAULT_MOTION_SETTINGS, parseStoredMotionSettings, validateMotionSettings, type CameraMotionSettings } from '../motion/motion-settings.js';
import type { CameraStreamStats } from '../streams/camera-stream.js';
import type { Credentials } from './credential-cipher.js';

export const CAMERA_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
export const CAMERA_STATUSES = ['probing', 'online', 'offline', 'unauthorized', 'unreachable', 'error'] as const;
export type CameraStatus = (typeof CAMERA_STATUSES)[number];
export type CameraKind = 'household' | 'public';

/** What an operator says about a camera (the API's words); everything else comes from probes. */
export interface CameraFields {
  name: string;
  zone?: string;
  kind?: CameraKind;
  householdId?: string | null;
  shareWithOfficers?: boolean;
  policeMayView?: boolean;
  location?: { lat?: number | null; lon?: number | null; address?: string | null };
  /** Mode, sensitivity, masks; a partial object changes only what it names. */
  motion?: Partial<CameraMotionSettings>;
  /** Days snapshots and events of this camera are kept; null = the configured default (retention.*). */
  retention?: { snapshotDays?: number | null; eventDays?: number | null };
}

export type ProbeSummary = Pick<ProbeResult, 'deviceInfo' | 'clockOffsetMs'> & { profiles: Array<Omit<ProbeResult['profiles'][number], 'rtspUrl'>> };

export function emptyRow(id: string, now: number): NewCameraRow {
  return {
    id, name: id, kind: 'public', household_id: null, zone: 'default', lat: null, lon: null, address: null,
    onvif_host: null, onvif_port: null, credentials: null, rtsp_url: null, profile_token: null, stream_width: null,
    stream_height: null, snapshot_uri: null, status: 'online', status_detail: null, share_with_officers: 1,
    police_may_view: 1, motion: null, source: 'api', snapshot_retention_days: null, event_retention_days: null,
    created_at: now, updated_at: now,
  };
}

/** Household cameras share nothing unless the household says so; public ones are shared and viewable. */
export function rowFromFields(id: string, f: CameraFields, now = Date.now()): NewCameraRow {
  const householdId = f.householdId ?? null;
  const kind = f.kind ?? (householdId === null ? 'public' : 'household');
  if (kind === 'household' && householdId === null) throw new MatThanError('VALIDATION_FAILED', 'a household camera needs householdId');
  return {
    ...emptyRow(id, now), name: f.name, zone: f.zone ?? 'default', kind, household_id: householdId,
    share_with_officers: (f.shareWithOfficers ?? kind === 'public') ? 1 : 0,
    police_may_view: (f.policeMayView ?? kind === 'public') ? 1 : 0,
    lat: f.location?.lat ?? null, lon: f.location?.lon ?? null, address: f.location?.address ?? null,
    motion: motionColumn(f.motion),
    snapshot_retention_days: f.retention?.snapshotDays ?? null, event_retention_days: f.retention?.eventDays ?? null,
  };
}

/** The settings as stored: null while they are the defaults. */
export function motionColumn(m: Partial<CameraMotionSettings> | undefined, base = DEFAULT_MOTION_SETTINGS): string | null {
  if (m === undefined) return base === DEFAULT_MOTION_SETTINGS ? null : JSON.stringify(base);
  return JSON.stringify(validateMotionSettings(m, base));
}

/** The row's operator fields with a PATCH applied (location merged key by key), re-validated. */
export function applyPatch(row: CameraRow, patch: Partial<CameraFields>): NewCameraRow {
  const current: Required<CameraFields> = {
    name: row.name, zone: row.zone, kind: row.kind as CameraKind, householdId: row.household_id,
    shareWithOfficers: row.share_with_officers === 1, policeMayView: row.police_may_view === 1,
    location: { lat: row.lat, lon: row.lon, address: row.address }, motion: parseStoredMotionSettings(row.motion),
    retention: { snapshotDays: row.snapshot_retention_days, eventDays: row.event_retention_days },
  };
  const next = rowFromFields(row.id, {
    ...current, ...patch, location: { ...current.location, ...patch.location }, retention: { ...current.retention, ...patch.retention }, motion: undefined,
  });
  return { ...next, motion: patch.motion === undefined ? row.motion : motionColumn(patch.motion, current.motion as CameraMotionSettings) };
}

export function editableColumns(r: NewCameraRow): Partial<NewCameraRow> {
  const { name, zone, kind, household_id, share_with_officers, police_may_view, lat, lon, address, motion, snapshot_retention_days, event_retention_days } = r;
  return { name, zone, kind, household_id, share_with_officers, police_may_view, lat, lon, address, motion, snapshot_retention_days, event_retention_days };
}

export function probeColumns(r: ProbeResult): Partial<NewCameraRow> {
  return {
    rtsp_url: r.detection.rtspUrl, profile_token: r.detection.profileToken, stream_width: r.detection.width,
    stream_height: r.detection.height, snapshot_uri: r.snapshot.uri,
  };
}

export function probeSummary(r: ProbeResult): ProbeSummary {
  return { deviceInfo: r.deviceInfo, clockOffsetMs: r.clockOffsetMs, profiles: r.profiles.map(({ rtspUrl: _u, ...p }) => p) };
}

/** The status a failed re-probe leaves: what the operator must fix. */
export function statusAfter(code: ErrorCode): CameraStatus {
  if (code === 'ONVIF_UNAUTHORIZED' || code === 'ONVIF_CLOCK_SKEW') return 'unauthorized';
  return code === 'ONVIF_UNREACHABLE' ? 'unreachable' : 'error';
}

/** "Cổng làng số 2" → "cong-lang-so-2": readable ids for cameras added without one. */
export function slugify(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[đĐ]/g, 'd').toLowerCase()
    .replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48).replace(/-+$/, '');
}

/**
 * The slug of the name, or with a random suffix when it is taken (or empty). `alwaysSuffix`: with the
 * suffix in any case, so the id says nothing about which ids exist (ids chosen for household accounts).
 */
export function newCameraId(name: string, taken: (id: string) => boolean, alwaysSuffix = false): string {
  const base = slugify(name) || 'cam';
  if (!alwaysSuffix && base !== 'cam' && !taken(base)) return base;
  for (;;) {
    const id = `${base}-${randomBytes(3).toString('hex')}`;
    if (!taken(id)) return id;
  }
}

/** Splits `rtsp://user:pass@host/…` into the bare URL and its (decoded) credentials. */
export function splitCredentials(rtspUrl: string): { url: string; credentials: Credentials | null } {
  const u = new URL(rtspUrl);
  const credentials = u.username || u.password
    ? { username: decodeURIComponent(u.username), password: decodeURIComponent(u.password) }
    : null;
  u.username = '';
  u.password = '';
  return { url: u.toString(), credentials };
}

export function injectCredentials(rtspUrl: string, credentials: Credentials | null): string {
  if (!credentials || (!credentials.username && !credentials.password)) return rtspUrl;
  const u = new URL(rtspUrl);
  u.username = encodeURIComponent(credentials.username);
  u.password = encodeURIComponent(credentials.password);
  return u.toString();
}

/** Statuses in which the camera gets a stream: a probe (or the operator) said it can be read. */
export function isStreamable(row: CameraRow): boolean {
  return row.rtsp_url !== null && (row.status === 'online' || row.status === 'offline');
}

export function runtimeCamera(row: CameraRow, credentials: Credentials | null): CameraConfig {
  return {
    id: row.id, name: row.name, zone: row.zone, householdId: row.household_id,
    shareWithOfficers: row.share_with_officers === 1, kind: row.kind as CameraKind,
    rtspUrl: injectCredentials(row.rtsp_url ?? '', credentials),
    motion: parseStoredMotionSettings(row.motion),
    onvif: row.onvif_host === null ? null : {
      host: row.onvif_host, port: row.onvif_port ?? 80,
      ...(credentials ? { username: credentials.username, password: credentials.password } : {}),
    },
  };
}

export interface PublicCamera {
  id: string;
  name: string;
  kind: CameraKind;
  householdId: string | null;
  zone: string;
  location: { lat: number | null; lon: number | null; address: string | null };
  onvif: { host: string; port: number } | null;
  hasCredentials: boolean;
  rtspUrl: string | null;
  profile: { token: string; width: number | null; height: number | null } | null;
  snapshotUri: string | null;
  status: CameraStatus;
  statusDetail: string | null;
  shareWithOfficers: boolean;
  policeMayView: boolean;
  motion: CameraMotionSettings;
  retention: { snapshotDays: number | null; eventDays: number | null };
  source: 'config' | 'api';
  createdAt: string;
  updatedAt: string;
  stream: Omit<CameraStreamStats, 'cameraId' | 'name' | 'zone'> | null;
}

export function toPublicCamera(row: CameraRow, stats: CameraStreamStats | undefined): PublicCamera {
  const { cameraId: _i, name: _n, zone: _z, ...stream } = stats ?? { cameraId: '', name: '', zone: '' };
  return {
    id: row.id, name: row.name, kind: row.kind as CameraKind, householdId: row.household_id, zone: row.zone,
    location: { lat: row.lat, lon: row.lon, address: row.address },
    onvif: row.onvif_host === null ? null : { host: row.onvif_host, port: row.onvif_port ?? 80 },
    hasCredentials: row.credentials !== null,
    rtspUrl: row.rtsp_url,
    profile: row.profile_token === null ? null : { token: row.profile_token, width: row.stream_width, height: row.stream_height },
    snapshotUri: row.snapshot_uri,
    status: row.status as CameraStatus,
    statusDetail: row.status_detail,
    shareWithOfficers: row.share_with_officers === 1,
    policeMayView: row.police_may_view === 1,
    motion: parseStoredMotionSettings(row.motion),
    retention: { snapshotDays: row.snapshot_retention_days, eventDays: row.event_retention_days },
    source: row.source as 'config' | 'api',
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
    stream: stats ? stream as PublicCamera['stream'] : null,
  };
}
