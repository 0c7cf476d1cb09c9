// The patrol raw-frame channel against the real ffmpeg: ffmpeg listens on the channel's socket
// (`-listen 1`), Node connects once the socket is there and reads into one reused buffer; the frames
// it keeps must be exactly what ffmpeg sent, however the reads fell.

import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import t from 'tap';
import { RawFrameChannel } from '../../src/streams/raw-frame-channel.js';

const W = 320;
const H = 180;
const FRAMES = 6;
const SOURCE = `testsrc=s=${W}x${H}:r=5`;

/** The same frames as ffmpeg sends the channel, decoded on their own. */
function reference(): Buffer[] {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', SOURCE, '-frames:v', String(FRAMES), '-f', 'rawvideo', '-pix_fmt', 'yuv420p', 'pipe:1'], { maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(r.stderr.toString());
  const size = W * H * 1.5;
  return Array.from({ length: FRAMES }, (_, i) => r.stdout.subarray(i * size, (i + 1) * size));
}

/** ffmpeg writes FRAMES frames to the channel, listening on its socket; resolves with its exit code and stderr. */
async function sendFrames(channel: RawFrameChannel): Promise<{ code: number | null; stderr: string }> {
  const ff = spawn('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', SOURCE, '-frames:v', String(FRAMES),
    '-f', 'yuv4mpegpipe', '-pix_fmt', 'yuv420p', '-listen', '1', channel.target], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  ff.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const code = await new Promise<number | null>((resolve) => ff.on('close', resolve));
  return { code, stderr };
}

t.test('ffmpeg listens, Node connects and keeps the last frames intact', async (t) => {
  const channel = new RawFrameChannel(2);
  t.ok(channel.ffmpegListens, 'the raw frames come over a socket ffmpeg listens on');
  await channel.start();
  t.notOk(existsSync(channel.socketPath), 'nothing there until ffmpeg makes it');
  const { code, stderr } = await sendFrames(channel);
  t.equal(code, 0, `ffmpeg wrote every frame to Node (it waits for the connection): ${stderr}`);

  const ref = reference();
  const last = await channel.frameFor(FRAMES, 5000);
  const before = await channel.frameFor(FRAMES - 1, 5000);
  t.same([last?.width, last?.height], [W, H]);
  t.ok(last?.data.equals(ref[FRAMES - 1]!), 'the last frame, byte for byte');
  t.ok(before?.data.equals(ref[FRAMES - 2]!), 'the one before it, byte for byte');
  t.notOk(ref[FRAMES - 1]!.equals(ref[FRAMES - 2]!), 'and they differ, so a mix-up would show');
  await channel.close();
});

t.test('a channel keeping one frame (patrol) gives the newest for an older one', async (t) => {
  const channel = new RawFrameChannel(1);
  await channel.start();
  t.equal((await sendFrames(channel)).code, 0);
  const ref = reference();
  const last = await channel.frameFor(FRAMES, 5000);
  t.ok(last?.data.equals(ref[FRAMES - 1]!), 'the last frame, byte for byte');
  t.ok((await channel.frameFor(FRAMES - 1, 10))?.data.equals(ref[FRAMES - 1]!), 'the one before is gone: the newest instead');
  await channel.close();
});

t.test('a frame already judged is passed over unless an event asked for it first', async (t) => {
  const channel = new RawFrameChannel(2);
  await channel.start();
  // As a detection verdict does: the event asks for its frame, then the frame counts as judged.
  const asked = channel.frameFor(FRAMES, 5000);
  channel.judged(FRAMES);
  t.equal((await sendFrames(channel)).code, 0);
  const ref = reference();
  t.ok((await asked)?.data.equals(ref[FRAMES - 1]!), 'the frame asked for, byte for byte');
  t.equal(await channel.frameFor(FRAMES - 1, 10), null, 'a judged frame nobody asked for was never kept');
  await channel.close();
});

t.test('a channel closed before ffmpeg came leaves nothing waiting', async (t) => {
  const channel = new RawFrameChannel(1);
  await channel.start();
  await channel.close();
  t.notOk(existsSync(channel.socketPath));
  t.equal(await channel.frameFor(1, 10), null, 'no frame, no wait');
});
