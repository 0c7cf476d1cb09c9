// Every route × every role (and a household's own versus another household's cameras), asserted from
// the HTTP side: what each account may do and which rows it sees. Run against SQLite and PostgreSQL by
// test/integration/authorization-matrix*.test.ts.

import t from 'tap';
import { ACCOUNTS, PASSWORD, type AccountName, type ApiApp } from './api-app.js';

/** Defines the matrix's tests on the root tap test, against `api`. */
export async function authorizationMatrix(api: ApiApp): Promise<void> {
  type Who = AccountName | null;
  const WHO: Who[] = [...(Object.keys(ACCOUNTS) as AccountName[]), null];
  const REASON = 'reason=HS-2026-117';

  interface Cam { id: string; householdId: string | null; shareWithOfficers: boolean; policeMayView: boolean }
  const CAMS: Cam[] = [
    { id: 'ho1-private', householdId: 'ho-1', shareWithOfficers: false, policeMayView: false },
    { id: 'ho1-shared', householdId: 'ho-1', shareWithOfficers: true, policeMayView: true },
    { id: 'ho2-private', householdId: 'ho-2', shareWithOfficers: false, policeMayView: false },
    { id: 'ho2-police', householdId: 'ho-2', shareWithOfficers: false, policeMayView: true },
    { id: 'public-gate', householdId: null, shareWithOfficers: true, policeMayView: true },
  ];

  /** The rule under test, written out independently of src/auth/access-policy.ts. */
  function sees(who: Who, cam: Cam): boolean {
    if (who === 'admin') return true;
    if (who === 'officer') return cam.shareWithOfficers;
    if (who === 'police') return cam.policeMayView;
    if (who === 'ho-1' || who === 'ho-2') return cam.householdId === who;
    return false;
  }
  const manages = (who: Who, cam: Cam) => who === 'admin' || ((who === 'ho-1' || who === 'ho-2') && cam.householdId === who);

  const eventOf = new Map<string, string>();
  for (const c of CAMS) {
    await api.registry.add({ id: c.id, name: c.id, householdId: c.householdId, shareWithOfficers: c.shareWithOfficers, policeMayView: c.policeMayView, rtspUrl: 'rtsp://127.0.0.1:9/x' });
    const e = await api.addEvent({ camera_id: c.id, household_id: c.householdId }, Buffer.from([0xff, 0xd8, 0x01, 0x02, 0xff, 0xd9]));
    eventOf.set(c.id, e.id);
  }

  const withReason = (who: Who, url: string) => (who === 'police' ? `${url}${url.includes('?') ? '&' : '?'}${REASON}` : url);
  const get = (who: Who, url: string) => api.as(who, { method: 'GET', url: withReason(who, url) });

  /** Status expected where a role is refused outright; otherwise `allowed` decides. */
  function expectStatus(who: Who, roleAllowed: boolean, allowed: number, hidden = 404) {
    return (visible: boolean) => (who === null ? 401 : !roleAllowed ? 403 : visible ? allowed : hidden);
  }

  const covered = new Set<string>();
  const cover = (route: string) => covered.add(route);

  t.test('event history: the list shows exactly the events of the cameras the role sees', async (t) => {
    cover('GET /api/events');
    for (const who of WHO) {
      const res = await get(who, '/api/events?limit=100');
      if (who === null) {
        t.equal(res.statusCode, 401, 'anonymous');
        continue;
      }
      t.equal(res.statusCode, 200, `${who}: ${res.body.slice(0, 200)}`);
      const got = (res.json().events as Array<{ cameraId: string }>).map((e) => e.cameraId).sort();
      t.same(got, CAMS.filter((c) => sees(who, c)).map((c) => c.id).sort(), `${who} sees`);
    }
  });

  t.test('one event, its snapshot and thumbnail: 200 where visible, 404 (not 403) where not, so existence does not leak', async (t) => {
    for (const suffix of ['', '/snapshot.jpg', '/thumbnail.jpg']) {
      cover(`GET /api/events/:id${suffix}`);
      for (const who of WHO) {
        for (const cam of CAMS) {
          const res = await get(who, `/api/events/${eventOf.get(cam.id)}${suffix}`);
          t.equal(res.statusCode, expectStatus(who, true, 200)(sees(who, cam)), `${who} ${cam.id}${suffix}`);
          if (res.statusCode === 404) t.equal(res.json().error.code, 'EVENT_NOT_FOUND');
          if (res.statusCode === 200 && suffix !== '') t.equal(res.headers['content-type'], 'image/jpeg');
        }
      }
    }
  });

  t.test('export: admins, police and households (their own), not officers', async (t) => {
    cover('GET /api/events/export');
    for (const who of WHO) {
      const res = await get(who, '/api/events/export?format=json');
      const roleAllowed = who !== 'officer';
      t.equal(res.statusCode, expectStatus(who, roleAllowed, 200)(true), `${who}`);
      if (res.statusCode !== 200) continue;
      const got = (res.json().events as Array<{ cameraId: string }>).map((e) => e.cameraId).sort();
      t.same(got, CAMS.filter((c) => sees(who, c)).map((c) => c.id).sort(), `${who} exports what it sees`);
    }
  });

  t.test('camera list and camera: scoped like the events', async (t) => {
    cover('GET /api/cameras');
    cover('GET /api/cameras/:id');
    for (const who of WHO) {
      const list = await get(who, '/api/cameras');
      if (who === null) {
        t.equal(list.statusCode, 401);
      } else {
        t.same((list.json().cameras as Array<{ id: string }>).map((c) => c.id).sort(), CAMS.filter((c) => sees(who, c)).map((c) => c.id).sort(), `${who} lists`);
      }
      for (const cam of CAMS) {
        const one = await get(who, `/api/cameras/${cam.id}`);
        t.equal(one.statusCode, expectStatus(who, true, 200)(sees(who, cam)), `${who} GET ${cam.id}`);
      }
    }
  });

  t.test('camera changes: admins any camera, households their own, officers and police none', async (t) => {
    cover('PATCH /api/cameras/:id');
    cover('POST /api/cameras/:id/probe');
    cover('DELETE /api/cameras/:id');
    for (const who of WHO) {
      const roleAllowed = who === 'admin' || who === 'ho-1' || who === 'ho-2';
      for (const cam of CAMS) {
        const status = expectStatus(who, roleAllowed, 200)(manages(who, cam));
        const patch = await api.as(who, { method: 'PATCH', url: `/api/cameras/${cam.id}`, payload: { name: `${cam.id} (${who})` } });
        t.equal(patch.statusCode, status, `${who} PATCH ${cam.id}: ${patch.body.slice(0, 120)}`);
        const probe = await api.as(who, { method: 'POST', url: `/api/cameras/${cam.id}/probe` });
        // An RTSP camera cannot be probed: the allowed answer is CAMERA_NOT_ONVIF.
        t.equal(probe.statusCode, status === 200 ? 409 : status, `${who} probe ${cam.id}`);
        // A throw-away copy of the camera for DELETE, so the matrix keeps its cameras.
        const copy = `${cam.id}-del`;
        await api.registry.add({ id: copy, name: copy, householdId: cam.householdId, shareWithOfficers: cam.shareWithOfficers, policeMayView: cam.policeMayView, rtspUrl: 'rtsp://127.0.0.1:9/x' });
        const del = await api.as(who, { method: 'DELETE', url: `/api/cameras/${copy}` });
        t.equal(del.statusCode, status === 200 ? 204 : status, `${who} DELETE ${cam.id}`);
        if (del.statusCode !== 204) await api.registry.remove(copy);
      }
    }
  });

  t.test('camera registration: households only into their own household', async (t) => {
    cover('POST /api/cameras');
    let n = 0;
    for (const who of WHO) {
      const id = `new-${n++}`;
      const res = await api.as(who, { method: 'POST', url: '/api/cameras', payload: { id, name: id, rtspUrl: 'rtsp://127.0.0.1:9/x' } });
      const roleAllowed = who === 'admin' || who === 'ho-1' || who === 'ho-2';
      t.equal(res.statusCode, expectStatus(who, roleAllowed, 201)(true), `${who} POST`);
      if (res.statusCode === 201) t.equal(res.json().camera.householdId, who === 'admin' ? null : who, `${who}: household forced`);
      const other = await api.as(who, { method: 'POST', url: '/api/cameras', payload: { id: `x-${id}`, name: 'x', householdId: 'ho-9', rtspUrl: 'rtsp://127.0.0.1:9/x' } });
      t.equal(other.statusCode, who === 'admin' ? 201 : who === null ? 401 : 403, `${who} POST into another household`);
    }
    const giveAway = await api.as('ho-1', { method: 'PATCH', url: '/api/cameras/ho1-private', payload: { householdId: 'ho-2' } });
    t.equal(giveAway.statusCode, 403, 'a household cannot move its camera to another household');
    const makePublic = await api.as('ho-1', { method: 'PATCH', url: '/api/cameras/ho1-private', payload: { kind: 'public' } });
    t.equal(makePublic.statusCode, 403, 'nor make it public');
    t.equal((await get('admin', '/api/cameras/ho1-private')).json().camera.householdId, 'ho-1', 'unchanged');
  });

  t.test('acknowledge and escalate: admins any event, officers those of shared cameras (404 otherwise), others 403', async (t) => {
    for (const action of ['ack', 'escalate']) {
      cover(`POST /api/events/:id/${action}`);
      for (const who of WHO) {
        const roleAllowed = who === 'admin' || who === 'officer';
        for (const cam of CAMS) {
          const res = await api.as(who, { method: 'POST', url: `/api/events/${eventOf.get(cam.id)}/${action}`, payload: { note: `${who} ${action}` } });
          t.equal(res.statusCode, expectStatus(who, roleAllowed, 201)(sees(who, cam)), `${who} ${action} ${cam.id}: ${res.body.slice(0, 120)}`);
          if (res.statusCode === 201) t.match(res.json(), { action: { action, username: who, note: `${who} ${action}` } });
          if (res.statusCode === 404) t.equal(res.json().error.code, 'EVENT_NOT_FOUND');
        }
      }
    }
    const one = (await get('admin', `/api/events/${eventOf.get('public-gate')}`)).json();
    t.same(one.event.actions.map((a: { username: string; action: string }) => `${a.username} ${a.action}`),
      ['admin ack', 'officer ack', 'admin escalate', 'officer escalate'], 'the event lists its actions, oldest first');
    const hidden = (await get('admin', `/api/events/${eventOf.get('ho2-private')}`)).json();
    t.same(hidden.event.actions.map((a: { username: string }) => a.username), ['admin', 'admin'], 'officers could not act outside their scope');
  });

  t.test('test connection: admins and households; officers and police 403', async (t) => {
    cover('POST /api/cameras/test');
    for (const who of WHO) {
      // Port 9 is closed on loopback: an allowed test runs ffmpeg and answers that the stream is unreachable.
      const res = await api.as(who, { method: 'POST', url: '/api/cameras/test', payload: { rtspUrl: 'rtsp://127.0.0.1:9/x' } });
      const roleAllowed = who === 'admin' || who === 'ho-1' || who === 'ho-2';
      t.equal(res.statusCode, expectStatus(who, roleAllowed, 502)(true), `${who} test: ${res.body.slice(0, 120)}`);
    }
  });

  t.test('zones: every role (police with a reason); zones of the cameras in scope', async (t) => {
    cover('GET /api/zones');
    for (const who of WHO) {
      const res = await get(who, '/api/zones');
      t.equal(res.statusCode, who === null ? 401 : 200, `${who} zones`);
      if (res.statusCode === 200) t.ok(Array.isArray(res.json()), 'a list');
    }
    t.equal((await api.as('police', { method: 'GET', url: '/api/zones' })).json().error.code, 'REASON_REQUIRED');
  });

  t.test('live feed: admins, officers and households; police and anonymous refused', async (t) => {
    cover('GET /api/live');
    for (const who of WHO) {
      const res = await api.as(who, { method: 'GET', url: '/api/live', payloadAsStream: true });
      const roleAllowed = who !== 'police';
      t.equal(res.statusCode, expectStatus(who, roleAllowed, 200)(true), `${who} live`);
      if (res.statusCode === 200) t.match(res.headers['content-type'], /^text\/event-stream/);
      res.stream().destroy();
    }
    api.live.disconnectAll();
  });

  t.test('admin-only routes: discovery, users, audit', async (t) => {
    const cases: Array<[string, () => (who: Who) => Promise<{ statusCode: number }>, number]> = [
      ['POST /api/discovery/scan', () => (who) => api.as(who, { method: 'POST', url: '/api/discovery/scan', payload: { targets: ['127.0.0.1'], timeoutMs: 100 } }), 200],
      ['GET /api/users', () => (who) => api.as(who, { method: 'GET', url: '/api/users' }), 200],
      ['POST /api/users', () => { let i = 0; return (who) => api.as(who, { method: 'POST', url: '/api/users', payload: { username: `u${i++}-${who ?? 'anon'}`, role: 'officer', password: 'a long enough password' } }); }, 201],
      ['PATCH /api/users/:username', () => (who) => api.as(who, { method: 'PATCH', url: '/api/users/officer', payload: { disabled: false } }), 204],
      ['GET /api/audit', () => (who) => api.as(who, { method: 'GET', url: '/api/audit?limit=5' }), 200],
      ['GET /api/audit/verify', () => (who) => api.as(who, { method: 'GET', url: '/api/audit/verify' }), 200],
    ];
    for (const [route, make, ok] of cases) {
      cover(route);
      const call = make();
      for (const who of WHO) {
        const res = await call(who);
        t.equal(res.statusCode, who === 'admin' ? ok : who === null ? 401 : 403, `${who} ${route}`);
      }
    }
  });

  t.test('account routes and public routes', async (t) => {
    cover('GET /api/auth/me');
    cover('POST /api/auth/logout');
    cover('POST /api/auth/login');
    for (const who of WHO) {
      const me = await api.as(who, { method: 'GET', url: '/api/auth/me' });
      t.equal(me.statusCode, who === null ? 401 : 200, `${who} me`);
      if (who !== null) t.match(me.json(), { user: { username: who, role: ACCOUNTS[who].role, householdId: ACCOUNTS[who].householdId } });
    }
    t.equal((await api.as(null, { method: 'POST', url: '/api/auth/logout' })).statusCode, 401);
    for (const who of Object.keys(ACCOUNTS) as AccountName[]) {
      const login = await api.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: who, password: PASSWORD } });
      t.equal(login.statusCode, 200, `${who} signs in`);
      const me = await api.app.inject({ method: 'GET', url: '/api/auth/me', headers: { authorization: `Bearer ${login.json().token}` } });
      t.equal(me.json().user.username, who, `${who}'s new token is ${who}'s`);
    }
    t.equal((await api.as(null, { method: 'HEAD', url: '/api/events' })).statusCode, 401, 'HEAD twins are guarded too');
    t.equal((await api.as('admin', { method: 'HEAD', url: '/api/events' })).statusCode, 200);
    for (const url of ['/healthz', '/readyz', '/docs/json']) t.equal((await api.as(null, { method: 'GET', url })).statusCode, 200, `${url} is public`);
  });

  t.test('every /api route of the app is in this matrix', async (t) => {
    const apiRoutes = api.routes.filter((r) => r.split(' ')[1]?.startsWith('/api/'));
    t.ok(apiRoutes.length >= 15);
    for (const r of apiRoutes) t.ok(covered.has(r), `${r} covered`);
  });
}
