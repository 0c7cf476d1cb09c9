// Real RTSP simulator (GStreamer) read by real ffmpeg: frame sizes, a visible crossing
// on one camera only, and stop() -> start() on the same port.
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';

const W = 160;
const H = 90;
const FRAME_BYTES = W * H;
const PIXEL_CHANGED = 30; // grey levels; sensor noise + coding error stay well below

/** Reads `count` grey 160x90 frames; `onFirstFrame` fires once the first one arrived. */
function readFrames(url: string, count: number, onFirstFrame?: () => void): Promise<Buffer[]> {
  const args = ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', url, '-frames:v', String(count),
    '-vf', `scale=${W}:${H},format=gray`, '-f', 'rawvideo', 'pipe:1'];
  const ff = spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const chunks: Buffer[] = [];
  let bytes = 0;
  let stderr = '';
  ff.stdout.on('data', (chunk: Buffer) => {
    chunks.push(chunk);
    const before = bytes;
    bytes += chunk.length;
    if (before < FRAME_BYTES && bytes >= FRAME_BYTES) onFirstFrame?.();
  });
  ff.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const killer = setTimeout(() => ff.kill('SIGKILL'), 15_000 + (count / 15) * 1000);
  return new Promise((resolve, reject) => {
    ff.on('error', reject);
    ff.on('close', (code, signal) => {
      clearTimeout(killer);
      if (code !== 0) return reject(new Error(`ffmpeg ${url} failed (${signal ?? code}): ${stderr.trim()}`));
      const all = Buffer.concat(chunks);
      const frames: Buffer[] = [];
      for (let off = 0; off < all.length; off += FRAME_BYTES) frames.push(all.subarray(off, off + FRAME_BYTES));
      resolve(frames);
    });
  });
}

/** Fraction of pixels that changed clearly, and the mean x of those pixels. */
function changed(a: Buffer, b: Buffer): { fraction: number; meanX: number } {
  let n = 0;
  let sumX = 0;
  for (let i = 0; i < FRAME_BYTES; i++) {
    if (Math.abs(a[i]! - b[i]!) > PIXEL_CHANGED) {
      n++;
      sumX += i % W;
    }
  }
  return { fraction: n / FRAME_BYTES, meanX: n ? sumX / n : NaN };
}

function meanAbsDiff(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < FRAME_BYTES; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / FRAME_BYTES;
}

const sim = await startRtspSimulator({ cameras: ['cam1', 'cam2'] });
t.teardown(() => sim.stop());

t.test('serves a live, static scene per camera', async (t) => {
  t.equal(sim.url('cam1'), `rtsp://127.0.0.1:${sim.port}/cam1`);
  const frames = await readFrames(sim.url('cam1'), 20);
  t.equal(frames.length, 20, '20 frames');
  t.ok(frames.every((f) => f.length === FRAME_BYTES), `each frame is ${FRAME_BYTES} bytes`);
  const first = frames[0]!;
  const maxMad = Math.max(...frames.map((f) => meanAbsDiff(first, f)));
  const maxFraction = Math.max(...frames.map((f) => changed(first, f).fraction));
  t.ok(maxMad < 3, `no crossing: mean abs diff vs first frame stays small (${maxMad.toFixed(2)})`);
  t.ok(maxFraction < 0.005, `no crossing: changed pixels stay rare (${(maxFraction * 100).toFixed(2)}%)`);
  const spread = Math.max(...first) - Math.min(...first);
  t.ok(spread > 60, `background is textured, not flat (luma spread ${spread})`);
});

t.test('a crossing shows on its camera only, moving left to right', async (t) => {
  // ffmpeg buffers ~2-3 s of stream while probing (20 frames to estimate fps), so the
  // first frame is printed well after it was sent. Starting the crossing then keeps
  // frame 0 a no-crossing reference; 50 frames leave >= 2 s of stream after the start.
  const COUNT = 50;
  let crossing: Promise<void> | undefined;
  const [cam1, cam1b, cam2] = await Promise.all([
    readFrames(sim.url('cam1'), COUNT, () => (crossing = sim.cross('cam1', 2))),
    readFrames(sim.url('cam1'), COUNT), // second client on the same shared media
    readFrames(sim.url('cam2'), COUNT),
  ]);
  t.ok(crossing, 'crossing was started');
  await crossing;
  t.pass('cross() resolved on crossing-end');

  for (const [name, frames] of [['cam1', cam1], ['cam1 (2nd client)', cam1b]] as const) {
    t.equal(frames.length, COUNT, `${name}: ${COUNT} frames`);
    const diffs = frames.map((f) => changed(frames[0]!, f));
    const maxFraction = Math.max(...diffs.map((d) => d.fraction));
    const maxMad = Math.max(...frames.map((f) => meanAbsDiff(frames[0]!, f)));
    // The object is 16x36 px of 160x90 (4%) when fully in the frame.
    t.ok(maxFraction > 0.025, `${name}: object visible (${(maxFraction * 100).toFixed(2)}% pixels changed)`);
    t.ok(maxMad > 2, `${name}: mean abs diff rises during crossing (${maxMad.toFixed(2)})`);
    const xs = diffs.filter((d) => d.fraction > 0.01).map((d) => d.meanX);
    t.ok(xs.length >= 5 && xs.at(-1)! - xs[0]! > W / 3, `${name}: object moves left to right (${xs.map(Math.round)})`);
  }
  const cam2Max = Math.max(...cam2.map((f) => changed(cam2[0]!, f).fraction));
  t.ok(cam2Max < 0.005, `cam2 unaffected (${(cam2Max * 100).toFixed(2)}% pixels changed)`);

  const after = await readFrames(sim.url('cam1'), 3);
  const left = Math.max(...after.map((f) => changed(cam1[0]!, f).fraction));
  t.ok(left < 0.005, `object gone after crossing-end (${(left * 100).toFixed(2)}% pixels changed)`);
});

