// Health reports become event jobs: one event per camera and condition, its id made at detection.

import t from 'tap';
import { buildConfig, type CameraConfig } from '../../../src/config.js';
import { CameraEvents } from '../../../src/events/camera-events.js';

const [cam1, cam2] = buildConfig({ cameras: [{ id: 'cam1', rtspUrl: 'rtsp://10.0.0.5/s' }, { id: 'cam2', rtspUrl: 'rtsp://10.0.0.6/s' }] }).cameras as [CameraConfig, CameraConfig];

t.test('each condition opens its own event and its clearing ends that event', async (t) => {
  const e = new CameraEvents();
  const frozen = e.fromHealth(cam1, { condition: 'frozen', active: true, at: 10 });
  const covered = e.fromHealth(cam1, { condition: 'covered', active: true, at: 20 });
  t.match(frozen, { kind: 'new', camera: { id: 'cam1' }, event: { type: 'frozen', startedAt: 10, score: 0, box: null }, snapshot: null });
  t.match(covered, { kind: 'new', event: { type: 'covered', startedAt: 20 } });
  const frozenId = frozen?.kind === 'new' ? frozen.event.id : '';
  const coveredId = covered?.kind === 'new' ? covered.event.id : '';
  t.not(frozenId, coveredId);
  t.match(e.fromHealth(cam1, { condition: 'covered', active: false, at: 30 }), { kind: 'end', event: { id: coveredId, endedAt: 30 } });
  t.match(e.fromHealth(cam1, { condition: 'frozen', active: false, at: 40 }), { kind: 'end', event: { id: frozenId, endedAt: 40 } });
  t.equal(e.fromHealth(cam1, { condition: 'frozen', active: false, at: 50 }), null, 'a clearing with nothing open says nothing');
});

t.test('a repeated report keeps the open id; cameras are apart', async (t) => {
  const e = new CameraEvents();
  const a = e.fromHealth(cam1, { condition: 'covered', active: true, at: 1 });
  const again = e.fromHealth(cam1, { condition: 'covered', active: true, at: 2 });
  t.equal(again?.kind === 'new' && again.event.id, a?.kind === 'new' && a.event.id);
  t.equal(e.fromHealth(cam2, { condition: 'covered', active: false, at: 3 }), null, 'cam2 had nothing open');
});

t.test('offline: first online is availability only; offline then online is an event', async (t) => {
  const e = new CameraEvents();
  t.same(e.fromHealth(cam1, { condition: 'offline', active: false, at: 1 }), { kind: 'availability', camera: { id: 'cam1', name: 'cam1', zone: 'default', householdId: null, shareWithOfficers: true }, online: true, at: 1 });
  const down = e.fromHealth(cam1, { condition: 'offline', active: true, at: 2 });
  t.match(down, { kind: 'new', event: { type: 'offline', startedAt: 2 } });
  t.match(e.fromHealth(cam1, { condition: 'offline', active: false, at: 3 }), { kind: 'end', event: { id: down?.kind === 'new' ? down.event.id : '', endedAt: 3 } });
});

t.test('watching: keeps the events this process has open for the camera, and only that camera\'s', async (t) => {
  const e = new CameraEvents();
  const frozen = e.fromHealth(cam1, { condition: 'frozen', active: true, at: 1 });
  const motion = e.fromEpisode(cam1, { kind: 'start', startedAt: 2, score: 0.1, box: null });
  e.fromHealth(cam2, { condition: 'covered', active: true, at: 3 });
  const job = e.watching(cam1, 10);
  t.match(job, { kind: 'sweep', camera: { id: 'cam1' }, before: 10 });
  const ids = (j: typeof frozen) => (j?.kind === 'new' ? j.event.id : '');
  const keep = (j: typeof job) => (j.kind === 'sweep' ? [...j.keep].sort() : []);
  t.same(keep(job), [ids(frozen), ids(motion)].sort());
  e.fromHealth(cam1, { condition: 'frozen', active: false, at: 11 });
  t.same(keep(e.watching(cam1, 12)), [ids(motion)], 'an ended event is no longer kept');
});

t.test('unwatched: the camera\'s conditions are swept and forgotten; its motion is left to the stream\'s own end', async (t) => {
  const e = new CameraEvents();
  const covered = e.fromHealth(cam1, { condition: 'covered', active: true, at: 1 });
  const motion = e.fromEpisode(cam1, { kind: 'start', startedAt: 2, score: 0.1, box: null });
  const other = e.fromHealth(cam2, { condition: 'frozen', active: true, at: 3 });
  t.same(e.unwatched(cam1, 20), { kind: 'sweep', camera: { id: 'cam1', name: 'cam1', zone: 'default', householdId: null, shareWithOfficers: true }, before: 20, keep: [] });
  t.equal(e.fromHealth(cam1, { condition: 'covered', active: false, at: 21 }), null, 'the condition is forgotten: its end was swept');
  const again = e.fromHealth(cam1, { condition: 'covered', active: true, at: 30 });
  t.not(again?.kind === 'new' && again.event.id, covered?.kind === 'new' && covered.event.id, 'watched again, a condition is a new event');
  t.match(e.fromEpisode(cam1, { kind: 'end', startedAt: 2, endedAt: 22, score: 0.1, box: null, forced: true }), { kind: 'end', event: { id: motion?.kind === 'new' ? motion.event.id : '' } });
  t.match(e.fromHealth(cam2, { condition: 'frozen', active: false, at: 23 }), { kind: 'end', event: { id: other?.kind === 'new' ? other.event.id : '' } }, 'other cameras untouched');
});
