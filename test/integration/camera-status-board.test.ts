// The status board's data through the real app and database: each camera's lastMotionAt (newest
// motion event, health events ignored) and the zones with their arming state now.

import t from 'tap';
import { startApiApp } from '../helpers/api-app.js';

// Always armed, never armed, and a schedule covering every minute but one, so "now" is decidable in a test.
const zones = [
  { id: 'cong-lang', name: 'Cổng làng', armed: [{ from: '00:00', to: '23:59' }, { from: '23:59', to: '00:00' }] },
  { id: 'kho', armed: [] },
  { id: 'trung-tam' },
];
const api = await startApiApp({ zones, alerts: { timezone: 'Asia/Ho_Chi_Minh' } });
t.teardown(() => api.close());
const nowhere = 'rtsp://127.0.0.1:9/x';
await api.registry.add({ id: 'gate', name: 'Cổng', zone: 'cong-lang', shareWithOfficers: true, rtspUrl: nowhere });
await api.registry.add({ id: 'ho1-cam', name: 'Nhà 1', zone: 'xom-dong', householdId: 'ho-1', rtspUrl: nowhere });
await api.registry.add({ id: 'quiet', name: 'Yên', zone: 'kho', shareWithOfficers: true, rtspUrl: nowhere });
const t0 = Date.parse('2026-11-30T01:00:00Z');
await api.addEvent({ camera_id: 'gate', started_at: t0 });
await api.addEvent({ camera_id: 'gate', started_at: t0 + 60_000 });
await api.addEvent({ camera_id: 'gate', type: 'offline', started_at: t0 + 120_000 });
await api.addEvent({ camera_id: 'ho1-cam', household_id: 'ho-1', started_at: t0 + 5000 });

t.test('lastMotionAt: the newest motion event per camera, null without one; status kept', async (t) => {
  const res = await api.as('admin', { method: 'GET', url: '/api/cameras' });
  t.equal(res.statusCode, 200);
  const byId = new Map((res.json().cameras as Array<{ id: string; lastMotionAt: string | null; status: string }>).map((c) => [c.id, c]));
  t.equal(byId.get('gate')?.lastMotionAt, new Date(t0 + 60_000).toISOString(), 'the offline event is not motion');
  t.equal(byId.get('ho1-cam')?.lastMotionAt, new Date(t0 + 5000).toISOString());
  t.equal(byId.get('quiet')?.lastMotionAt, null);
  t.equal(byId.get('gate')?.status, 'online');
  const one = await api.as('ho-1', { method: 'GET', url: '/api/cameras/ho1-cam' });
  t.equal(one.json().camera.lastMotionAt, new Date(t0 + 5000).toISOString(), 'one camera too');
});

t.test('zones: configured ones with their state now, plus zones of the caller\'s cameras', async (t) => {
  const admin = (await api.as('admin', { method: 'GET', url: '/api/zones' })).json();
  t.same(admin, [
    { id: 'cong-lang', name: 'Cổng làng', armed: true, schedule: zones[0]?.armed, source: 'config' },
    { id: 'kho', name: null, armed: false, schedule: [], source: 'config' },
    { id: 'trung-tam', name: null, armed: true, schedule: null, source: 'config' },
    { id: 'xom-dong', name: null, armed: true, schedule: null, source: 'camera' },
  ]);
  const officer = (await api.as('officer', { method: 'GET', url: '/api/zones' })).json() as Array<{ id: string }>;
  t.notOk(officer.some((z) => z.id === 'xom-dong'), 'an unshared household camera\'s zone is not shown to officers');
  const ho1 = (await api.as('ho-1', { method: 'GET', url: '/api/zones' })).json() as Array<{ id: string }>;
  t.ok(ho1.some((z) => z.id === 'xom-dong'), 'a household sees its own camera\'s zone');
  const police = await api.as('police', { method: 'GET', url: '/api/zones' });
  t.equal(police.statusCode, 400);
  t.equal(police.json().error.code, 'REASON_REQUIRED');
  t.equal((await api.as('police', { method: 'GET', url: '/api/zones?reason=HS-2026-117' })).statusCode, 200);
});
