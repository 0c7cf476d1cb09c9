// Untrusted input to the history, account and audit routes: malformed cursors, huge limits, SQL-looking
// filters, oversized bodies, unknown fields. Each gets a clear 4xx with a stable code; nothing crashes.

import t from 'tap';
import { startApiApp } from '../helpers/api-app.js';

const api = await startApiApp();
t.teardown(() => api.close());
await api.registry.add({ id: 'gate', name: 'Gate', rtspUrl: 'rtsp://127.0.0.1:9/x' });
const ev = await api.addEvent({ camera_id: 'gate' });
const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

t.test('malformed cursors: CURSOR_INVALID', async (t) => {
  const cursors = [
    'not-a-cursor!', b64('garbage'), b64({ startedAt: 1, id: ev.id }), b64([1]), b64([1, ev.id, 3]), b64([-1, ev.id]), b64([1.5, ev.id]),
    b64([1, 'x\' OR 1=1 --']), b64(['1', ev.id]), b64([Number.MAX_SAFE_INTEGER + 2, ev.id]), b64([1, ev.id.toUpperCase()]), 'A'.repeat(199),
  ];
  for (const c of cursors) {
    const res = await api.as('admin', { method: 'GET', url: `/api/events?cursor=${encodeURIComponent(c)}` });
    t.equal(res.statusCode, 400, c.slice(0, 40));
    t.equal(res.json().error.code, 'CURSOR_INVALID', c.slice(0, 40));
  }
  const huge = await api.as('admin', { method: 'GET', url: `/api/events?cursor=${'A'.repeat(5000)}` });
  t.equal(huge.json().error.code, 'VALIDATION_FAILED', 'an overlong cursor fails the schema');
});

t.test('query strings: limits, types, SQL-looking values, unknown fields', async (t) => {
  const cases: Array<[string, string]> = [
    ['/api/events?limit=100000', 'VALIDATION_FAILED'],
    ['/api/events?limit=0', 'VALIDATION_FAILED'],
    ['/api/events?limit=-5', 'VALIDATION_FAILED'],
    ['/api/events?limit=ten', 'VALIDATION_FAILED'],
    ['/api/events/export?format=zip&limit=1000000', 'VALIDATION_FAILED'],
    ['/api/events/export', 'VALIDATION_FAILED'],
    ['/api/events/export?format=xlsx', 'VALIDATION_FAILED'],
    [`/api/events?cameraId=${encodeURIComponent("gate' OR '1'='1")}`, 'VALIDATION_FAILED'],
    [`/api/events?zone=${encodeURIComponent('x; DROP TABLE events; --')}`, 'VALIDATION_FAILED'],
    [`/api/events?householdId=${encodeURIComponent('1) OR (1=1')}`, 'VALIDATION_FAILED'],
    ['/api/events?type=motion%27--', 'VALIDATION_FAILED'],
    ['/api/events?from=yesterday', 'VALIDATION_FAILED'],
    ['/api/events?from=2026-11-02T00:00:00Z&to=2026-11-01T00:00:00Z', 'VALIDATION_FAILED'],
    ['/api/events?minScore=2', 'VALIDATION_FAILED'],
    ['/api/events?minScore=NaN', 'VALIDATION_FAILED'],
    ['/api/events?sort=asc', 'VALIDATION_FAILED'],
    ['/api/events?cameraId=gate&cameraId=yard', 'VALIDATION_FAILED'],
    [`/api/events?reason=${'r'.repeat(201)}`, 'VALIDATION_FAILED'],
    ['/api/events/not-a-uuid', 'VALIDATION_FAILED'],
    ['/api/events/00000000-0000-7000-8000-000000000000', 'EVENT_NOT_FOUND'],
    ['/api/audit?limit=501', 'VALIDATION_FAILED'],
    ['/api/audit?outcome=deleted', 'VALIDATION_FAILED'],
    ['/api/audit?before=0', 'VALIDATION_FAILED'],
  ];
  for (const [url, code] of cases) {
    const res = await api.as('admin', { method: 'GET', url });
    t.ok(res.statusCode >= 400 && res.statusCode < 500, `${url}: ${res.statusCode}`);
    t.equal(res.json().error?.code, code, url);
    t.type(res.json().error?.message, 'string');
  }
  // A SQL-looking reason is just text: stored as given, the events still there.
  const sqlReason = "x'); DELETE FROM events; --";
  const ok = await api.as('police', { method: 'GET', url: `/api/events?reason=${encodeURIComponent(sqlReason)}` });
  t.equal(ok.statusCode, 200);
  t.equal(await api.events.count(), 1, 'nothing deleted');
  t.equal((await api.as('admin', { method: 'GET', url: '/api/audit?limit=1' })).json().entries[0].reason, sqlReason);
  const control = await api.as('police', { method: 'GET', url: `/api/events?reason=${encodeURIComponent('case\u0000 1')}` });
  t.equal(control.json().error.code, 'REASON_REQUIRED', 'a reason with control characters is not a reason');
});

