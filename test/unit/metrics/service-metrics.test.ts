import Fastify from 'fastify';
import t from 'tap';
import { uuidv7 } from 'uuidv7';
import { metricsRoutes } from '../../../src/http/metrics.routes.js';
import { ServiceMetrics, type CameraFigures } from '../../../src/metrics/service-metrics.js';
import { parsePromText } from '../../helpers/prom-text.js';

const scrape = async (m: ServiceMetrics) => parsePromText(await m.text());

t.test('camera figures become node totals and per-camera counters that only grow', async (t) => {
  const m = new ServiceMetrics({ node: 'ingest-1', cacheMs: 0, processMetrics: false });
  let cams: CameraFigures[] = [
    { cameraId: 'door', status: 'online', framesAnalysed: 100, restarts: 1 },
    { cameraId: 'yard', status: 'offline', framesAnalysed: 40, restarts: 3 },
  ];
  m.watch({ cameras: () => cams, overloadLevel: () => 2 });
  let p = await scrape(m);
  t.equal(p.value('matthan_node_cameras'), 2);
  t.equal(p.value('matthan_cameras', { status: 'online' }), 1);
  t.equal(p.value('matthan_cameras', { status: 'starting' }), 0, 'every status has a series');
  t.equal(p.value('matthan_frames_analysed_total'), 140);
  t.equal(p.value('matthan_ffmpeg_restarts_total'), 4);
  t.equal(p.value('matthan_camera_frames_analysed_total', { camera: 'yard' }), 40);
  t.equal(p.value('matthan_overload_level'), 2);
  t.ok(p.samples.every((s) => s.labels.node === 'ingest-1'), 'every series names the node');

  // door's stream was re-created (counts from zero again); yard moved to another node.
  cams = [{ cameraId: 'door', status: 'starting', framesAnalysed: 10, restarts: 0 }];
  p = await scrape(m);
  t.equal(p.value('matthan_frames_analysed_total'), 150, 'the node total keeps growing');
  t.equal(p.value('matthan_camera_frames_analysed_total', { camera: 'door' }), 110);
  t.equal(p.value('matthan_camera_frames_analysed_total', { camera: 'yard' }), undefined, 'a camera gone leaves the node');
  t.equal(p.value('matthan_cameras', { status: 'offline' }), 0);
  t.equal(p.types.get('matthan_frames_analysed_total'), 'counter');
});

t.test('queue and outbox counts are cached, and an unreadable queue drops its series', async (t) => {
  let now = 0;
  let reads = 0;
  let redisUp = true;
  const m = new ServiceMetrics({ node: 'api-1', cacheMs: 5000, processMetrics: false, now: () => now });
  m.watch({
    queueCounts: async () => {
      reads++;
      if (!redisUp) throw new Error('ECONNREFUSED');
      return { waiting: 3, active: 1, delayed: 0, failed: 2 };
    },
    outboxPending: async () => 7,
  });
  let p = await scrape(m);
  t.equal(p.value('matthan_queue_jobs', { state: 'waiting' }), 3);
  t.equal(p.value('matthan_queue_jobs', { state: 'failed' }), 2);
  t.equal(p.value('matthan_outbox_pending'), 7);
  await scrape(m);
  await scrape(m);
  t.equal(reads, 1, 'three scrapes within the cache time, one read');
  redisUp = false;
  now += 5000;
  p = await scrape(m);
  t.equal(reads, 2);
  t.equal(p.value('matthan_queue_jobs', { state: 'waiting' }), undefined, 'no stale counts');
  t.equal(p.value('matthan_metrics_source_errors_total', { source: 'queue' }), 1);
  t.equal(p.value('matthan_outbox_pending'), 7, 'the other source still answers');
});

