// Camera and hybrid modes end to end: the ONVIF simulator's PullPoint motion events and the RTSP
// simulator's crossings, through the service's watcher, stream, detector, queue and MQTT.

import t from 'tap';
import { startOnvifSimulator } from '../../src/sim/onvif-simulator.js';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { startHarness, waitFor, type Harness } from '../helpers/harness.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

const USER = 'admin';
const PASSWORD = 'Side-m0tion-pw';

const redis = await startRedis();
const broker = await startMosquitto();
const rtsp = await startRtspSimulator({ cameras: ['yard', 'porch'] });
const h: Harness = await startHarness({
  redisUrl: redis.url, mqttUrl: broker.url, cameras: [],
  // Short alert cooldown and hybrid window so one test can see several events.
  overrides: { alerts: { cooldownSec: 0 }, cameraEvents: { hybridWindowSec: 4, minPollGapMs: 200 } },
});
t.teardown(async () => {
  await h.close();
  await rtsp.stop();
  await redis.stop();
  await broker.stop();
});

const api = (method: 'POST' | 'GET', url: string, payload?: unknown) =>
  h.inject({ method, url, ...(payload === undefined ? {} : { payload: payload as object }) });
const streamOf = (id: string) => h.service.supervisor.stats().find((s) => s.cameraId === id);
const eventsOf = (id: string) => h.eventMessages().filter((m) => m.event.cameraId === id);

async function register(t: Pick<typeof import('tap').default, 'teardown'>, id: string, mode: 'camera' | 'hybrid') {
  const sim = await startOnvifSimulator({ username: USER, password: PASSWORD, rtspUrl: rtsp.url(id) });
  t.teardown(() => sim.close());
  const res = await api('POST', '/api/cameras', { id, name: id, onvif: { host: '127.0.0.1', port: sim.port, username: USER, password: PASSWORD }, motion: { mode } });
  if (res.statusCode !== 201) throw new Error(res.body);
  await waitFor(`${id} analysing`, () => (streamOf(id)?.framesAnalysed ?? 0) >= 20, 60_000);
  await waitFor(`${id} subscribed to its camera's events`, () => sim.eventSubscriptions() > 0);
  return sim;
}

t.test('camera mode: the camera’s own motion opens and ends the event; our stream gives the snapshot', async (t) => {
  const sim = await register(t, 'porch', 'camera');
  t.equal(streamOf('porch')?.mode, 'camera');
  sim.setMotion(true, { topic: 'RuleEngine/CellMotionDetector/Motion', valueStyle: 'int' });
  const started = await waitFor('new event from the camera’s motion', () => eventsOf('porch').find((m) => m.type === 'new'));
  t.match(started.event, { type: 'motion', snapshotSha256: /^[0-9a-f]{64}$/ });
  t.equal(streamOf('porch')?.cameraMotion, true);
  sim.setMotion(false);
  const ended = await waitFor('end after the camera says motion stopped', () => eventsOf('porch').find((m) => m.type === 'end'));
  t.equal(ended.event.id, started.event.id);
});

t.test('hybrid mode: our detector alone does not alert; after a camera event it confirms and alerts', async (t) => {
  const sim = await register(t, 'yard', 'hybrid');
  await rtsp.cross('yard', 2);
  // The crossing is over once the simulator says so; give the pipeline as long again as an event needs to end.
  const frames = streamOf('yard')?.framesAnalysed ?? 0;
  await waitFor('quiet frames after the lone crossing', () => (streamOf('yard')?.framesAnalysed ?? 0) >= frames + 25, 30_000);
  t.equal(eventsOf('yard').length, 0, 'a crossing without a camera event raised nothing');

  sim.setMotion(true, { topic: 'VideoSource/MotionAlarm', valueStyle: 'bool' });
  await waitFor('the watcher saw the camera event', () => streamOf('yard')?.cameraMotion === true);
  sim.setMotion(false);
  await rtsp.cross('yard', 2);
  const alert = await waitFor('a confirmed event', () => eventsOf('yard').find((m) => m.type === 'new'), 30_000);
  t.match(alert.event, { type: 'motion', cameraId: 'yard' });
  t.ok(h.received.some((m) => m.topic === `${h.config.mqtt.topicPrefix}/cameras/yard/motion` && m.payload === 'ON'), 'motion ON published');
});
