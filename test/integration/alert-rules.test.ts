// Consent, arming schedules and cooldown decide who is alerted, as seen by MQTT subscribers.

import t from 'tap';
import type { EventJob } from '../../src/events/event-types.js';
import { startHarness, waitFor } from '../helpers/harness.js';
import { camera, newJob } from '../helpers/jobs.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

// 23:00 and 12:00 in Hà Nội on a fixed day: the schedule is judged at the event's time.
const night = Date.parse('2026-11-30T23:00:00+07:00');
const noon = Date.parse('2026-11-30T12:00:00+07:00');

t.test('who gets the alert', async (t) => {
  const redis = await startRedis();
  const broker = await startMosquitto();
  const h = await startHarness({
    redisUrl: redis.url,
    mqttUrl: broker.url,
    cameras: [],
    overrides: { zones: [{ id: 'xom-dong', armed: [{ from: '22:00', to: '05:00' }] }], alerts: { cooldownSec: 60, incidentWindowSec: 30 } },
  });
  t.teardown(async () => {
    await h.close();
    await redis.stop();
    await broker.stop();
  });
  const prefix = h.config.mqtt.topicPrefix;
  const gate = camera({ id: 'gate', zone: 'xom-dong' });
  const yard = camera({ id: 'yard', zone: 'xom-dong' });
  const privateCam = camera({ id: 'kitchen-door', zone: 'xom-dong', householdId: 'ho-17', shareWithOfficers: false });
  const sharedHome = camera({ id: 'porch', zone: 'xom-dong', householdId: 'ho-21', shareWithOfficers: true });

  // One at a time, each awaited at the subscriber, so cooldown and incident state see them in order.
  const send = async (job: Extract<EventJob, { kind: 'new' }>) => {
    await h.service.queue.add(job);
    await waitFor(`event ${job.event.id}`, () => h.eventMessages().find((m) => m.event.id === job.event.id));
    return job.event.id;
  };
  const noonGate = await send(newJob(gate, noon));
  const nightGate = await send(newJob(gate, night));
  const cooled = await send(newJob(gate, night + 10_000));
  const neighbour = await send(newJob(yard, night + 15_000));
  const privateId = await send(newJob(privateCam, night + 20_000));
  const porch = await send(newJob(sharedHome, night + 120_000));
  await waitFor('the last alert', () => h.received.find((m) => m.topic.endsWith('/alerts') && m.payload.includes(porch)));

  const alertsOn = (topic: string) =>
    h.received.filter((m) => m.topic === topic).map((m) => JSON.parse(m.payload) as { alertId: string; incidentId: string });
  const zone = alertsOn(`${prefix}/zones/xom-dong/alerts`);
  t.same(zone.map((a) => a.alertId), [nightGate, neighbour, porch], 'officers: armed at night, not at noon, not during cooldown, not unshared');
  t.equal(zone[1]?.incidentId, nightGate, 'a neighbouring camera within the window joins the incident');
  t.equal(zone[2]?.incidentId, porch, 'later, a new incident');
  t.same(alertsOn(`${prefix}/households/ho-17/alerts`).map((a) => a.alertId), [privateId], 'the unshared camera alerts its household only');
  t.same(alertsOn(`${prefix}/households/ho-21/alerts`).map((a) => a.alertId), [porch], 'a shared household camera alerts both');
  t.ok([noonGate, cooled].every((id) => h.eventMessages().some((m) => m.event.id === id)), 'unalerted events are still recorded and published as events');
  const rows = await Promise.all([noonGate, cooled, privateId].map((id) => h.service.events.findById(id)));
  t.same(rows.map((r) => r?.alert), ['disarmed', 'cooldown', 'household-only'], 'the decision is kept with the event');
});
