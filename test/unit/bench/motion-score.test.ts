import t from 'tap';
import { percentile, scoreClip, summarise, toClipSeconds, watchedPlayback, type ScoreLabel } from '../../../bench/motion-score.js';

const person = (onset: number, end: number): ScoreLabel => ({ kind: 'person', onset, end });

t.test('an alert within 1 s of the onset is a hit, with its latency', async (t) => {
  const s = scoreClip([person(10, 14)], [10.4], 60);
  t.equal(s.hits, 1);
  t.equal(s.detected, 1);
  t.equal(s.falseAlerts, 0);
  t.same(s.latenciesMs, [400]);
});

t.test('the hit window is [onset, onset + 1 s], both ends included', async (t) => {
  t.equal(scoreClip([person(10, 14)], [10], 60).hits, 1, 'at the onset');
  t.equal(scoreClip([person(10, 14)], [11], 60).hits, 1, 'exactly 1 s later');
  t.equal(scoreClip([person(10, 14)], [11.01], 60).hits, 0, 'just over 1 s is late, not a hit');
});

t.test('a late alert during the presence is no hit and no false alert, but counts in latency', async (t) => {
  const s = scoreClip([person(10, 14)], [12.5], 60);
  t.equal(s.hits, 0);
  t.equal(s.detected, 1);
  t.equal(s.falseAlerts, 0);
  t.equal(s.objectAlerts, 0);
  t.same(s.latenciesMs, [2500]);
});

t.test('several alerts for one object count once', async (t) => {
  const s = scoreClip([person(10, 14)], [10.2, 10.6, 13, 14.5], 60);
  t.equal(s.hits, 1);
  t.equal(s.detected, 1);
  t.equal(s.falseAlerts, 0);
  t.equal(s.objectAlerts, 3, 'the extra alerts are put down to the object');
  t.same(s.latenciesMs, [200], 'latency from the first alert');
});

t.test('alerts away from every object are false; the grace after an object ends is 1 s', async (t) => {
  const s = scoreClip([person(10, 14)], [3, 15, 15.2, 40], 60);
  t.equal(s.hits, 0);
  t.equal(s.falseAlerts, 3, '3 s, 15.2 s and 40 s');
  t.same(s.falseAt, [3, 15.2, 40]);
});

t.test('a missed object: no hit, no latency', async (t) => {
  const s = scoreClip([person(10, 14), person(30, 33)], [10.5], 60);
  t.equal(s.onsets, 2);
  t.equal(s.hits, 1);
  t.equal(s.detected, 1);
  t.same(s.latenciesMs, [500]);
});

t.test('alerts outside the footage are ignored', async (t) => {
  const s = scoreClip([], [-1, 61, 100], 60);
  t.equal(s.falseAlerts, 0);
});

t.test('an alert before the onset does not hit the later object', async (t) => {
  const s = scoreClip([person(10, 14)], [9.5], 60);
  t.equal(s.hits, 0);
  t.equal(s.falseAlerts, 1);
});

t.test('summary: recall, false alerts per hour, latency percentiles across clips', async (t) => {
  const a = scoreClip([person(10, 14), person(30, 34)], [10.3, 31], 1800);
  const b = scoreClip([person(10, 14), person(30, 34)], [10.1, 500], 1800);
  const s = summarise([a, b]);
  t.equal(s.footageSec, 3600);
  t.equal(s.onsets, 4);
  t.equal(s.hits, 3);
  t.equal(s.recall, 0.75);
  t.equal(s.falseAlerts, 1);
  t.equal(s.falsePerHour, 1);
  t.same(s.latenciesMs, [300, 1000, 100]);
  t.equal(s.latencyP50Ms, 300);
  t.equal(s.latencyP95Ms, 1000);
});

t.test('summary without labels has NaN recall and latency', async (t) => {
  const s = summarise([scoreClip([], [5], 360)]);
  t.ok(Number.isNaN(s.recall));
  t.ok(Number.isNaN(s.latencyP95Ms));
  t.equal(s.falsePerHour, 10);
});

t.test('percentile is nearest-rank', async (t) => {
  const v = [5, 1, 4, 2, 3, 6, 7, 8, 9, 10];
  t.equal(percentile(v, 50), 5);
  t.equal(percentile(v, 95), 10);
  t.equal(percentile(v, 90), 9);
  t.equal(percentile([7], 95), 7);
  t.ok(Number.isNaN(percentile([], 50)));
});

t.test('wall times become clip seconds from the first frame', async (t) => {
  t.same(toClipSeconds([1_000_500, 1_012_000], 1_000_000), [0.5, 12]);
});

t.test('the watched playback is the first that ran for the clip length', async (t) => {
  t.same(watchedPlayback([1000], 60), { start: 1000, cutShort: false }, 'one playback');
  t.same(watchedPlayback([1000, 7000, 70_000], 60), { start: 7000, cutShort: false }, 'a probe, then the real one, then a reconnect after the end');
  t.same(watchedPlayback([1000, 62_000], 60), { start: 1000, cutShort: false }, 'a reconnect after the end does not count');
  t.same(watchedPlayback([1000, 30_000], 60), { start: 30_000, cutShort: false }, 'a reconnect mid-clip: the new playback');
  t.same(watchedPlayback([1000, 30_000], 60, 80_000), { start: 30_000, cutShort: true }, 'stopped watching before its end: flagged');
  t.same(watchedPlayback([1000], 60, 40_000), { start: 1000, cutShort: true }, 'stopped watching early');
  t.same(watchedPlayback([], 60), { start: undefined, cutShort: false }, 'never played');
});
