// The analysis filter's frame sampling (ffmpeg-args.ts) run by the real ffmpeg on a stream whose
// timestamps jump back, as a camera's do after a clock reset or an upstream restart.

import { spawnSync } from 'node:child_process';
import t from 'tap';
import { buildAnalysisSpec } from '../../src/streams/ffmpeg-args.js';

const spec = buildAnalysisSpec({
  rtspUrl: 'rtsp://h/s', fps: 5, width: 64, height: 36, rtspTimeoutSec: 1, ffmpegMajor: 5,
  snapshotWidth: 64, imageTarget: 'unix:/s',
});
const select = /select='[^']+'/.exec(spec.complexFilter)?.[0] as string;

/** Frames the sampling passes of 4 s at 15 fps whose timestamps go back 2 s after the first 2 s. */
function framesPassed(sampling: string): number {
  const r = spawnSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc=r=15:d=4:s=64x36',
    '-vf', `setpts='if(gte(N,30),PTS-2/TB,PTS)',${sampling}`, '-fps_mode', 'passthrough', '-f', 'framecrc', '-',
  ], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.split('\n').filter((l) => /^\d+,/.test(l)).length;
}

t.test('frames keep coming at the analysis rate when timestamps jump back', async (t) => {
  t.ok(select, 'the spec samples with a select filter');
  // 4 s of picture at 5 fps: about 20 frames.
  const passed = framesPassed(select);
  t.ok(passed >= 18 && passed <= 22, `passed ${passed} frames`);
  // The sampling without its jump clause passes nothing for the 2 s after the jump.
  const naive = framesPassed(select.replace('+lt(t,prev_selected_t)', ''));
  t.ok(naive <= 12, `without the clause: ${naive} frames`);
});
