import t from 'tap';
import { retentionPasses } from '../../../src/events/retention-policy.js';

const DAY = 86_400_000;
const NOW = 1_000 * DAY;

t.test('defaults for every camera without an override', async (t) => {
  t.same(retentionPasses(NOW, { snapshotDays: 30, eventDays: 365 }, []), [{ cameras: { notIn: [] }, snapshotsBefore: NOW - 30 * DAY, eventsBefore: NOW - 365 * DAY }]);
});

t.test('overrides grouped by their effective ages; images never outlive their event', async (t) => {
  const passes = retentionPasses(NOW, { snapshotDays: 30, eventDays: 365 }, [
    { id: 'a', snapshot_retention_days: 7, event_retention_days: null },
    { id: 'b', snapshot_retention_days: 7, event_retention_days: 365 },
    { id: 'c', snapshot_retention_days: null, event_retention_days: 10 },
  ]);
  t.same(passes, [
    { cameras: { in: ['a', 'b'] }, snapshotsBefore: NOW - 7 * DAY, eventsBefore: NOW - 365 * DAY },
    { cameras: { in: ['c'] }, snapshotsBefore: NOW - 10 * DAY, eventsBefore: NOW - 10 * DAY },
    { cameras: { notIn: ['a', 'b', 'c'] }, snapshotsBefore: NOW - 30 * DAY, eventsBefore: NOW - 365 * DAY },
  ]);
});
