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