t.test('worker and relay counts: events by type, jobs, failures, publish latency', async (t) => {
  const m = new ServiceMetrics({ node: 'worker-1', cacheMs: 0, processMetrics: false });
  m.jobDone('new', 'stored', 'motion');
  m.jobDone('new', 'duplicate', 'motion');
  m.jobDone('new', 'stored', 'covered');
  m.jobDone('end', 'stored');
  m.jobFailed(false);
  m.jobFailed(true);
  const detected = Date.now();
  const id = uuidv7();
  const at = detected + 1000; // ids carry their own creation time, a few ms at most after `detected`
  m.published([{ dedupe_key: `${id}:new:0` }, { dedupe_key: `${id}:new:1` }, { dedupe_key: `${id}:end:0` }], at);
  m.published([{ dedupe_key: `${uuidv7()}:new:0` }], Date.now() - 60_000); // relay clock behind: counted as 0
  const p = await scrape(m);
  t.equal(p.value('matthan_events_total', { type: 'motion' }), 1, 'a duplicate job is not a new event');
  t.equal(p.value('matthan_events_total', { type: 'covered' }), 1);
  t.equal(p.value('matthan_events_total', { type: 'offline' }), 0, 'every type has a series');
  t.equal(p.value('matthan_event_jobs_total', { kind: 'new', outcome: 'duplicate' }), 1);
  t.equal(p.value('matthan_event_job_failures_total', { final: 'true' }), 1);
  t.equal(p.value('matthan_mqtt_messages_published_total'), 4);
  t.equal(p.value('matthan_event_publish_latency_seconds_count'), 2, 'each event timed once');
  t.equal(p.value('matthan_event_publish_latency_seconds_bucket', { le: '0.005' }), 1, 'the late clock counts as 0');
  t.equal(p.value('matthan_event_publish_latency_seconds_bucket', { le: '0.5' }), 1);
  t.equal(p.value('matthan_event_publish_latency_seconds_bucket', { le: '1' }), 2);
  t.equal(p.types.get('matthan_event_publish_latency_seconds'), 'histogram');
});

t.test('each service has its own registry; process metrics carry the node too', async (t) => {
  const a = new ServiceMetrics({ node: 'a', cacheMs: 0 });
  const b = new ServiceMetrics({ node: 'b', cacheMs: 0 });
  a.jobDone('new', 'stored', 'motion');
  t.equal((await scrape(b)).value('matthan_events_total', { type: 'motion' }), 0, 'b did not see a\'s count');
  const p = await scrape(a);
  t.ok(p.value('process_cpu_user_seconds_total', { node: 'a' }) !== undefined, 'default process metrics');
  t.ok(p.samples.some((s) => s.name === 'nodejs_eventloop_lag_p99_seconds'));
});

t.test('GET /metrics asks for the token when one is set, and only then', async (t) => {
  const m = new ServiceMetrics({ node: 'n', cacheMs: 0, processMetrics: false });
  const token = 'a-long-metrics-token-0123456789';
  const withToken = Fastify();
  await withToken.register(metricsRoutes, { metrics: { token, contentType: m.contentType, text: () => m.text() } });
  t.teardown(() => withToken.close());
  for (const authorization of [undefined, 'Bearer wrong-token-0123456789', `Basic ${token}`, `Bearer ${token}x`]) {
    const r = await withToken.inject({ method: 'GET', url: '/metrics', headers: authorization ? { authorization } : {} });
    t.equal(r.statusCode, 401, `refused: ${authorization}`);
    t.equal(r.json().code, 'METRICS_TOKEN_INVALID');
    t.match(r.headers['www-authenticate'], /^Bearer/);
  }
  const ok = await withToken.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
  t.equal(ok.statusCode, 200);
  t.match(ok.headers['content-type'], /^text\/plain; version=0\.0\.4/);
  t.ok(parsePromText(ok.body).value('matthan_events_total', { type: 'motion' }) === 0);

  const open = Fastify();
  await open.register(metricsRoutes, { metrics: { token: null, contentType: m.contentType, text: () => m.text() } });
  t.teardown(() => open.close());
  t.equal((await open.inject({ method: 'GET', url: '/metrics' })).statusCode, 200, 'no token configured: open');
  const off = Fastify();
  await off.register(metricsRoutes, {});
  t.teardown(() => off.close());
  t.equal((await off.inject({ method: 'GET', url: '/metrics' })).statusCode, 404, 'not enabled: no route');
});
