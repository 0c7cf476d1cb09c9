// The RTSP server going away must not take the service down; it comes back on its own, with back-off.

import t from 'tap';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { startHarness, waitFor } from '../helpers/harness.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

t.test('RTSP server down and back: the service survives, backs off, resumes and still alerts', async (t) => {
  const redis = await startRedis();
  const broker = await startMosquitto();
  const sim = await startRtspSimulator({ cameras: ['gate'] });
  const h = await startHarness({ redisUrl: redis.url, mqttUrl: broker.url, cameras: [{ id: 'gate', name: 'Gate', rtspUrl: sim.url('gate'), zone: 'z1' }] });
  t.teardown(async () => {
    await h.close();
    await sim.stop();
    await redis.stop();
    await broker.stop();
  });

  await waitFor('stream online', () => h.statusOf('gate') === 'online' && h.framesOf('gate') >= 5);
  const stats = () => h.service.supervisor.stats().find((s) => s.cameraId === 'gate');
  const downBefore = stats()?.downtimeSec ?? 0;
  const downAt = Date.now();
  await sim.stop();
  await waitFor('stream offline', () => h.statusOf('gate') === 'offline');
  const restartLogs = () =>
    h.logs.lines.map((l) => JSON.parse(l) as { msg: string; cameraId?: string; retryInMs?: number }).filter((l) => l.msg === 'ffmpeg exited; restarting' && l.cameraId === 'gate');
  await waitFor('three failed reconnects', () => restartLogs().length >= 3, 30_000);

  const health = await h.inject({ method: 'GET', url: '/healthz' });
  t.equal(health.statusCode, 200, 'the process still answers');
  const delays = restartLogs().map((l) => l.retryInMs as number);
  t.ok((delays[0] as number) <= h.config.stream.backoffInitialMs, `first retry within the initial step (${delays[0]} ms)`);
  for (let i = 1; i < delays.length; i++) t.ok((delays[i] as number) >= (delays[i - 1] as number), `back-off grows: ${delays.join(', ')} ms`);

  const framesWhileDown = h.framesOf('gate');
  await sim.start();
  await waitFor('stream online again', () => h.statusOf('gate') === 'online' && h.framesOf('gate') >= framesWhileDown + 15, 30_000);
  t.pass('frames flow again after the server returned');
  const outageSec = (Date.now() - downAt) / 1000;
  // The outage counts as downtime (less the last frames' few hundred ms and the 15 frames since its end).
  t.ok((stats()?.downtimeSec ?? 0) - downBefore >= outageSec - 5, `downtime grew by the outage (~${Math.round(outageSec)} s): ${JSON.stringify(stats())}`);
  await sim.cross('gate', 3);
  const ev = await waitFor('an alert after the outage', () => h.eventMessages().find((m) => m.type === 'new'));
  t.equal(ev.event.cameraId, 'gate');
});
