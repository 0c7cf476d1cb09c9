// The overload guard applies the policy's levels, but judges none while the last level is still
// reaching the cameras or while streams start in a wave: that load passes by itself.

import t from 'tap';
import { createLogger } from '../../../src/logger.js';
import { OverloadGuard } from '../../../src/streams/overload-guard.js';
import type { LoadSample } from '../../../src/streams/overload-policy.js';
import { waitFor } from '../../helpers/harness.js';

const HOT: LoadSample = { loopDelayMs: 500, cpuBusy: 1 };

t.test('a wave of starts is not judged as overload; the same load after it is', async (t) => {
  let samples = 0;
  const sampler = { start() {}, close() {}, sample: () => { samples++; return HOT; } };
  const levels: number[] = [];
  const target = { startWave: true, applyingLevel: false, setOverloadLevel: (l: number) => { levels.push(l); } };
  const guard = new OverloadGuard({ sampleSec: 0.5, loopDelayMs: 200, cpuBusy: 0.95, raiseAfter: 2, lowerAfter: 5 }, target, createLogger({ level: 'silent' }), sampler);
  guard.start();
  t.teardown(() => guard.close());
  await waitFor('four samples during the wave', () => samples >= 4 || undefined);
  t.same(levels, [], 'no level during the wave');
  t.equal(guard.state().level, 0);
  t.same(guard.state().last, HOT, 'the load is still sampled and shown');

  target.startWave = false;
  await waitFor('a level', () => levels.length > 0 || undefined);
  t.same(levels, [1], 'after the wave, the load raises the level');

  target.applyingLevel = true;
  const at = samples;
  await waitFor('four more samples', () => samples >= at + 4 || undefined);
  t.same(levels, [1], 'none while a level is still being applied');
});