t.test('bodies: oversized, malformed, unknown fields, wrong types', async (t) => {
  const post = (url: string, payload: string | object, who: 'admin' | null = null, headers: Record<string, string> = {}) =>
    api.as(who, { method: 'POST', url, payload, headers: { 'content-type': 'application/json', ...headers } });
  const cases: Array<[string, string | object, 'admin' | null, number, string]> = [
    ['/api/auth/login', { username: 'admin', password: 'x'.repeat(10_000) }, null, 413, 'PAYLOAD_TOO_LARGE'],
    ['/api/auth/login', '{"username": "admin", "password":', null, 400, 'BAD_REQUEST'],
    ['/api/auth/login', { username: 'admin', password: 'x', remember: true }, null, 400, 'VALIDATION_FAILED'],
    ['/api/auth/login', { username: 'admin' }, null, 400, 'VALIDATION_FAILED'],
    ['/api/auth/login', { username: ['admin'], password: 'x' }, null, 400, 'VALIDATION_FAILED'],
    ['/api/auth/login', { username: "admin' --", password: "' OR '1'='1" }, null, 401, 'LOGIN_FAILED'],
    ['/api/users', { username: 'new', role: 'officer', password: 'long enough pw', isAdmin: true }, 'admin', 400, 'VALIDATION_FAILED'],
    ['/api/users', { username: "x'; drop table users; --", role: 'officer', password: 'long enough pw' }, 'admin', 400, 'VALIDATION_FAILED'],
    ['/api/users', { username: 'new', role: 'officer', password: 'p'.repeat(300) }, 'admin', 400, 'VALIDATION_FAILED'],
  ];
  for (const [url, payload, who, status, code] of cases) {
    const res = await post(url, payload, who);
    t.equal(res.statusCode, status, `${url} ${JSON.stringify(payload).slice(0, 60)}`);
    t.equal(res.json().error?.code, code);
  }
  const form = await api.as(null, { method: 'POST', url: '/api/auth/login', payload: 'username=admin&password=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.equal(form.statusCode, 415);
  t.equal(form.json().error.code, 'UNSUPPORTED_MEDIA_TYPE');
});

t.test('HEAD on the export: 405, no legal hold, no audit entry (a HEAD must not act like the GET)', async (t) => {
  const entries = async () => (await api.as('admin', { method: 'GET', url: '/api/audit?limit=500' })).json().entries.length as number;
  const before = await entries();
  for (const format of ['json', 'csv', 'zip']) {
    const res = await api.as('admin', { method: 'HEAD', url: `/api/events/export?format=${format}` });
    t.equal(res.statusCode, 405, format);
    t.equal(res.headers.allow, 'GET');
    t.equal(res.headers['content-disposition'], undefined, `${format}: no export was made`);
  }
  t.equal((await api.events.findById(ev.id))?.legal_hold, 0, 'the event is not on hold');
  t.equal(await entries(), before + 1, 'only the GET /api/audit that counted them was audited');
  const get = await api.as('admin', { method: 'GET', url: '/api/events/export?format=json' });
  t.equal(get.statusCode, 200, 'the GET still exports');
  t.equal((await api.events.findById(ev.id))?.legal_hold, 1, 'and holds');
});

t.test('after all of it the service answers, and nothing was a 500', async (t) => {
  t.equal((await api.as(null, { method: 'GET', url: '/healthz' })).statusCode, 200);
  t.notMatch(api.logs.text, /"level":50/, 'no error logged');
  t.match((await api.as('admin', { method: 'GET', url: '/api/audit/verify' })).json(), { ok: true });
});
