// The privacy-mask image ffmpeg reads, in a private temporary directory removed on close.

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { privacyOverlayPam, type MaskPolygon } from '../motion/masks.js';

export interface MaskFile {
  path: string;
  remove(): Promise<void>;
}

/** Null when there is no privacy mask: ffmpeg then gets no second input at all. */
export async function writePrivacyMask(masks: readonly MaskPolygon[]): Promise<MaskFile | null> {
  const image = privacyOverlayPam(masks);
  if (image === null) return null;
  const dir = await mkdtemp(path.join(os.tmpdir(), 'mt-mask-'));
  const file = path.join(dir, 'privacy.pam');
  await writeFile(file, image, { mode: 0o600 });
  return { path: file, remove: () => rm(dir, { recursive: true, force: true }) };
}
