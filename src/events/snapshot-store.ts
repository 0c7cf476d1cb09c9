// Snapshot files under DATA_DIR/snapshots/<camera>/<day>/<event>.jpg, written atomically
// (temp file + rename) so a crash never leaves half a JPEG behind a valid row.

import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class SnapshotStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'snapshots');
  }

  /** Returns the path relative to the store root; writing the same event twice is harmless. */
  async save(cameraId: string, eventId: string, startedAt: number, jpeg: Buffer): Promise<string> {
    const day = new Date(startedAt).toISOString().slice(0, 10);
    const rel = path.join(cameraId, day, `${eventId}.jpg`);
    const abs = path.join(this.root, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    const tmp = `${abs}.${process.pid}.tmp`;
    await writeFile(tmp, jpeg);
    await rename(tmp, abs);
    return rel;
  }

  /** Opens a stored snapshot; null when the file is gone. Refuses paths that escape the root. */
  async open(rel: string): Promise<{ stream: ReadStream; size: number } | null> {
    const abs = path.resolve(this.root, rel);
    if (!abs.startsWith(this.root + path.sep)) return null;
    try {
      const s = await stat(abs);
      return { stream: createReadStream(abs), size: s.size };
    } catch {
      return null;
    }
  }
}
