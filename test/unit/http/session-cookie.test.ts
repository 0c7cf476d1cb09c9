import t from 'tap';
import { clearedSessionCookie, csrfRefused, sessionCookie, sessionTokenFrom, wantsSecureCookie } from '../../../src/http/session-cookie.js';

t.test('the session cookie is HttpOnly, SameSite=Strict, Path=/, Secure only when asked', async (t) => {
  t.equal(sessionCookie('mt_abc', { maxAgeSec: 3600.7, secure: false }), 'mt_session=mt_abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=3600');
  t.equal(sessionCookie('mt_abc', { maxAgeSec: 10, secure: true }), 'mt_session=mt_abc; Path=/; HttpOnly; SameSite=Strict; Max-Age=10; Secure');
  t.equal(clearedSessionCookie(false), 'mt_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
});

t.test('the token is read from a Cookie header among others; malformed values are none', async (t) => {
  t.equal(sessionTokenFrom('theme=dark; mt_session=mt_x-Y_z; lang=vi'), 'mt_x-Y_z');
  t.equal(sessionTokenFrom('mt_session=mt_1; mt_session=mt_2'), 'mt_1');
  t.equal(sessionTokenFrom('mt_sessionx=mt_1'), null);
  t.equal(sessionTokenFrom('mt_session=a b'), null);
  t.equal(sessionTokenFrom('mt_session='), null);
  t.equal(sessionTokenFrom(undefined), null);
  t.equal(sessionTokenFrom(`mt_session=${'a'.repeat(201)}`), null);
});

t.test('CSRF rule: unsafe methods by cookie need x-matthan-request: 1', async (t) => {
  for (const m of ['POST', 'PUT', 'PATCH', 'DELETE']) {
    t.equal(csrfRefused(m, true, undefined), true, `${m} by cookie, no header`);
    t.equal(csrfRefused(m, true, 'yes'), true, `${m} by cookie, wrong value`);
    t.equal(csrfRefused(m, true, '1'), false, `${m} by cookie, header`);
    t.equal(csrfRefused(m, false, undefined), false, `${m} by bearer`);
  }
  for (const m of ['GET', 'HEAD', 'OPTIONS']) t.equal(csrfRefused(m, true, undefined), false, `${m} is safe`);
});

t.test('Secure when the request or the public URL is https', async (t) => {
  t.equal(wantsSecureCookie('https', null), true);
  t.equal(wantsSecureCookie('http', 'https://cam.example.vn'), true);
  t.equal(wantsSecureCookie('http', 'http://127.0.0.1:8080'), false);
});
