import t from 'tap';
import { grantedMs, isoSeconds, pollGapWait, pullTimeoutSec, renewAt, MIN_RENEW_DELAY_MS } from '../../../src/onvif/pull-point-timing.js';

t.test('granted time comes from the camera clock, not ours', async (t) => {
  // A camera 3 hours behind us: its TerminationTime is in our past, yet it granted 120 s.
  t.equal(grantedMs('2020-01-01T09:02:00Z', '2020-01-01T09:00:00Z', Date.now()), 120_000);
  t.equal(grantedMs('2020-01-01T09:02:00Z', undefined, Date.parse('2020-01-01T09:01:00Z')), 60_000, 'no CurrentTime: the estimated camera clock');
  t.equal(grantedMs('2020-01-01T09:00:00Z', '2020-01-01T09:00:10Z', 0), 0, 'never negative');
  t.equal(grantedMs('soon', '2020-01-01T09:00:00Z', 0), null);
  t.equal(grantedMs('2020-01-01T09:02:00Z', 'garbage', 0), null);
});

t.test('renewal at half the granted time, never in a spin', async (t) => {
  t.equal(renewAt(1000, 120_000), 61_000);
  t.equal(renewAt(1000, 10_000), 6000);
  t.equal(renewAt(1000, 0), 1000 + MIN_RENEW_DELAY_MS, 'a zero grant is retried after the minimum, not at once');
});

t.test('poll gap: the next pull never starts sooner than minPollGapMs after the previous start', async (t) => {
  t.equal(pollGapWait(null, 5000, 1000), 0, 'first pull at once');
  t.equal(pollGapWait(5000, 5010, 1000), 990, 'instant answer: wait out the gap');
  t.equal(pollGapWait(5000, 6000, 1000), 0);
  t.equal(pollGapWait(5000, 25_000, 1000), 0, 'a long poll already took longer than the gap');
});

t.test('pull timeout: the configured long poll, cut so the reply comes before the renewal is due', async (t) => {
  t.equal(pullTimeoutSec(20, 0, 60_000), 20);
  t.equal(pullTimeoutSec(20, 50_000, 60_000), 10);
  t.equal(pullTimeoutSec(20, 59_500, 60_000), 1, 'at least 1 s');
  t.equal(pullTimeoutSec(20, 70_000, 60_000), 1, 'overdue renewal: still a valid timeout');
});

t.test('xs:duration in whole seconds', async (t) => {
  t.same([isoSeconds(20), isoSeconds(0.4), isoSeconds(-3), isoSeconds(120)], ['PT20S', 'PT0S', 'PT0S', 'PT120S']);
});
