import t from 'tap';
import type { ViewScope } from '../../../src/auth/viewer.js';
import type { CameraVisibility } from '../../../src/live/camera-visibility.js';
import { mayReceive, topicSubject, type BrokerAclContext, type BrokerPrincipal } from '../../../src/mqtt/broker-acl.js';

const cameras = new Map<string, CameraVisibility>([
  ['own', { id: 'own', name: 'Own', householdId: 'h1', shareWithOfficers: false }],
  ['shared', { id: 'shared', name: 'Shared', householdId: 'h2', shareWithOfficers: true }],
]);
const ctx: BrokerAclContext = { prefix: 'matthan', discoveryPrefix: 'homeassistant', anonymous: 'status', camera: (id) => cameras.get(id) };
const account = (role: 'admin' | 'officer' | 'household' | 'police', scope: ViewScope | null): BrokerPrincipal => ({ kind: 'account', username: role, role, scope });
const who = {
  service: { kind: 'service' } as BrokerPrincipal,
  anonymous: { kind: 'anonymous' } as BrokerPrincipal,
  admin: account('admin', { kind: 'all' }),
  officer: account('officer', { kind: 'shared-with-officers' }),
  household: account('household', { kind: 'household', householdId: 'h1' }),
  police: account('police', null),
};
const event = (cameraId: string) => Buffer.from(JSON.stringify({ type: 'new', event: { id: 'x', cameraId } }));
const ha = (cameraId: string) => `homeassistant/binary_sensor/matthan_matthan_${cameraId}/motion/config`;

t.test('what a topic is about', async (t) => {
  const s = (topic: string, payload: Buffer | string = '') => topicSubject(ctx, topic, payload);
  t.same(s('matthan/status'), { kind: 'status' });
  t.same(s('matthan/events', event('own')), { kind: 'camera', cameraId: 'own' });
  t.same(s('matthan/events/actions', JSON.stringify({ eventId: 'e', cameraId: 'shared' })), { kind: 'camera', cameraId: 'shared' });
  t.same(s('matthan/events', 'not json'), { kind: 'unknown' }, 'an unreadable event is nobody’s but the admins’');
  t.same(s('matthan/cameras/own/snapshot'), { kind: 'camera', cameraId: 'own' });
  t.same(s('matthan/zones/z1/alerts'), { kind: 'zone' });
  t.same(s('matthan/households/h1/alerts'), { kind: 'household', householdId: 'h1' });
  t.same(s('matthan/cameras/own/motion/extra'), { kind: 'unknown' });
  t.same(s('matthan/somethingnew'), { kind: 'unknown' });
  t.same(s(ha('own')), { kind: 'camera', cameraId: 'own' });
  t.same(s('homeassistant/light/kitchen/config'), { kind: 'foreign' }, 'other integrations’ discovery is not ours');
  t.same(s('zigbee2mqtt/bulb'), { kind: 'foreign' });
});

t.test('who receives what', async (t) => {
  const cases: Array<[string, string, Buffer | string, Array<keyof typeof who>]> = [
    ['status', 'matthan/status', 'online', ['service', 'anonymous', 'admin', 'officer', 'household', 'police']],
    ['own camera event', 'matthan/events', event('own'), ['service', 'admin', 'household']],
    ['shared camera event', 'matthan/events', event('shared'), ['service', 'admin', 'officer']],
    ['unknown camera event', 'matthan/events', event('gone'), ['service', 'admin']],
    ['own snapshot', 'matthan/cameras/own/snapshot', '', ['service', 'admin', 'household']],
    ['shared availability', 'matthan/cameras/shared/availability', 'online', ['service', 'admin', 'officer']],
    ['zone alert', 'matthan/zones/z1/alerts', '{}', ['service', 'admin', 'officer']],
    ['own household alert', 'matthan/households/h1/alerts', '{}', ['service', 'admin', 'household']],
    ['other household alert', 'matthan/households/h2/alerts', '{}', ['service', 'admin']],
    ['own camera discovery', ha('own'), '{}', ['service', 'admin', 'household']],
    ['foreign topic', 'zigbee2mqtt/bulb', 'on', ['service', 'anonymous', 'admin', 'officer', 'household', 'police']],
  ];
  for (const [name, topic, payload, allowed] of cases) {
    const got = (Object.keys(who) as Array<keyof typeof who>).filter((k) => mayReceive(who[k], topicSubject(ctx, topic, payload), ctx));
    t.same(got, allowed, name);
  }
});

t.test('anonymous: all opens everything of ours to clients without an account', async (t) => {
  const open = { ...ctx, anonymous: 'all' as const };
  t.ok(mayReceive(who.anonymous, topicSubject(open, 'matthan/households/h2/alerts', '{}'), open));
  t.notOk(mayReceive(who.police, topicSubject(open, 'matthan/households/h2/alerts', '{}'), open), 'an account keeps its own limits');
});
