// The evidence archive: events.json, each event's snapshot, and SHA256SUMS over all of them, so a police
// officer can check the files with `sha256sum -c SHA256SUMS` after unzipping.

import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import yazl from 'yazl';
import type { StoredEventRow } from '../db/events.repository.js';
import type { SnapshotStore } from '../events/snapshot-store.js';
import { sha256sums } from '../events/history-view.js';

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export interface ZipExport {
  stream: Readable;
  /** Snapshots whose file was missing (retention or an operator removed it), or differs from the hash stored at capture. */
  missing: string[];
  altered: string[];
}

export async function buildEvidenceZip(rows: readonly StoredEventRow[], header: Record<string, unknown>, snapshots: SnapshotStore): Promise<ZipExport> {
  const zip = new yazl.ZipFile();
  const files: Array<{ path: string; sha256: string }> = [];
  const missing: string[] = [];
  const altered: string[] = [];
  const mtime = new Date();
  for (const row of rows) {
    const jpeg = row.snapshot_path === null ? null : await snapshots.read(row.snapshot_path);
    if (jpeg === null) {
      if (row.snapshot_path !== null) missing.push(row.id);
      continue;
    }
    const hash = sha256(jpeg);
    if (row.snapshot_sha256 !== null && row.snapshot_sha256 !== hash) altered.push(row.id);
    const name = `snapshots/${row.id}.jpg`;
    zip.addBuffer(jpeg, name, { mtime, compress: false });
    files.push({ path: name, sha256: hash });
  }
  const json = Buffer.from(`${JSON.stringify({ ...header, missingSnapshots: missing, alteredSnapshots: altered }, null, 2)}\n`);
  zip.addBuffer(json, 'events.json', { mtime });
  files.unshift({ path: 'events.json', sha256: sha256(json) });
  zip.addBuffer(Buffer.from(sha256sums(files)), 'SHA256SUMS', { mtime });
  zip.end();
  return { stream: zip.outputStream as Readable, missing, altered };
}
