import t from 'tap';
import { decideAlert, decideTamperAlert, isArmed, localMinutes, newAlertState, recordAlert, type AlertRulesOptions } from '../../../src/events/alert-rules.js';

const TZ = 'Asia/Ho_Chi_Minh';
// 2026-11-30 15:30 UTC is 22:30 in Hà Nội (UTC+7, no daylight saving).
const at = (hhmmLocal: string) => Date.parse(`2026-11-30T${hhmmLocal}:00+07:00`);

t.test('local time in the village', async (t) => {
  t.equal(localMinutes(Date.parse('2026-11-30T15:30:00Z'), TZ), 22 * 60 + 30);
  t.equal(localMinutes(Date.parse('2026-11-30T17:05:00Z'), TZ), 5);
});

t.test('arming windows, including one across midnight', async (t) => {
  const night = [{ from: '22:00', to: '05:00' }];
  t.equal(isArmed(night, at('22:00'), TZ), true);
  t.equal(isArmed(night, at('23:59'), TZ), true);
  t.equal(isArmed(night, at('04:59'), TZ), true);
  t.equal(isArmed(night, at('05:00'), TZ), false, 'end is exclusive');
  t.equal(isArmed(night, at('12:00'), TZ), false);
  t.equal(isArmed([{ from: '08:00', to: '17:00' }], at('12:00'), TZ), true);
  t.equal(isArmed(undefined, at('12:00'), TZ), true, 'no schedule: always armed');
  t.equal(isArmed([], at('12:00'), TZ), false, 'empty schedule: never armed');
});

const opts = (over: Partial<AlertRulesOptions> = {}): AlertRulesOptions => ({
  timezone: TZ, cooldownMs: 60_000, incidentWindowMs: 30_000, schedules: new Map([['night-zone', [{ from: '22:00', to: '05:00' }]]]), ...over,
});
const cam = (over = {}) => ({ id: 'c1', zone: 'z1', householdId: null as string | null, shareWithOfficers: true, ...over });

t.test('consent: an unshared household camera alerts only its household', async (t) => {
  const s = newAlertState();
  t.match(decideAlert(opts(), s, cam({ householdId: 'h7', shareWithOfficers: false }), 'e1', at('23:00')), { zone: false, household: true, reason: 'household-only' });
  t.match(decideAlert(opts(), s, cam({ householdId: 'h7' }), 'e1', at('23:00')), { zone: true, household: true, reason: 'alerted' });
  t.match(decideAlert(opts(), s, cam(), 'e1', at('23:00')), { zone: true, household: false });
});

t.test('schedule: a disarmed zone does not alert officers', async (t) => {
  const s = newAlertState();
  t.match(decideAlert(opts(), s, cam({ zone: 'night-zone' }), 'e1', at('12:00')), { zone: false, household: false, reason: 'disarmed' });
  t.match(decideAlert(opts(), s, cam({ zone: 'night-zone' }), 'e1', at('23:00')), { zone: true, reason: 'alerted' });
});

t.test('cooldown per camera, applied only once recorded', async (t) => {
  const s = newAlertState();
  const d1 = decideAlert(opts(), s, cam(), 'e1', at('23:00'));
  t.match(decideAlert(opts(), s, cam(), 'e2', at('23:00') + 1000), { zone: true }, 'deciding alone changes nothing');
  recordAlert(s, cam(), d1, at('23:00'));
  t.match(decideAlert(opts(), s, cam(), 'e2', at('23:00') + 59_000), { zone: false, household: false, reason: 'cooldown' });
  t.match(decideAlert(opts(), s, cam({ id: 'c2' }), 'e3', at('23:00') + 59_000), { zone: true }, 'other cameras are not cooled down');
  t.match(decideAlert(opts(), s, cam(), 'e4', at('23:00') + 60_000), { zone: true }, 'cooldown over');
});

