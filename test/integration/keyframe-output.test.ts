// The analysis command (ffmpeg-args.ts) run by the real ffmpeg in patrol: a keyframe must leave
// ffmpeg as soon as it is decoded, not when the next keyframe arrives. ffmpeg's rawvideo encoder is
// frame-threaded by default and holds one frame back, which in patrol is a whole GOP (2 s at a
// camera's usual settings): every alert came that much late. And the first keyframe must not be lost
// to probing the stream. Here we feed the H.264 ourselves, one GOP at a time, and wait for the first
// keyframe's frames before sending the second GOP.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import t from 'tap';
import { buildAnalysisSpec, specToArgv } from '../../src/streams/ffmpeg-args.js';

const W = 64;
const H = 36;
const DET_BYTES = (W * H * 3) / 2;
const FULL_BYTES = (160 * 90 * 3) / 2;

/** One GOP of Annex-B H.264 (SPS/PPS + IDR + 29 P frames), as a camera sends it. */
function gop(dir: string): Buffer {
  const file = join(dir, 'gop.h264');
  const r = spawnSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=r=15:d=2:s=160x90',
    '-c:v', 'libx264', '-g', '30', '-bf', '0', '-preset', 'ultrafast', '-f', 'h264', '-y', file,
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return readFileSync(file);
}

/** Collects a stream's bytes; `until(p)` resolves once what came so far satisfies `p`. */
function collect(stream: Readable): { until: (p: (b: Buffer) => boolean) => Promise<void>; ended: Promise<Buffer> } {
  let all = Buffer.alloc(0);
  const ended = new Promise<Buffer>((resolve) => stream.on('end', () => resolve(all)));
  const waiters: { p: (b: Buffer) => boolean; resolve: () => void }[] = [];
  stream.on('data', (c: Buffer) => {
    all = Buffer.concat([all, c]);
    for (const w of waiters.splice(0)) if (w.p(all)) w.resolve(); else waiters.push(w);
  });
  return { until: (p) => (p(all) ? Promise.resolve() : new Promise((resolve) => waiters.push({ p, resolve }))), ended };
}

/** y4m: a header line, then "FRAME\n" and the picture for each frame. */
function y4mFrames(b: Buffer): number {
  let n = 0;
  for (let at = b.indexOf('FRAME\n'); at >= 0 && b.length >= at + 6 + FULL_BYTES; at = b.indexOf('FRAME\n', at + 6 + FULL_BYTES)) n++;
  return n;
}

t.test('a patrol keyframe leaves ffmpeg before the next keyframe comes in, the first one too', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mt-keyframe-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const oneGop = gop(dir);

  const spec = buildAnalysisSpec({
    rtspUrl: 'rtsp://unused/s', fps: 5, width: W, height: H, rtspTimeoutSec: 1, ffmpegMajor: 5,
    snapshotWidth: 160, imageTarget: 'pipe:3', keyframesOnly: true,
  });
  // The camera input's RTSP options do not apply to a pipe; every other option is the service's own.
  const rtspOnly = new Set(['-protocol_whitelist', '-rtsp_transport', '-timeout']);
  const inputOptions = spec.inputOptions.filter((o, i, a) => !rtspOnly.has(o) && !rtspOnly.has(a[i - 1] ?? ''));
  t.ok(inputOptions.includes('-skip_frame'), 'patrol decodes keyframes only');
  const argv = specToArgv({ ...spec, inputOptions: ['-f', 'h264', ...inputOptions], input: 'pipe:0' });

  const ff = spawn('ffmpeg', argv, { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  let stderr = '';
  ff.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const exited = new Promise<number | null>((resolve) => ff.on('close', resolve));
  t.teardown(() => { ff.kill('SIGKILL'); });
  const det = collect(ff.stdout);
  const full = collect(ff.stdio[3] as Readable);

  // One GOP is all ffmpeg has: a frame held back (or thrown away with the packets the stream's
  // probe read, as `-fflags nobuffer` does) never comes out, and the deadline fails the test.
  ff.stdin.write(oneGop);
  const deadline = new Promise<never>((_, reject) => {
    const timer = setTimeout(() => reject(new Error(`no keyframe out of ffmpeg while it waits for the next GOP; stderr: ${stderr}`)), 20_000);
    t.teardown(() => clearTimeout(timer));
  });
  await Promise.race([Promise.all([det.until((b) => b.length >= DET_BYTES), full.until((b) => y4mFrames(b) >= 1)]), deadline]);
  t.pass('the keyframe came out on both outputs before the next GOP was sent');

  ff.stdin.end(oneGop);
  t.equal(await exited, 0, stderr);
  t.equal((await det.ended).length, 2 * DET_BYTES, 'one detection frame per keyframe, none lost');
  t.equal(y4mFrames(await full.ended), 2, 'one full-size frame per keyframe');
});
