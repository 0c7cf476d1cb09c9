// How a stored event appears in the history API and its exports; CSV and the SHA256SUMS manifest. Pure.

import type { StoredEventRow } from '../db/events.repository.js';
import type { PublicEvent } from './event-types.js';
import { toPublicEvent } from './event-messages.js';

export type HistoryEvent = PublicEvent & { householdId: string | null; legalHold: boolean };

export function toHistoryEvent(row: StoredEventRow, publicUrl: string): HistoryEvent {
  return { ...toPublicEvent(row, publicUrl), householdId: row.household_id, legalHold: row.legal_hold === 1 };
}

const CSV_COLUMNS = ['id', 'cameraId', 'zone', 'householdId', 'type', 'startedAt', 'endedAt', 'score', 'snapshotSha256', 'incidentId', 'legalHold'] as const;

/**
 * RFC 4180 quoting; a cell a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a leading
 * apostrophe, so a crafted value in an export cannot execute on the officer's computer.
 */
export function csvCell(v: unknown): string {
  let s = v === null || v === undefined ? '' : String(v);
  if (/^[=+\-@\t\r]/.test(s) && typeof v === 'string') s = `'${s}`;
  return /[",\r\n']/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

export function eventsCsv(events: readonly HistoryEvent[]): string {
  const lines = [CSV_COLUMNS.join(',')];
  for (const e of events) lines.push(CSV_COLUMNS.map((c) => csvCell(e[c])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

/** `sha256sum -c` format: the hex digest, two spaces, the path (text mode). */
export function sha256sums(files: ReadonlyArray<{ path: string; sha256: string }>): string {
  return files.map((f) => `${f.sha256}  ${f.path}\n`).join('');
}
