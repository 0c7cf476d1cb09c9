// Masks end to end: the real simulator, ffmpeg (with the privacy overlay), detector, worker and store.

import { spawnSync } from 'node:child_process';
import t from 'tap';
import type { MaskPolygon } from '../../src/motion/masks.js';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { startHarness, waitFor } from '../helpers/harness.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

/** A full-width band from y0 to y1 (fractions of the frame). */
const band = (kind: MaskPolygon['kind'], y0: number, y1: number): MaskPolygon => ({ kind, points: [[0, y0], [1, y0], [1, y1], [0, y1]] });

/** Mean grey level of rows y0..y1 (fractions) of a JPEG, decoded by ffmpeg. */
function meanGrey(jpeg: Buffer, y0: number, y1: number): number {
  const out = spawnSync('ffmpeg', ['-v', 'error', '-i', 'pipe:0', '-f', 'rawvideo', '-pix_fmt', 'gray', '-s', '64x36', 'pipe:1'], { input: jpeg });
  if (out.status !== 0) throw new Error(`ffmpeg could not decode the snapshot: ${out.stderr.toString()}`);
  const rows = out.stdout.subarray(Math.floor(y0 * 36) * 64, Math.ceil(y1 * 36) * 64);
  return rows.reduce((a, v) => a + v, 0) / rows.length;
}

t.test('privacy and ignore masks: motion only inside them raises nothing; snapshots show privacy areas black', async (t) => {
  const redis = await startRedis();
  const broker = await startMosquitto();
  // The simulator's walker fills rows 0.45..0.85 of the frame and crosses its whole width.
  const sim = await startRtspSimulator({ cameras: ['hidden', 'ignored', 'shown'] });
  const h = await startHarness({
    redisUrl: redis.url,
    mqttUrl: broker.url,
    cameras: [
      { id: 'hidden', rtspUrl: sim.url('hidden'), motion: { mode: 'server', sensitivity: 5, masks: [band('privacy', 0.3, 1)] } },
      { id: 'ignored', rtspUrl: sim.url('ignored'), motion: { mode: 'server', sensitivity: 5, masks: [band('ignore', 0.3, 1)] } },
      { id: 'shown', rtspUrl: sim.url('shown'), motion: { mode: 'server', sensitivity: 5, masks: [band('privacy', 0, 0.25)] } },
    ],
  });
  t.teardown(async () => {
    await h.close();
    await sim.stop();
    await redis.stop();
    await broker.stop();
  });

  await waitFor('all streams analysing', () => ['hidden', 'ignored', 'shown'].every((id) => h.framesOf(id) >= 20), 60_000);
  await Promise.all(['hidden', 'ignored', 'shown'].map((id) => sim.cross(id, 3)));
  const end = await waitFor('the shown camera’s event ends', () => h.eventMessages().find((m) => m.type === 'end' && m.event.cameraId === 'shown'), 60_000);
  // The masked cameras had the same crossing at the same time; give them as many quiet frames again.
  const frames = h.framesOf('hidden');
  const enough = Math.ceil((h.config.motion.endAfterSec + 2) * h.config.motion.fps);
  await waitFor('quiet frames after the crossing', () => h.framesOf('hidden') >= frames + enough && h.framesOf('ignored') >= frames + enough, 60_000);

  const cams = new Set(h.eventMessages().map((m) => m.event.cameraId));
  t.notOk(cams.has('hidden'), 'motion inside a privacy mask raised nothing');
  t.notOk(cams.has('ignored'), 'motion inside an ignore zone raised nothing');
  t.equal(await h.service.events.count(), 1, 'one event row: the shown camera’s');

  const snap = await h.inject({ method: 'GET', url: `/api/events/${end.event.id}/snapshot.jpg` });
  t.equal(snap.statusCode, 200);
  const top = meanGrey(snap.rawPayload, 0, 0.2);
  const rest = meanGrey(snap.rawPayload, 0.3, 1);
  t.ok(top < 8, `the privacy band is black in the snapshot (mean ${top.toFixed(1)})`);
  t.ok(rest > 40, `the rest of the picture is there (mean ${rest.toFixed(1)})`);
  const thumb = await h.inject({ method: 'GET', url: `/api/events/${end.event.id}/thumbnail.jpg` });
  t.ok(meanGrey(thumb.rawPayload, 0, 0.2) < 8, 'and in the thumbnail');
});
