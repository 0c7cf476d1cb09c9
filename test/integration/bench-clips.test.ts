// bench:motion's path end to end on one short clip: the generator makes a labelled clip, the
// simulator serves it with --clip (each client from the first frame, in real time), and a real
// CameraStream analyses its frames and raises an alert for the labelled object.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { generateClips, type ClipSpec } from '../../bench/motion-clips.js';
import { scoreClip, toClipSeconds } from '../../bench/motion-score.js';
import { buildConfig, type CameraConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { ffmpegMajorVersion } from '../../src/main.js';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { CameraStream } from '../../src/streams/camera-stream.js';
import { SnapshotEncoder } from '../../src/streams/snapshot-encoder.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-clips-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

// A dark person walking in from the left 5 s in (the RTSP client drops ~2.3 s while probing).
const spec: ClipSpec = {
  id: 'it-person', scenario: 'person', seconds: 9, seed: 3, nuisance: { kind: 'none' },
  objects: [{ kind: 'person', onset: 5, end: 8.5, w: 24, h: 64, x0: -23, y0: 200, vx: 90, vy: 0, color: 0x1c1c1c }],
};

t.test('a generated clip, served by the simulator, reaches a CameraStream from its first frame', async (t) => {
  const [clip] = await generateClips([spec], dir, { parallel: 1 });
  t.ok(clip, 'clip generated');
  const labels = JSON.parse(readFileSync(clip!.labelsFile, 'utf8')) as { labels: Array<{ onset: number }>; fps: number };
  t.same(labels.labels.map((l) => l.onset), [5], 'labels written beside the clip');
  t.equal(labels.fps, 15);

  const again = await generateClips([spec], dir, { parallel: 1 });
  t.equal(again[0]!.file, clip!.file, 'same parameters reuse the cached clip');

  const sim = await startRtspSimulator({ cameras: [], clips: { clip: clip!.file } });
  t.teardown(() => sim.stop());
  const config = buildConfig({ motion: { width: 320, height: 180, fps: 5 } });
  const camera: CameraConfig = { id: 'clip', name: 'clip', rtspUrl: sim.url('clip'), zone: 'z', householdId: null, shareWithOfficers: true };
  const alerts: number[] = [];
  let firstFrameAt = 0;
  const logger = createLogger({ level: 'silent' });
  const encoder = new SnapshotEncoder({ ...config.stream, logger });
  t.teardown(() => encoder.close());
  const stream = new CameraStream(camera, config.motion, config.stream, {
    logger,
    onEpisode: async (_c, e) => {
      if (e.kind === 'start') alerts.push(Date.now());
    },
    onHealth: async (_c, report) => {
      if (report.condition === 'offline' && !report.active && !firstFrameAt) firstFrameAt = report.at;
    },
    offlineGraceMs: 60_000,
    frozenAfterMs: 30_000,
    coveredAfterMs: 3_000,
    ffmpegMajor: ffmpegMajorVersion('ffmpeg'),
  }, encoder);
  const started = sim.clipStarted('clip');
  const ended = sim.clipEnded('clip');
  await stream.start();
  const startAt = await started;
  await ended;
  const frames = stream.stats().framesAnalysed;
  await stream.close();

  t.ok(Math.abs(startAt - Date.now()) < 30_000, 'clip-start is a wall-clock time');
  t.ok(firstFrameAt > startAt && firstFrameAt - startAt < 5000, `first frame ${firstFrameAt - startAt} ms after the clip started`);
  // 9 s at 5 fps, less what ffmpeg drops while probing.
  t.ok(frames >= 25 && frames <= 46, `${frames} frames analysed`);
  const score = scoreClip(spec.objects, toClipSeconds(alerts, startAt), spec.seconds);
  t.equal(score.detected, 1, `the walking person raised an alert (${alerts.map((a) => a - startAt)} ms into the clip)`);
  t.equal(score.falseAlerts, 0, 'and nothing else did');
});
