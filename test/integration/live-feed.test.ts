// The live feed end to end: real Mosquitto, Redis and the whole service; an event job flows through the
// worker, the outbox and the broker to the live subscriber, and out over real HTTP as Server-Sent
// Events to exactly the viewers whose scope covers its camera.

import t from 'tap';
import { startHarness, waitFor } from '../helpers/harness.js';
import { camera, endJob, newJob } from '../helpers/jobs.js';
import { startMosquitto, startRedis } from '../helpers/services.js';
import { openSse, type SseClient } from '../helpers/sse-client.js';

const redis = await startRedis();
const broker = await startMosquitto();
const h = await startHarness({ redisUrl: redis.url, mqttUrl: broker.url, cameras: [] });
t.teardown(async () => {
  await h.close();
  await redis.stop();
  await broker.stop();
});

const svc = h.service;
const nowhere = 'rtsp://127.0.0.1:9/none';
await svc.registry.add({ id: 'gate', name: 'Cổng làng', shareWithOfficers: true, rtspUrl: nowhere });
await svc.registry.add({ id: 'ho1-cam', name: 'Nhà 1', householdId: 'ho-1', rtspUrl: nowhere });
await svc.registry.add({ id: 'ho2-cam', name: 'Nhà 2', householdId: 'ho-2', rtspUrl: nowhere });
const refs = {
  gate: camera({ id: 'gate', name: 'Cổng làng', shareWithOfficers: true }),
  ho1: camera({ id: 'ho1-cam', name: 'Nhà 1', householdId: 'ho-1', shareWithOfficers: false }),
  ho2: camera({ id: 'ho2-cam', name: 'Nhà 2', householdId: 'ho-2', shareWithOfficers: false }),
};
const PASSWORD = 'a long enough password';
const accounts = [
  { username: 'officer', role: 'officer', householdId: null },
  { username: 'ho-1', role: 'household', householdId: 'ho-1' },
  { username: 'ho-2', role: 'household', householdId: 'ho-2' },
  { username: 'police', role: 'police', householdId: null },
] as const;
const tokens: Record<string, string> = { admin: await svc.accounts.tokenFor('test-admin') };
for (const a of accounts) {
  await svc.accounts.create({ ...a, password: PASSWORD });
  tokens[a.username] = await svc.accounts.tokenFor(a.username);
}
const open = (who: string, extra: Record<string, string> = {}) => openSse(`${svc.publicUrl}/api/live`, { authorization: `Bearer ${tokens[who]}`, ...extra });
let ho1EventId = '';
const alertIds = (c: SseClient) => c.events.filter((e) => e.event === 'alert').map((e) => e.id);

t.test('police have no live feed; anonymous callers none either', async (t) => {
  t.equal((await open('police')).status, 403);
  t.equal((await openSse(`${svc.publicUrl}/api/live`, {})).status, 401);
});

t.test('an event reaches exactly the viewers whose scope covers its camera', async (t) => {
  const clients = { admin: await open('admin'), officer: await open('officer'), ho1: await open('ho-1'), ho2: await open('ho-2') };
  t.teardown(() => { for (const c of Object.values(clients)) c.close(); });
  for (const c of Object.values(clients)) t.equal(c.status, 200);
  const ho1Job = newJob(refs.ho1);
  ho1EventId = ho1Job.event.id;
  await svc.queue.add(ho1Job);
  // Once the admin has it, it has been handed to every client (one fan-out, in order).
  await waitFor('the admin sees the household event', () => alertIds(clients.admin).includes(`${ho1Job.event.id}:new`));
  const gateJob = newJob(refs.gate);
  const ho2Job = newJob(refs.ho2);
  await svc.queue.add(gateJob);
  await svc.queue.add(ho2Job);
  await waitFor('the officer sees the shared camera', () => alertIds(clients.officer).includes(`${gateJob.event.id}:new`));
  await waitFor('ho-2 sees its own camera', () => alertIds(clients.ho2).includes(`${ho2Job.event.id}:new`));
  await waitFor('ho-1 sees its own camera', () => alertIds(clients.ho1).includes(`${ho1Job.event.id}:new`));
  await waitFor('the admin sees all three', () => alertIds(clients.admin).includes(`${ho2Job.event.id}:new`) && alertIds(clients.admin).includes(`${gateJob.event.id}:new`));

  t.notOk(alertIds(clients.officer).includes(`${ho1Job.event.id}:new`), 'the officer does not see an unshared household camera');
  t.notOk(alertIds(clients.ho2).some((id) => id?.startsWith(ho1Job.event.id) || id?.startsWith(gateJob.event.id)), 'ho-2 sees nothing of ho-1 nor of the public camera');
  t.notOk(alertIds(clients.ho1).some((id) => id?.startsWith(ho2Job.event.id)), 'ho-1 sees nothing of ho-2');
  const got = clients.officer.events.find((e) => e.id === `${gateJob.event.id}:new`);
  t.match(JSON.parse(got?.data ?? '{}'), { type: 'new', cameraName: 'Cổng làng', event: { id: gateJob.event.id, cameraId: 'gate', zone: 'z1' } });
  t.equal(clients.officer.retry, 3000);

  await svc.queue.add(endJob(refs.ho1, ho1Job.event.id));
  await waitFor('ho-1 sees the end', () => alertIds(clients.ho1).includes(`${ho1Job.event.id}:end`));
});

