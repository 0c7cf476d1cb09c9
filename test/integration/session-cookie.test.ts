// Cookie sessions for the browser, through the real app and database: sign-in sets mt_session, the
// cookie authenticates, writes by cookie need x-matthan-request: 1, sign-out clears and revokes it.

import t from 'tap';
import { AuditRepository } from '../../src/db/audit.repository.js';
import { PASSWORD, startApiApp } from '../helpers/api-app.js';

const api = await startApiApp();
t.teardown(() => api.close());

async function cookieOf(username: string): Promise<{ cookie: string; setCookie: string; token: string }> {
  const res = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password: PASSWORD } });
  const setCookie = String(res.headers['set-cookie']);
  const token = res.json().token as string;
  return { cookie: `mt_session=${token}`, setCookie, token };
}

t.test('sign-in answers the token and sets the same token as an HttpOnly, SameSite=Strict cookie', async (t) => {
  const { setCookie, token } = await cookieOf('officer');
  t.match(token, /^mt_/);
  t.match(setCookie, new RegExp(`^mt_session=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=\\d+$`));
  t.notMatch(setCookie, /Secure/, 'plain http without an https publicUrl: no Secure');
  const failed = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'officer', password: 'wrong password!' } });
  t.equal(failed.statusCode, 401);
  t.equal(failed.headers['set-cookie'], undefined, 'no cookie for a failed sign-in');
});

t.test('the cookie authenticates reads; me answers username, role and householdId', async (t) => {
  const { cookie } = await cookieOf('ho-1');
  const me = await api.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: `theme=dark; ${cookie}` } });
  t.equal(me.statusCode, 200);
  t.match(me.json(), { username: 'ho-1', role: 'household', householdId: 'ho-1', user: { username: 'ho-1', role: 'household', householdId: 'ho-1' } });
  const bad = await api.app.inject({ method: 'GET', url: '/api/auth/me', headers: { cookie: 'mt_session=mt_not-a-token' } });
  t.equal(bad.statusCode, 401);
});

t.test('a write by cookie without x-matthan-request is refused (403 CSRF_HEADER_MISSING), audited; with it, it runs', async (t) => {
  const { cookie } = await cookieOf('admin');
  const payload = { id: 'csrf-cam', name: 'csrf cam', rtspUrl: 'rtsp://127.0.0.1:9/x' };
  const refused = await api.app.inject({ method: 'POST', url: '/api/cameras', payload, headers: { cookie } });
  t.equal(refused.statusCode, 403);
  t.equal(refused.json().error.code, 'CSRF_HEADER_MISSING');
  const entries = (await new AuditRepository(api.db.db).list({ limit: 5 })).filter((e) => e.route === '/api/cameras' && e.outcome === 'refused');
  t.ok(entries.length >= 1, 'the refusal is audited');
  const wrong = await api.app.inject({ method: 'POST', url: '/api/cameras', payload, headers: { cookie, 'x-matthan-request': '0' } });
  t.equal(wrong.statusCode, 403);
  const ok = await api.app.inject({ method: 'POST', url: '/api/cameras', payload, headers: { cookie, 'x-matthan-request': '1' } });
  t.equal(ok.statusCode, 201, ok.body);
  const byBearer = await api.as('admin', { method: 'DELETE', url: '/api/cameras/csrf-cam' });
  t.equal(byBearer.statusCode, 204, 'a bearer token needs no header');
});

t.test('sign-out by cookie clears the cookie and revokes the token', async (t) => {
  const { cookie, token } = await cookieOf('police');
  const noHeader = await api.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
  t.equal(noHeader.statusCode, 403, 'logout is a write too');
  const out = await api.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, 'x-matthan-request': '1' } });
  t.equal(out.statusCode, 204);
  t.match(String(out.headers['set-cookie']), /^mt_session=; Path=\/; HttpOnly; SameSite=Strict; Max-Age=0/);
  const after = await api.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });
  t.equal(after.statusCode, 401, 'the token no longer works');
});

t.test('Secure is added behind an https public URL', async (t) => {
  const secure = await startApiApp({}, 'sqlite', { publicUrl: 'https://matthan.example.vn' });
  t.teardown(() => secure.close());
  const res = await secure.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: 'admin', password: PASSWORD } });
  t.match(String(res.headers['set-cookie']), /; Secure$/);
});
