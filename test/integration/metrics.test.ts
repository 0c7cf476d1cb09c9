// /metrics through the real parts: a person crossing the simulated camera becomes an event (ffmpeg →
// detector → BullMQ → SQLite → outbox → Mosquitto), and the scrape, read as Prometheus reads it, shows
// the frames, the event, its publish latency, the queue and the camera.

import t from 'tap';
import { startRtspSimulator } from '../../src/sim/rtsp-simulator.js';
import { startHarness, waitFor } from '../helpers/harness.js';
import { parsePromText, type PromText } from '../helpers/prom-text.js';
import { startMosquitto, startRedis } from '../helpers/services.js';

const TOKEN = 'metrics-test-token-0123456789abcdef';

t.test('a crossing moves the counters a Prometheus scrape reads', async (t) => {
  const redis = await startRedis();
  const broker = await startMosquitto();
  const sim = await startRtspSimulator({ cameras: ['walk'] });
  const h = await startHarness({
    redisUrl: redis.url,
    mqttUrl: broker.url,
    cameras: [{ id: 'walk', name: 'Cổng làng', rtspUrl: sim.url('walk'), zone: 'gate' }],
    overrides: { nodeId: 'ingest-a', metrics: { enabled: true, token: TOKEN, cacheMs: 0 } },
  });
  t.teardown(async () => {
    await h.close();
    await sim.stop();
    await redis.stop();
    await broker.stop();
  });
  const url = `${h.service.publicUrl}/metrics`;
  const scrape = async (): Promise<PromText> => {
    const r = await fetch(url, { headers: { authorization: `Bearer ${TOKEN}` } });
    t.equal(r.status, 200);
    return parsePromText(await r.text());
  };

  const refused = await fetch(url);
  t.equal(refused.status, 401, 'no token, no metrics');
  t.equal(((await refused.json()) as { error: { code: string } }).error.code, 'METRICS_TOKEN_INVALID');
  const wrong = await fetch(url, { headers: { authorization: `Bearer ${TOKEN.slice(1)}x` } });
  t.equal(wrong.status, 401);

  await waitFor('the stream analysing', () => h.framesOf('walk') >= 15);
  const before = await scrape();
  t.equal(before.value('matthan_node_cameras', { node: 'ingest-a' }), 1);
  t.equal(before.value('matthan_cameras', { status: 'online' }), 1);
  t.ok((before.value('matthan_frames_analysed_total') ?? 0) >= 15, 'frames counted');
  t.equal(before.value('matthan_events_total', { type: 'motion' }), 0);
  t.equal(before.value('matthan_queue_jobs', { state: 'failed' }), 0, 'queue read from Redis');
  t.ok(before.value('process_resident_memory_bytes', { node: 'ingest-a' }) !== undefined, 'process metrics with the node label');

  await sim.cross('walk', 3);
  const ended = await waitFor('the end message', () => h.eventMessages().find((m) => m.type === 'end'));
  // The scrape counts what the relay marked published; the subscriber's copy may arrive just before that mark.
  const after = await waitFor('the scrape showing the event published', async () => {
    const p = await scrape();
    return (p.value('matthan_event_publish_latency_seconds_count') ?? 0) >= 1 ? p : undefined;
  });
  t.equal(after.value('matthan_events_total', { type: 'motion' }), 1, 'one motion event stored');
  t.equal(after.value('matthan_event_jobs_total', { kind: 'end', outcome: 'stored' }), 1);
  t.ok((after.value('matthan_frames_analysed_total') ?? 0) > (before.value('matthan_frames_analysed_total') ?? 0), 'frames kept counting');
  t.ok((after.value('matthan_camera_frames_analysed_total', { camera: 'walk' }) ?? 0) > 0, 'per camera too');
  t.equal(after.value('matthan_event_publish_latency_seconds_count'), 1, 'the event timed once, from detection to the broker');
  t.ok((after.value('matthan_event_publish_latency_seconds_sum') ?? -1) >= 0);
  t.ok((after.value('matthan_mqtt_messages_published_total') ?? 0) >= 3, 'new, motion ON, snapshot, end at least');
  t.equal(after.types.get('matthan_event_publish_latency_seconds'), 'histogram');
  t.equal(after.value('matthan_ffmpeg_restarts_total'), 0);
  t.ok(ended.event.id);
});
