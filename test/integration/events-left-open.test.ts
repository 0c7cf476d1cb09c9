// A power cut: the service process dies (SIGKILL) while a camera's covered-lens event is open. Nobody
// would ever end that event: history would show it going on for ever. When the service runs again and
// its stream watches the camera, the event is ended, in the store and on MQTT, exactly once.
// Real parts throughout: the service as its own process (dist/), the RTSP simulator, ffmpeg, Redis,
// SQLite, Mosquitto.

import mqtt from 'mqtt';
import t, { type Test } from 'tap';
import { EventsRepository } from '../../src/db/events.repository.js';
import { openDatabase } from '../../src/db/database.js';
import type { PublicEvent } from '../../src/events/event-types.js';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { NO_OVERLOAD, startHarness, waitFor } from '../helpers/harness.js';
import { deploymentConfig, nodesUnavailable, startDeployment } from '../helpers/nodes.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

const skip = nodesUnavailable() ?? false;

/** The test's own Redis, Mosquitto and a simulated camera `door`, stopped at its end. */
async function services(t: Test) {
  const redis = await startRedis();
  t.teardown(() => redis.stop());
  const broker = await startMosquitto();
  t.teardown(() => broker.stop());
  const sim = await startRtspSimulator({ cameras: ['door'] });
  t.teardown(() => sim.stop());
  return { redis, broker, sim };
}

t.test('an event left open by a killed service is ended when the service watches the camera again', { skip }, async (t) => {
  const { redis, broker, sim } = await services(t);
  const d = startDeployment(deploymentConfig({
    redisUrl: redis.url, databaseUrl: null, mqttUrl: broker.url,
    overrides: {
      cameras: [{ id: 'door', name: 'Cửa', rtspUrl: sim.url('door'), zone: 'gate' }],
      health: { coveredAfterSec: 1 },
      analysis: { mode: 'full', overload: NO_OVERLOAD },
    },
  }));
  t.teardown(() => d.close());

  const prefix = d.config.mqtt.topicPrefix;
  const events: Array<{ type: string; event: PublicEvent }> = [];
  const availability: string[] = [];
  const sub = await mqtt.connectAsync(broker.url, { clientId: `left-open-${process.pid}` });
  t.teardown(() => sub.endAsync(true));
  sub.on('message', (topic, payload) => {
    if (topic === `${prefix}/events`) events.push(JSON.parse(payload.toString()) as (typeof events)[number]);
    if (topic === `${prefix}/cameras/door/availability`) availability.push(payload.toString());
  });
  await sub.subscribeAsync([`${prefix}/events`, `${prefix}/cameras/door/availability`], { qos: 1 });
  const messages = (type: string, id?: string) => events.filter((m) => m.type === type && m.event.type === 'covered' && (id === undefined || m.event.id === id));

  const first = await d.start('all');
  await waitFor('the camera streaming', () => availability.includes('online'), 60_000);
  await sim.cover('door');
  const opened = await waitFor('a covered event', () => messages('new')[0]?.event, 60_000);
  await first.kill('SIGKILL');
  await sim.uncover('door');

  const restartedAt = Date.now();
  await d.start('all');
  const ended = await waitFor('the end of the event left open', () => messages('end', opened.id)[0]?.event, 60_000);
  t.ok(Date.parse(ended.endedAt as string) >= restartedAt - 1000, 'a condition ends when the camera was watched again');

  const db = openDatabase(null, d.config.dataDir);
  await db.start();
  t.teardown(() => db.close());
  const row = await new EventsRepository(db.db).findById(opened.id);
  t.equal(row?.ended_at, Date.parse(ended.endedAt as string), 'history says it ended, when MQTT said');
  t.equal(messages('end', opened.id).length, 1, 'ended once');
  t.same(messages('new').filter((m) => m.event.id !== opened.id), [], 'the lens uncovered: no new covered event');
});

t.test('a camera deleted while its lens is covered: the covered event ends with it', async (t) => {
  const { redis, broker, sim } = await services(t);
  const h = await startHarness({
    redisUrl: redis.url, mqttUrl: broker.url,
    cameras: [],
    overrides: { health: { coveredAfterSec: 1 } },
  });
  t.teardown(() => h.close());
  // Registered through the API, as a household would: a camera of the config file is not deleted by API.
  const added = await h.inject({ method: 'POST', url: '/api/cameras', payload: { id: 'door', name: 'Cửa', rtspUrl: sim.url('door'), zone: 'gate' } });
  t.equal(added.statusCode, 201, 'registered');
  const covered = (type: string) => h.eventMessages().find((m) => m.type === type && m.event.type === 'covered')?.event;
  await waitFor('the stream analysing', () => h.framesOf('door') >= 15);
  await sim.cover('door');
  const opened = await waitFor('a covered event', () => covered('new'), 30_000);
  const deletedAt = Date.now();
  const res = await h.inject({ method: 'DELETE', url: '/api/cameras/door' });
  t.equal(res.statusCode, 204, 'deleted');
  const ended = await waitFor('the covered event ends', () => covered('end'), 30_000);
  t.equal(ended.id, opened.id);
  t.ok(Date.parse(ended.endedAt as string) >= deletedAt, 'ended when the camera stopped being watched');
  t.match(await h.service.events.findById(opened.id), { ended_at: Date.parse(ended.endedAt as string) }, 'in history too');
});