t.test('neighbouring cameras in a zone share an incident within the window', async (t) => {
  const s = newAlertState();
  const d1 = decideAlert(opts(), s, cam({ id: 'a' }), 'e1', at('23:00'));
  t.equal(d1.incidentId, 'e1');
  recordAlert(s, cam({ id: 'a' }), d1, at('23:00'));
  const d2 = decideAlert(opts(), s, cam({ id: 'b' }), 'e2', at('23:00') + 20_000);
  t.equal(d2.incidentId, 'e1', 'same incident');
  recordAlert(s, cam({ id: 'b' }), d2, at('23:00') + 20_000);
  t.equal(decideAlert(opts(), s, cam({ id: 'c' }), 'e3', at('23:00') + 45_000).incidentId, 'e1', 'window slides with each alert');
  t.equal(decideAlert(opts(), s, cam({ id: 'c', zone: 'z2' }), 'e4', at('23:00') + 21_000).incidentId, 'e4', 'other zone, own incident');
  t.equal(decideAlert(opts(), s, cam({ id: 'c' }), 'e5', at('23:00') + 60_000).incidentId, 'e5', 'after the window, a new incident');
});

t.test('a covered lens alerts officers at any hour, past the cooldown, within the open incident, and starts no cooldown', async (t) => {
  const s = newAlertState();
  t.match(decideTamperAlert(opts(), s, cam({ zone: 'night-zone' }), 'c1', at('12:00')), { zone: true, household: false, incidentId: 'c1', reason: 'alerted' }, 'disarmed zone: officers still told');
  const motion = decideAlert(opts(), s, cam(), 'm1', at('23:00'));
  recordAlert(s, cam(), motion, at('23:00'));
  const tamper = decideTamperAlert(opts(), s, cam(), 'c2', at('23:00') + 10_000);
  t.match(tamper, { zone: true, incidentId: 'm1', reason: 'alerted' }, 'not held back by the motion cooldown; same incident as the motion');
  const fresh = newAlertState();
  recordAlert(fresh, cam(), decideTamperAlert(opts(), fresh, cam(), 'c3', at('23:00')), at('23:00'), false);
  t.match(decideAlert(opts(), fresh, cam(), 'm2', at('23:00') + 1000), { zone: true, incidentId: 'c3' }, 'the next motion alerts, in the tamper incident');
  t.match(decideTamperAlert(opts(), s, cam({ householdId: 'h7', shareWithOfficers: false }), 'c4', at('03:00')), { zone: false, household: true, reason: 'household-only' });
  t.match(decideTamperAlert(opts(), s, cam({ shareWithOfficers: false }), 'c5', at('03:00')), { zone: false, household: false, incidentId: null, reason: 'not-shared' });
});

t.test('a recorded alert whose transaction failed is taken back, unless a later one replaced it', async (t) => {
  const state = newAlertState();
  const o = opts();
  const first = decideAlert(o, state, cam(), 'e1', 1000);
  recordAlert(state, cam(), first, 1000);
  const second = decideAlert(o, state, cam({ id: 'c2' }), 'e2', 100_000);
  const undo = recordAlert(state, cam({ id: 'c2' }), second, 100_000);
  undo();
  t.equal(state.lastAlertAt.get('c2'), undefined, 'c2 has no alert again');
  t.same(state.lastIncident.get('z1'), { id: 'e1', at: 1000 }, "the zone's incident is e1's again");
  t.equal(decideAlert(o, state, cam({ id: 'c2' }), 'e3', 100_500).reason, 'alerted', 'the retry is not held back by a cooldown');
  const stale = recordAlert(state, cam(), decideAlert(o, state, cam(), 'e4', 200_000), 200_000);
  recordAlert(state, cam(), decideAlert(o, state, cam(), 'e5', 300_000), 300_000);
  stale();
  t.equal(state.lastAlertAt.get('c1'), 300_000, 'a later alert is not undone');
});
