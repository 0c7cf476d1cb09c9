// The audit log's hash chain, pure: each entry's hash covers its sequence number, its fields and the
// previous entry's hash, so changing or deleting an entry breaks the chain at that point.

import { createHash } from 'node:crypto';
import type { AuditLogTable } from '../db/schema.js';

export const GENESIS_HASH = '0'.repeat(64);

/** An entry as the service writes it (the columns are documented on the table type). */
export type AuditFields = Omit<AuditLogTable, 'seq' | 'prev_hash' | 'hash'>;

export type ChainedEntry = AuditLogTable;

/** Field order is fixed here, not taken from the object, so the hash does not depend on how a row was built. */
export function entryHash(prevHash: string, seq: number, f: AuditFields): string {
  const canonical = JSON.stringify([
    seq, f.at, f.user_id, f.username, f.role, f.ip, f.method, f.route, f.action, f.filter, f.reason, f.status, f.outcome, f.result_count,
  ]);
  return createHash('sha256').update(`${prevHash}\n${canonical}`).digest('hex');
}

export function chain(prev: { seq: number; hash: string } | null, f: AuditFields): ChainedEntry {
  const seq = (prev?.seq ?? 0) + 1;
  const prevHash = prev?.hash ?? GENESIS_HASH;
  return { ...f, seq, prev_hash: prevHash, hash: entryHash(prevHash, seq, f) };
}

export type ChainBreak = { seq: number; reason: 'modified' | 'deleted-before' | 'relinked' };

/**
 * Checks entries in order, continuing from `prev` (the last entry of the previous page, or null at the
 * start). Returns the first break: an entry whose hash does not match its content (modified), a gap in
 * the sequence (entries deleted before it), or a prev_hash that does not name the entry before it.
 */
export function findBreak(prev: { seq: number; hash: string } | null, entries: readonly ChainedEntry[]): ChainBreak | null {
  let last = prev;
  for (const e of entries) {
    if (e.seq !== (last?.seq ?? 0) + 1) return { seq: e.seq, reason: 'deleted-before' };
    if (e.prev_hash !== (last?.hash ?? GENESIS_HASH)) return { seq: e.seq, reason: 'relinked' };
    if (entryHash(e.prev_hash, e.seq, e) !== e.hash) return { seq: e.seq, reason: 'modified' };
    last = e;
  }
  return null;
}
