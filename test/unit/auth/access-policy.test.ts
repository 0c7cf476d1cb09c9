import t from 'tap';
import { ACCESS, accessOf, decide, ownHousehold, type Access } from '../../../src/auth/access-policy.js';
import type { Viewer } from '../../../src/auth/viewer.js';

const v = (role: Viewer['role'], householdId: string | null = null): Viewer => ({ userId: 'u', username: role, role, householdId });

t.test('anonymous: only public routes', async (t) => {
  for (const a of ACCESS) t.equal(decide(a, null, 'case').allow, a === 'public', a);
});

t.test('scopes per role for reading events', async (t) => {
  t.same(decide('events:read', v('admin'), undefined), { allow: true, scope: { kind: 'all' } });
  t.same(decide('events:read', v('officer'), undefined), { allow: true, scope: { kind: 'shared-with-officers' } });
  t.same(decide('events:read', v('household', 'ho-1'), undefined), { allow: true, scope: { kind: 'household', householdId: 'ho-1' } });
  t.same(decide('events:read', v('police'), 'HS-1'), { allow: true, scope: { kind: 'police-viewable' } });
  t.match(decide('events:read', v('household', null), undefined), { allow: false, code: 'FORBIDDEN' }, 'a household account without a household sees nothing');
});

t.test('police need a reason on history and camera reads, nowhere else', async (t) => {
  for (const reason of [undefined, '', 'ab', 'x'.repeat(201), 'case\n1', 42, ['HS-1']]) {
    t.match(decide('events:read', v('police'), reason), { allow: false, code: 'REASON_REQUIRED' }, JSON.stringify(reason));
  }
  t.match(decide('events:export', v('police'), undefined), { code: 'REASON_REQUIRED' });
  t.match(decide('cameras:read', v('police'), undefined), { code: 'REASON_REQUIRED' });
  t.match(decide('signed-in', v('police'), undefined), { allow: true });
  t.match(decide('audit:read', v('police'), 'HS-1'), { allow: false, code: 'FORBIDDEN' });
  t.match(decide('events:read', v('officer'), undefined), { allow: true }, 'other roles need none');
});

t.test('who may do what', async (t) => {
  const allowed = (a: Access) => (['admin', 'officer', 'household', 'police'] as const).filter((r) => decide(a, v(r, r === 'household' ? 'h' : null), 'HS-1').allow);
  t.same(allowed('events:export'), ['admin', 'household', 'police']);
  t.same(allowed('cameras:manage'), ['admin', 'household']);
  t.same(allowed('discovery'), ['admin']);
  t.same(allowed('users:manage'), ['admin']);
  t.same(allowed('audit:read'), ['admin']);
  t.same(allowed('live:read'), ['admin', 'officer', 'household'], 'no live feed for police');
  t.same(allowed('events:act'), ['admin', 'officer']);
  t.same(allowed('zones:read'), ['admin', 'officer', 'household', 'police']);
  t.match(decide('zones:read', v('police'), undefined), { allow: false, code: 'REASON_REQUIRED' });
  t.match(decide('live:read', v('officer'), undefined), { allow: true, scope: { kind: 'shared-with-officers' } });
});

t.test('undeclared routes are refused, except the OpenAPI pages', async (t) => {
  t.equal(accessOf('/docs/json', undefined), 'public');
  t.equal(accessOf('/docs', undefined), 'public');
  t.equal(accessOf('/api/new-thing', undefined), undefined);
  t.equal(accessOf('/docsx', undefined), undefined);
  t.match(decide(undefined, v('admin'), undefined), { allow: false, code: 'FORBIDDEN' });
  t.equal(ownHousehold({ kind: 'household', householdId: 'ho-2' }), 'ho-2');
  t.equal(ownHousehold({ kind: 'all' }), null);
});
