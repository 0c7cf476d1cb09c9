// Encodes a kept full-resolution frame into the snapshot and thumbnail JPEGs, on demand (one short
// ffmpeg per event). Patrol cameras use it instead of encoding two JPEGs of every keyframe: events
// are rare, keyframes are not, and the encoding was a third of a patrolling ffmpeg's CPU.

import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { y4mBytes, type Y4mFrame } from './y4m-reader.js';

export interface SnapshotJpegs {
  snapshot: Buffer | null;
  thumbnail: Buffer | null;
}

const TIMEOUT_MS = 10_000;

function collect(stream: Readable | null): Promise<Buffer> {
  const parts: Buffer[] = [];
  return new Promise((resolve) => {
    if (!stream) return resolve(Buffer.alloc(0));
    stream.on('data', (c: Buffer) => parts.push(c));
    stream.on('error', () => resolve(Buffer.concat(parts)));
    stream.on('end', () => resolve(Buffer.concat(parts)));
  });
}

/** Never rejects: a failed encode gives null images (the event still goes out, without a picture). */
export async function encodeSnapshot(ffmpegPath: string, frame: Y4mFrame, snapshotWidth: number, thumbnailWidth: number): Promise<SnapshotJpegs> {
  const args = [
    '-hide_banner', '-nostdin', '-loglevel', 'error', '-threads', '1', '-f', 'yuv4mpegpipe', '-i', 'pipe:0',
    '-filter_complex', `[0:v]scale='min(${snapshotWidth},iw)':-2,format=yuvj420p,split=2[snap][t];[t]scale='min(${thumbnailWidth},iw)':-2[thumb]`,
    '-map', '[snap]', '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '5', 'pipe:1',
    '-map', '[thumb]', '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'mjpeg', '-q:v', '8', 'pipe:3',
  ];
  const child = spawn(ffmpegPath, args, { stdio: ['pipe', 'pipe', 'ignore', 'pipe'] });
  const timer = setTimeout(() => child.kill('SIGKILL'), TIMEOUT_MS);
  child.stdin?.on('error', () => {});
  child.stdin?.end(y4mBytes(frame));
  const [snapshot, thumbnail, ok] = await Promise.all([
    collect(child.stdout),
    collect(child.stdio[3] as Readable | null),
    new Promise<boolean>((resolve) => {
      child.once('error', () => resolve(false));
      child.once('close', (code) => resolve(code === 0));
    }),
  ]);
  clearTimeout(timer);
  const jpeg = (b: Buffer) => (ok && b.length > 4 && b[0] === 0xff && b[1] === 0xd8 ? b : null);
  return { snapshot: jpeg(snapshot), thumbnail: jpeg(thumbnail) };
}
