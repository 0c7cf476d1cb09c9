// The history API's query string as an EventSearch, and the opaque page cursor. Pure.

import type { ViewScope } from '../auth/viewer.js';
import type { EventCursor, EventSearch } from '../db/event-search.js';
import { MatThanError } from '../errors.js';

const ID_PATTERN = '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const EVENT_TYPES = ['motion', 'offline', 'frozen', 'covered'] as const;

/** The filters as a JSON schema (shared by the list and the export; unknown parameters are refused). */
export const filterProperties = {
  cameraId: { type: 'string', pattern: ID_PATTERN },
  zone: { type: 'string', pattern: ID_PATTERN },
  householdId: { type: 'string', pattern: ID_PATTERN },
  type: { enum: EVENT_TYPES },
  from: { type: 'string', format: 'date-time', description: 'started at or after (ISO 8601)' },
  to: { type: 'string', format: 'date-time', description: 'started before (ISO 8601)' },
  minScore: { type: 'number', minimum: 0, maximum: 1 },
  reason: { type: 'string', maxLength: 200, description: 'case reference; required for police accounts' },
} as const;

export interface FilterQuery {
  cameraId?: string;
  zone?: string;
  householdId?: string;
  type?: (typeof EVENT_TYPES)[number];
  from?: string;
  to?: string;
  minScore?: number;
  reason?: string;
}

function epochMs(name: string, iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const ms = Date.parse(iso);
  if (!Number.isFinite(ms)) throw new MatThanError('VALIDATION_FAILED', `${name} is not a date-time`);
  return ms;
}

export function toSearch(q: FilterQuery, scope: ViewScope, limit: number, cursor?: string): EventSearch {
  const from = epochMs('from', q.from);
  const to = epochMs('to', q.to);
  if (from !== undefined && to !== undefined && from >= to) throw new MatThanError('VALIDATION_FAILED', 'from must be before to');
  const search: EventSearch = { scope, limit };
  if (q.cameraId !== undefined) search.cameraId = q.cameraId;
  if (q.zone !== undefined) search.zone = q.zone;
  if (q.householdId !== undefined) search.householdId = q.householdId;
  if (q.type !== undefined) search.type = q.type;
  if (from !== undefined) search.from = from;
  if (to !== undefined) search.to = to;
  if (q.minScore !== undefined) search.minScore = q.minScore;
  if (cursor !== undefined) search.after = decodeCursor(cursor);
  return search;
}

/** base64url of `[startedAt, id]`: opaque to clients, who only pass back a nextCursor. */
export function encodeCursor(c: EventCursor): string {
  return Buffer.from(JSON.stringify([c.startedAt, c.id])).toString('base64url');
}

/** Strict: anything but the exact shape encodeCursor makes is CURSOR_INVALID. */
export function decodeCursor(s: string): EventCursor {
  if (s.length === 0 || s.length > 200 || !/^[A-Za-z0-9_-]+$/.test(s)) throw new MatThanError('CURSOR_INVALID');
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
  } catch {
    throw new MatThanError('CURSOR_INVALID');
  }
  if (!Array.isArray(v) || v.length !== 2) throw new MatThanError('CURSOR_INVALID');
  const [startedAt, id] = v as [unknown, unknown];
  if (!Number.isSafeInteger(startedAt) || (startedAt as number) < 0 || typeof id !== 'string' || !UUID.test(id)) throw new MatThanError('CURSOR_INVALID');
  return { startedAt: startedAt as number, id };
}
