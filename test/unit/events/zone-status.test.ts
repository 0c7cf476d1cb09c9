import t from 'tap';
import { zoneStatuses } from '../../../src/events/zone-status.js';

// 2026-11-30 23:30 in Hà Nội (UTC+7) is 16:30 UTC.
const lateEvening = Date.parse('2026-11-30T16:30:00Z');
const noon = Date.parse('2026-11-30T05:00:00Z');
const zones = [
  { id: 'cong-lang', name: 'Cổng làng', armed: [{ from: '22:00', to: '05:00' }] },
  { id: 'trung-tam' },
  { id: 'kho', armed: [] },
];

t.test('armed now, in the alerts time zone, by the alert rules\' own schedule check', async (t) => {
  const night = zoneStatuses(zones, [], lateEvening, 'Asia/Ho_Chi_Minh');
  t.same(night.map((z) => [z.id, z.armed]), [['cong-lang', true], ['trung-tam', true], ['kho', false]]);
  const day = zoneStatuses(zones, [], noon, 'Asia/Ho_Chi_Minh');
  t.same(day.map((z) => [z.id, z.armed]), [['cong-lang', false], ['trung-tam', true], ['kho', false]]);
  t.same(night[0], { id: 'cong-lang', name: 'Cổng làng', armed: true, schedule: [{ from: '22:00', to: '05:00' }], source: 'config' });
  t.same(night[1]?.schedule, null, 'no schedule: always armed');
  t.same(night[2]?.schedule, [], 'empty schedule: never armed');
});

t.test('zones only named by cameras are added once, sorted, always armed', async (t) => {
  const z = zoneStatuses(zones, ['xom-dong', 'cong-lang', 'default', 'xom-dong'], noon, 'Asia/Ho_Chi_Minh');
  t.same(z.slice(3), [
    { id: 'default', name: null, armed: true, schedule: null, source: 'camera' },
    { id: 'xom-dong', name: null, armed: true, schedule: null, source: 'camera' },
  ]);
});
