// Picture health through the real parts: simulator → ffmpeg → frame health → BullMQ → SQLite → MQTT.
// A frozen picture and a covered lens each become an event of their own type, new then end; a covered
// lens alerts the zone; neither raises motion, touches availability, or shows on another camera.

import t from 'tap';
import type { PublicEvent } from '../../src/events/event-types.js';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { startHarness, waitFor, type Harness } from '../helpers/harness.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

const eventOf = (h: Harness, type: 'new' | 'end', kind: PublicEvent['type'], id?: string) => () =>
  h.eventMessages().find((m) => m.type === type && m.event.type === kind && m.event.cameraId === 'door' && (id === undefined || m.event.id === id))?.event;

t.test('a frozen picture and a covered lens are events of their own type, with new and end', async (t) => {
  const redis = await startRedis();
  const broker = await startMosquitto();
  const sim = await startRtspSimulator({ cameras: ['door', 'yard'] });
  const h = await startHarness({
    redisUrl: redis.url,
    mqttUrl: broker.url,
    cameras: [
      { id: 'door', name: 'Cửa chính', rtspUrl: sim.url('door'), zone: 'gate' },
      { id: 'yard', name: 'Sân', rtspUrl: sim.url('yard'), zone: 'gate' },
    ],
    overrides: { health: { frozenAfterSec: 3, coveredAfterSec: 1 } },
  });
  t.teardown(async () => {
    await h.close();
    await sim.stop();
    await redis.stop();
    await broker.stop();
  });
  const prefix = h.config.mqtt.topicPrefix;
  await waitFor('both streams analysing', () => h.framesOf('door') >= 15 && h.framesOf('yard') >= 15);

  const freezeAt = Date.now();
  await sim.freeze('door');
  const frozen = await waitFor('a frozen event', eventOf(h, 'new', 'frozen'), 20_000);
  t.ok(Date.parse(frozen.startedAt) >= freezeAt - 1000, 'dated from when the picture stopped changing');
  t.match(await h.service.events.findById(frozen.id), { type: 'frozen', camera_id: 'door', ended_at: null, alert: 'none' }, 'stored in history');
  await sim.unfreeze('door');
  const thawed = await waitFor('the frozen event ends', eventOf(h, 'end', 'frozen', frozen.id), 20_000);
  t.ok(Date.parse(thawed.endedAt as string) >= Date.parse(frozen.startedAt) + 3000);

  await sim.cover('door');
  const covered = await waitFor('a covered event', eventOf(h, 'new', 'covered'), 20_000);
  const alert = await waitFor('a tamper alert for the zone', () => h.received.find((m) => m.topic === `${prefix}/zones/gate/alerts` && m.payload.includes(covered.id)));
  t.match(JSON.parse(alert.payload), { alertId: covered.id, camera: { id: 'door' }, event: { type: 'covered' } });
  await sim.uncover('door');
  await waitFor('the covered event ends', eventOf(h, 'end', 'covered', covered.id), 20_000);
  t.match(await h.service.events.findById(covered.id), { type: 'covered', alert: 'alerted', ended_at: Number });

  // Whatever the cover or its removal might have looked like to the motion detector has had time to show.
  const framesNow = h.framesOf('door');
  const quietFrames = Math.ceil(h.config.motion.endAfterSec * h.config.motion.fps) + 10;
  await waitFor('more frames after the uncover', () => h.framesOf('door') >= framesNow + quietFrames, 60_000);
  const events = h.eventMessages();
  t.same(events.map((m) => `${m.type} ${m.event.type}`), ['new frozen', 'end frozen', 'new covered', 'end covered'], 'no motion, nothing else');
  t.notOk(events.some((m) => m.event.cameraId === 'yard'), 'the other camera raised nothing');
  t.same(h.received.filter((m) => m.topic.endsWith('/motion')).map((m) => m.payload), [], 'no motion state published');
  const availability = h.received.filter((m) => m.topic === `${prefix}/cameras/door/availability`).map((m) => m.payload);
  t.same([...new Set(availability)], ['online'], 'availability stays online: the stream was reachable throughout');

  const list = (await h.inject({ method: 'GET', url: '/api/cameras' })).json() as { cameras: Array<{ id: string; stream: Record<string, unknown> }> };
  const api = list.cameras.find((c) => c.id === 'door') as { stream: Record<string, unknown> };
  t.match(api.stream, { status: 'online', frozen: false, covered: false, uptimeSec: Number, downtimeSec: Number });
  t.ok((api.stream.uptimeSec as number) >= 10, `uptime counted (${api.stream.uptimeSec} s up, ${api.stream.downtimeSec} s down)`);
  const history = (await h.inject({ method: 'GET', url: '/api/events?cameraId=door' })).json() as { events: PublicEvent[] };
  t.same(history.events.map((e) => e.type), ['covered', 'frozen'], 'both in the history, newest first');
});