t.test('stop() then start() serves again on the same port', async (t) => {
  const port = sim.port;
  await sim.stop();
  await t.rejects(readFrames(sim.url('cam2'), 1), 'nothing served while stopped');
  await t.rejects(sim.cross('cam2', 1), /not running/, 'cross() rejects while stopped');
  await sim.start();
  t.equal(sim.port, port, 'same port');
  const frames = await readFrames(sim.url('cam2'), 10);
  t.equal(frames.length, 10, '10 frames after restart');
  t.ok(frames.every((f) => f.length === FRAME_BYTES), 'frame sizes after restart');
  await sim.cross('cam2', 0.5);
  t.pass('crossing works after restart');
});

/** Share of pixels more than 2 grey levels apart: live noise moves 15–40 % of them, a re-encoded still picture ~0. */
function noisyShare(a: Buffer, b: Buffer): number {
  let n = 0;
  for (let i = 0; i < FRAME_BYTES; i++) if (Math.abs(a[i]! - b[i]!) > 2) n++;
  return n / FRAME_BYTES;
}

t.test('freeze holds the picture, cover shows black, and both undo', async (t) => {
  const live = await readFrames(sim.url('cam1'), 6);
  t.ok(noisyShare(live[1]!, live[5]!) > 0.05, `a live picture has noise (${noisyShare(live[1]!, live[5]!)})`);
  await sim.freeze('cam1');
  const frozen = await readFrames(sim.url('cam1'), 12);
  // The first frames of a join may still be settling on the keyframe; compare from the middle on.
  t.ok(noisyShare(frozen[4]!, frozen[11]!) < 0.01, `a frozen picture stands still (${noisyShare(frozen[4]!, frozen[11]!)})`);
  await sim.unfreeze('cam1');
  const thawed = await readFrames(sim.url('cam1'), 6);
  t.ok(noisyShare(thawed[1]!, thawed[5]!) > 0.05, 'noise returns after unfreeze');

  await sim.cover('cam2', 30);
  // A client joining the running stream mid-GOP may decode a frame or two before the next keyframe
  // repairs it (grey concealment); judge the frames after those.
  const covered = (await readFrames(sim.url('cam2'), 8)).slice(-4);
  const mean = (f: Buffer) => f.reduce((s, v) => s + v, 0) / f.length;
  t.ok(covered.every((f) => mean(f) < 20 && f.every((v) => Math.abs(v - f[0]!) <= 2)), 'covered: uniform black');
  await sim.uncover('cam2');
  const uncovered = await readFrames(sim.url('cam2'), 4);
  t.ok(mean(uncovered[3]!) > 80, `the scene is back (mean ${mean(uncovered[3]!)})`);
  await t.rejects(sim.freeze('nope'), /unknown simulated camera/);
  await t.rejects(sim.cover('cam1', 0), RangeError);
});

t.test('rejects unknown cameras and bad durations', async (t) => {
  await t.rejects(sim.cross('nope'), /unknown simulated camera/);
  await t.rejects(sim.cross('cam1', 0), RangeError);
  await t.rejects(startRtspSimulator({ cameras: ['bad id'] }), /camera ids/);
  await t.rejects(startRtspSimulator({ cameras: ['cam1'], python: '/nonexistent/python3' }), /python3-gi/);
  await t.rejects(startRtspSimulator({ cameras: ['cam1'], port: sim.port }), /Address already in use/, 'port taken');
});

t.test('clip mounts of one file can share one playback (shareClips)', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-sim-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const clip = path.join(dir, 'clip.mkv');
  const made = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=s=320x180:r=15:d=14',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-g', '15', '-pix_fmt', 'yuv420p', clip]);
  t.equal(made.status, 0, 'clip made');
  const playbacks = async (shareClips: number | undefined): Promise<number> => {
    const s = await startRtspSimulator({ cameras: [], clips: { a: clip, b: clip }, shareClips });
    try {
      // The second client joins once the first one plays, and the first plays on long enough (10 s)
      // for it to join even on a loaded box: a playback with no client left ends.
      let joined: Promise<Buffer[]> | null = null;
      const first = await readFrames(s.url('a'), 150, () => { joined = readFrames(s.url('b'), 10); });
      t.equal(first.length, 150, 'the first client reads on while the second joins');
      t.equal((await (joined as Promise<Buffer[]> | null))?.length, 10, 'the joining client gets pictures');
      return s.clipStarts('a').length + s.clipStarts('b').length;
    } finally {
      await s.stop();
    }
  };
  t.equal(await playbacks(1), 1, 'shared: one playback serves both mounts');
  t.equal(await playbacks(undefined), 2, 'not shared: a playback per client');
});
