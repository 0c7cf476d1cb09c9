// The overload guard applies the policy's levels, but judges none while the last level is still
// reaching the cameras or while streams start in a wave: that load passes by itself.

import t from 'tap';
import { buildConfig } from '../../../src/config.js';
import { createLogger } from '../../../src/logger.js';
import { OverloadGuard } from '../../../src/streams/overload-guard.js';
import type { LoadSample } from '../../../src/streams/overload-policy.js';
import { ffmpegStarts } from '../../../src/streams/start-gate.js';
import { StreamSupervisor } from '../../../src/streams/stream-supervisor.js';
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

t.test('the supervisor calls it a wave while starts queue at the gate, not while slots are merely all taken', async (t) => {
  const config = buildConfig({});
  const supervisor = new StreamSupervisor(config.motion, config.stream, {
    logger: createLogger({ level: 'silent' }), onEpisode: async () => {}, onHealth: async () => {},
    offlineGraceMs: 60_000, frozenAfterMs: 60_000, coveredAfterMs: 60_000, ffmpegMajor: 5,
  });
  t.teardown(() => supervisor.close());
  // Every slot held, as by cameras whose dead hosts hold theirs until the RTSP timeout.
  const held: Array<() => void> = [];
  while (!ffmpegStarts.full) held.push(await ffmpegStarts.acquire());
  t.teardown(() => { for (const release of held) release(); });
  t.equal(supervisor.startWave, false, 'all slots taken, nobody waiting: the guard keeps judging');
  const queued = ffmpegStarts.acquire();
  t.equal(supervisor.startWave, true, 'starts queueing: a wave');
  held.shift()?.();
  held.push(await queued);
  t.equal(supervisor.startWave, false, 'the queue drained');
});

t.test('a wave that does not pass is judged after its grace: the box cannot bring its cameras up', async (t) => {
  const sampler = { start() {}, close() {}, sample: () => HOT };
  const levels: number[] = [];
  const target = { startWave: true, applyingLevel: false, setOverloadLevel: (l: number) => { levels.push(l); } };
  const startedAt = Date.now();
  const guard = new OverloadGuard({ sampleSec: 0.2, loopDelayMs: 200, cpuBusy: 0.95, raiseAfter: 2, lowerAfter: 5, waveGraceSec: 1.5 }, target, createLogger({ level: 'silent' }), sampler);
  guard.start();
  t.teardown(() => guard.close());
  await waitFor('a level despite the wave', () => levels.length > 0 || undefined);
  t.ok(Date.now() - startedAt >= 1500, 'not before the grace ran out');
  t.same(levels, [1]);
});