t.test('a reconnect with Last-Event-ID first replays newer events in scope from the store', async (t) => {
  const c = await open('ho-1', { 'last-event-id': '00000000-0000-7000-8000-000000000000:new' });
  t.teardown(() => c.close());
  // (The unreachable test cameras may add `offline` events of their own: the replay has them too.)
  const ended = await waitFor('the replay of the ended ho-1 event', () => c.events.find((e) => e.id === `${ho1EventId}:end`));
  t.match(JSON.parse(ended.data), { type: 'end', cameraName: 'Nhà 1', event: { id: ho1EventId, cameraId: 'ho1-cam' } }, 'an ended event replays as its end');
  for (const e of c.events.filter((x) => x.event === 'alert')) t.equal(JSON.parse(e.data).event.cameraId, 'ho1-cam', 'only ho-1 events');
});

t.test('an acknowledgement goes through the outbox and the broker to the live viewers in scope', async (t) => {
  const clients = { officer: await open('officer'), ho2: await open('ho-2'), admin: await open('admin') };
  t.teardown(() => { for (const c of Object.values(clients)) c.close(); });
  const gateJob = newJob(refs.gate);
  await svc.queue.add(gateJob);
  await waitFor('the officer sees the event', () => alertIds(clients.officer).includes(`${gateJob.event.id}:new`));
  const ack = await svc.app.inject({
    method: 'POST', url: `/api/events/${gateJob.event.id}/ack`, payload: { note: 'Đã cử người ra cổng' },
    headers: { authorization: `Bearer ${tokens.officer}` },
  });
  t.equal(ack.statusCode, 201, ack.body);
  const seen = await waitFor('the action on the officer\'s feed', () => clients.officer.events.find((e) => e.event === 'action'));
  t.match(JSON.parse(seen.data), { eventId: gateJob.event.id, cameraId: 'gate', action: 'ack', username: 'officer', note: 'Đã cử người ra cổng' });
  const onMqtt = await waitFor('the action on MQTT', () => h.received.find((m) => m.topic === `${h.config.mqtt.topicPrefix}/events/actions`));
  t.match(JSON.parse(onMqtt.payload), { eventId: gateJob.event.id, action: 'ack' });
  await waitFor('the admin sees it too', () => clients.admin.events.some((e) => e.event === 'action'));
  // ho-2 shares nothing with the gate: a later event of its own arrives, the action never did.
  const ho2Job = newJob(refs.ho2);
  await svc.queue.add(ho2Job);
  await waitFor('ho-2 sees its own event', () => alertIds(clients.ho2).includes(`${ho2Job.event.id}:new`));
  t.notOk(clients.ho2.events.some((e) => e.event === 'action'), 'no action of a camera outside ho-2\'s scope');
  const one = await svc.app.inject({ method: 'GET', url: `/api/events/${gateJob.event.id}`, headers: { authorization: `Bearer ${tokens.admin}` } });
  t.match(one.json().event.actions, [{ action: 'ack', username: 'officer', note: 'Đã cử người ra cổng' }]);
});
