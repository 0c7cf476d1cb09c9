// Sign-in from the HTTP side: tokens, lockout after failed passwords, the per-address rate limit, and
// tokens revoked by logout, a password change and disabling the account.

import t from 'tap';
import { Accounts } from '../../src/auth/accounts.js';
import { UsersRepository } from '../../src/db/users.repository.js';
import { createLogger } from '../../src/logger.js';
import { PASSWORD, startApiApp } from '../helpers/api-app.js';

const login = (api: Awaited<ReturnType<typeof startApiApp>>, username: string, password: string, remoteAddress = '127.0.0.1') =>
  api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password }, remoteAddress });
const me = (api: Awaited<ReturnType<typeof startApiApp>>, token: string) =>
  api.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${token}` } });

t.test('sign in, use the token, sign out', async (t) => {
  const api = await startApiApp();
  t.teardown(() => api.close());
  const res = await login(api, 'OFFICER', PASSWORD);
  t.equal(res.statusCode, 200, 'usernames are case-insensitive');
  const { token, expiresAt } = res.json();
  t.match(token, /^mt_[A-Za-z0-9_-]{43}$/);
  t.ok(Date.parse(expiresAt) > Date.now() + 11 * 3_600_000, 'expires after tokenTtlHours');
  t.notMatch(api.sqlite().prepare('select token_hash from sessions').all().map((r) => (r as { token_hash: string }).token_hash).join(), token, 'only a hash is stored');
  t.equal((await me(api, token)).json().user.role, 'officer');
  t.equal((await api.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { authorization: `Bearer ${token}` } })).statusCode, 204);
  t.equal((await me(api, token)).statusCode, 401, 'revoked by logout');
  for (const header of ['Bearer', 'Bearer mt_nope', `Basic ${Buffer.from('admin:x').toString('base64')}`, `Bearer ${'a'.repeat(5000)}`]) {
    const r = await api.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: header } });
    t.equal(r.statusCode, 401, header.slice(0, 30));
    t.equal(r.json().error.code, 'UNAUTHENTICATED');
  }
  const audit = (await api.as('admin', { method: 'GET', url: '/api/audit?action=auth.login' })).json().entries;
  t.match(audit[0], { action: 'auth.login', username: 'officer', filter: { username: 'officer' }, outcome: 'ok' });
  t.notMatch(JSON.stringify(audit), PASSWORD, 'no password in the audit log');
  t.notMatch(api.logs.text, PASSWORD, 'nor in any log line');
});

t.test('wrong passwords lock the account; the right one is refused while locked; unknown users look the same', async (t) => {
  const api = await startApiApp({ auth: { maxFailedLogins: 3, lockoutMinutes: 15, loginAttemptsPerMinute: 1000 } });
  t.teardown(() => api.close());
  for (let i = 0; i < 2; i++) t.equal((await login(api, 'ho-1', 'wrong password!')).json().error.code, 'LOGIN_FAILED');
  const third = await login(api, 'ho-1', 'wrong password!');
  t.equal(third.statusCode, 429);
  t.equal(third.json().error.code, 'LOGIN_LOCKED');
  t.equal(third.headers['retry-after'], '60');
  t.equal((await login(api, 'ho-1', PASSWORD)).json().error.code, 'LOGIN_LOCKED', 'the right password while locked');
  t.equal((await login(api, 'ho-2', PASSWORD)).statusCode, 200, 'other accounts unaffected');
  const unknown = await login(api, 'nobody', PASSWORD);
  t.same(unknown.json(), (await login(api, 'ho-2', 'wrong password!')).json(), 'an unknown user answers like a wrong password');
  const refusals = (await api.as('admin', { method: 'GET', url: '/api/audit?action=auth.login&outcome=refused' })).json().entries;
  t.ok(refusals.length >= 5, 'failed sign-ins are audited');
  // An admin sets a new password: the lock is lifted.
  t.equal((await api.as('admin', { method: 'PATCH', url: '/api/users/ho-1', payload: { password: 'a brand new password' } })).statusCode, 204);
  t.equal((await login(api, 'ho-1', 'a brand new password')).statusCode, 200);
});

t.test('sign-in attempts per address are limited before any password is checked', async (t) => {
  const api = await startApiApp({ auth: { loginAttemptsPerMinute: 3 } });
  t.teardown(() => api.close());
  for (let i = 0; i < 3; i++) t.equal((await login(api, 'police', 'wrong password!', '10.0.0.7')).json().error.code, 'LOGIN_FAILED');
  const limited = await login(api, 'police', PASSWORD, '10.0.0.7');
  t.equal(limited.statusCode, 429);
  t.equal(limited.json().error.code, 'LOGIN_RATE_LIMITED');
  t.equal((await login(api, 'police', PASSWORD, '10.0.0.8')).statusCode, 200, 'another address is not limited');
  for (let i = 0; i < 20; i++) await login(api, 'police', PASSWORD, '10.0.0.7');
  const audited = (await api.as('admin', { method: 'GET', url: '/api/audit?action=auth.login' })).json().entries as Array<{ status: number }>;
  t.same(audited.map((e) => e.status), [200, 401, 401, 401], 'throttled attempts are not audited (they would flood the log)');
});

t.test('a password change and disabling revoke every token of the user', async (t) => {
  const api = await startApiApp();
  t.teardown(() => api.close());
  const a = (await login(api, 'ho-1', PASSWORD)).json().token;
  const b = api.tokens['ho-1'];
  await api.accounts.setPassword('ho-1', 'another long password');
  t.equal((await me(api, a)).statusCode, 401);
  t.equal((await me(api, b)).statusCode, 401);
  t.equal((await login(api, 'ho-1', PASSWORD)).statusCode, 401, 'the old password is gone');
  const c = (await login(api, 'ho-1', 'another long password')).json().token;
  t.equal((await me(api, c)).statusCode, 200);
  t.equal((await api.as('admin', { method: 'PATCH', url: '/api/users/ho-1', payload: { disabled: true } })).statusCode, 204);
  t.equal((await me(api, c)).statusCode, 401, 'disabled: token revoked');
  t.equal((await login(api, 'ho-1', 'another long password')).json().error.code, 'LOGIN_FAILED', 'a disabled account cannot sign in');
  t.equal((await api.as('admin', { method: 'PATCH', url: '/api/users/ho-1', payload: { disabled: false } })).statusCode, 204);
  t.equal((await login(api, 'ho-1', 'another long password')).statusCode, 200, 'enabled again');
});

t.test('account creation over the API: roles, households and password rules', async (t) => {
  const api = await startApiApp();
  t.teardown(() => api.close());
  const add = (payload: object) => api.as('admin', { method: 'POST', url: '/api/users', payload });
  t.equal((await add({ username: 'ho-3', role: 'household', householdId: 'ho-3', password: 'long enough pw' })).statusCode, 201);
  t.equal((await add({ username: 'ho-4', role: 'household', password: 'long enough pw' })).json().error.code, 'VALIDATION_FAILED', 'household needs householdId');
  t.equal((await add({ username: 'cop2', role: 'police', householdId: 'ho-3', password: 'long enough pw' })).json().error.code, 'VALIDATION_FAILED', 'only households take one');
  t.equal((await add({ username: 'cop2', role: 'police', password: 'short' })).json().error.code, 'PASSWORD_WEAK');
  t.equal((await add({ username: 'ho-3', role: 'officer', password: 'long enough pw' })).json().error.code, 'USER_EXISTS');
  t.equal((await add({ username: 'boss', role: 'root', password: 'long enough pw' })).json().error.code, 'VALIDATION_FAILED');
  const list = (await api.as('admin', { method: 'GET', url: '/api/users' })).json().users as Array<Record<string, unknown>>;
  t.ok(list.some((u) => u.username === 'ho-3' && u.householdId === 'ho-3'));
  t.notMatch(JSON.stringify(list), /password|scrypt/, 'no hashes in answers');
});

t.test('the first admin: from the configured password only, once', async (t) => {
  const api = await startApiApp();
  t.teardown(() => api.close());
  // The helper made an admin already: nothing is created.
  t.equal(await api.accounts.ensureAdmin('chief', 'chief password 1'), 'exists');
  await t.rejects(api.accounts.setDisabled('admin', true), { code: 'VALIDATION_FAILED' }, 'the last admin cannot be disabled');
  // As after an operator's mistake in the database: no enabled admin left.
  api.sqlite().prepare("update users set disabled = 1 where role = 'admin'").run();
  t.equal(await api.accounts.ensureAdmin('chief', null), 'missing', 'no password, no admin: never a default');
  t.equal(await api.accounts.ensureAdmin('chief', 'chief password 1'), 'created');
  t.equal((await login(api, 'chief', 'chief password 1')).json().user.role, 'admin');
});

t.test('a token stops working at its expiry', async (t) => {
  const api = await startApiApp();
  t.teardown(() => api.close());
  let now = Date.now();
  const accounts = new Accounts(new UsersRepository(api.db.db), { ...api.config.auth, tokenTtlHours: 1 }, createLogger({ level: 'silent' }), () => now);
  const { token } = await accounts.issueToken((await new UsersRepository(api.db.db).findByUsername('officer'))!);
  t.equal((await accounts.authenticate(token))?.username, 'officer');
  now += 3_600_000 - 1;
  t.ok(await accounts.authenticate(token), 'valid until the last millisecond');
  now += 1;
  t.equal(await accounts.authenticate(token), null, 'expired');
});

t.test('the OpenAPI description is generated from the route schemas', async (t) => {
  const api = await startApiApp();
  t.teardown(() => api.close());
  const doc = (await api.app.inject({ method: 'GET', url: '/docs/json' })).json();
  t.equal(doc.openapi.slice(0, 2), '3.');
  const events = doc.paths['/api/events'].get;
  t.same(events.parameters.map((p: { name: string }) => p.name).sort(), ['cameraId', 'cursor', 'from', 'householdId', 'limit', 'minScore', 'reason', 'to', 'type', 'zone']);
  t.ok(doc.paths['/api/events/export'].get.parameters.some((p: { name: string; required: boolean }) => p.name === 'format' && p.required));
  t.ok(doc.paths['/api/auth/login'].post.requestBody);
  t.equal((await api.app.inject({ method: 'GET', url: '/docs' })).statusCode < 400, true, 'the UI page answers');
});
