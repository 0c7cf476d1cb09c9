// Snapshot files under DATA_DIR/snapshots/<camera>/<day>/<event>[-n][.thumb].jpg, written atomically
// (temp file + rename) so a crash never leaves half a JPEG behind a valid row.

import { createHash } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export interface StoredImage {
  /** Relative to the store root. */
  path: string;
  sha256: string;
}

export class SnapshotStore {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = path.join(dataDir, 'snapshots');
  }

  /** `name` distinguishes an event's images (e.g. `<id>`, `<id>-2.thumb`); writing the same one twice is harmless. */
  async save(cameraId: string, name: string, takenAt: number, jpeg: Buffer): Promise<StoredImage> {
    const day = new Date(takenAt).toISOString().slice(0, 10);
    const rel = path.join(cameraId, day, `${name}.jpg`);
    const abs = path.join(this.root, rel);
    await mkdir(path.dirname(abs), { recursive: true });
    const tmp = `${abs}.${process.pid}.tmp`;
    await writeFile(tmp, jpeg);
    await rename(tmp, abs);
    return { path: rel, sha256: createHash('sha256').update(jpeg).digest('hex') };
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
