import t from 'tap';
import { AnalysisModePolicy } from '../../../src/streams/analysis-mode.js';

const QUIET = 10_000;
const patrol = () => new AnalysisModePolicy({ base: 'patrol', quietMs: QUIET });

t.test('a patrol camera escalates on the first keyframe with motion, once', async (t) => {
  const p = patrol();
  t.equal(p.mode, 'patrol');
  t.equal(p.detectorMotion(false, 1000), null, 'a quiet keyframe changes nothing');
  t.same(p.detectorMotion(true, 2000), { mode: 'full', reason: 'motion' });
  t.equal(p.mode, 'full');
  t.equal(p.detectorMotion(true, 2200), null, 'already full: no second escalation');
});

t.test('a camera-side event escalates too, and holds full while it lasts', async (t) => {
  const p = patrol();
  t.same(p.cameraMotion(true, 1000), { mode: 'full', reason: 'camera-event' });
  t.equal(p.tick(1000 + QUIET * 5), null, 'the camera still says motion: stays full');
  t.equal(p.cameraMotion(false, 60_000), null);
  t.equal(p.tick(60_000 + QUIET - 1), null, 'quiet counts from the camera event ending');
  t.same(p.tick(60_000 + QUIET), { mode: 'patrol', reason: 'quiet' });
});

t.test('full drops back to patrol after the quiet time since the last motion', async (t) => {
  const p = patrol();
  p.detectorMotion(true, 0);
  p.detectorMotion(true, 5000);
  p.detectorMotion(false, 6000);
  t.equal(p.tick(5000 + QUIET - 1), null);
  t.same(p.tick(5000 + QUIET), { mode: 'patrol', reason: 'quiet' });
  t.equal(p.mode, 'patrol');
  t.equal(p.tick(5000 + QUIET * 3), null, 'already patrolling');
});

t.test('an open episode keeps full however quiet it is inside, quiet counts from its end', async (t) => {
  const p = patrol();
  p.detectorMotion(true, 0);
  p.episodeOpen(true, 0);
  t.equal(p.tick(QUIET * 4), null);
  p.episodeOpen(false, QUIET * 4);
  t.equal(p.tick(QUIET * 5 - 1), null);
  t.same(p.tick(QUIET * 5), { mode: 'patrol', reason: 'quiet' });
});

t.test('escalates again after relaxing', async (t) => {
  const p = patrol();
  p.detectorMotion(true, 0);
  p.tick(QUIET);
  t.same(p.detectorMotion(true, QUIET + 1), { mode: 'full', reason: 'motion' });
});

t.test('a camera configured full never patrols', async (t) => {
  const p = new AnalysisModePolicy({ base: 'full', quietMs: QUIET });
  t.equal(p.mode, 'full');
  t.equal(p.tick(QUIET * 100), null);
  t.equal(p.detectorMotion(true, 1), null);
  t.equal(p.mode, 'full');
});
