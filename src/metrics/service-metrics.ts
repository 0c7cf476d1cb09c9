// The service's Prometheus metrics: one Registry per service instance (never prom-client's global
// one, so two services in one test process do not share counters), passed by hand to the stages that
// count (worker, outbox relay) and told where to read the rest at scrape time (supervisor, queue,
// outbox, overload guard). Every series carries `node`. Label choices: docs/operations.md#metrics.

import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { StreamStatus } from '../streams/camera-stream.js';
import { cachedAsync, withDeadline, type Settled } from './cached.js';
import { STREAM_STATUSES, statusCounts } from './camera-figures.js';
import { detectedAtOf } from './detection-time.js';
import { RunningTotals } from './running-totals.js';

/** What the metrics read of the supervisor: each camera stream's stats. */
export interface CameraFigures {
  cameraId: string;
  status: StreamStatus;
  framesAnalysed: number;
  restarts: number;
}

/** Where scrape-time figures come from; a role without a part (no cameras, no queue) leaves it out. */
export interface MetricsSources {
  cameras?: () => CameraFigures[];
  queueCounts?: () => Promise<Record<string, number>>;
  outboxPending?: () => Promise<number>;
  overloadLevel?: () => number;
}

export interface ServiceMetricsOptions {
  /** The `node` label: config nodeId or the host name. */
  node: string;
  /** Queue and outbox counts are read at most this often. */
  cacheMs: number;
  /** Process metrics (CPU, memory, event loop, GC); off in unit tests that count series. */
  processMetrics?: boolean;
  now?: () => number;
}

const QUEUE_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
/** A scrape waits no longer than this for Redis or the database. */
const READ_DEADLINE_MS = 2000;
// Alerts are expected within tens of milliseconds; the top buckets show backlogs (broker away, Redis slow).
const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

export class ServiceMetrics {
  readonly registry = new Registry();
  readonly #o: ServiceMetricsOptions;
  #sources: MetricsSources = {};
  #queue: (() => Promise<Settled<Record<string, number>>>) | null = null;
  #outbox: (() => Promise<Settled<number>>) | null = null;
  readonly #frames = new RunningTotals();
  readonly #restarts = new RunningTotals();
  readonly #m;

  constructor(o: ServiceMetricsOptions) {
    this.#o = o;
    this.registry.setDefaultLabels({ node: o.node });
    if (o.processMetrics !== false) collectDefaultMetrics({ register: this.registry });
    const r = [this.registry];
    this.#m = {
      cameras: new Gauge({ name: 'matthan_cameras', help: 'Cameras watched by this node, by stream status', labelNames: ['status'], registers: r }),
      nodeCameras: new Gauge({ name: 'matthan_node_cameras', help: 'Cameras whose stream this node runs', registers: r }),
      frames: new Counter({ name: 'matthan_frames_analysed_total', help: 'Frames analysed by the motion detector on this node', registers: r }),
      cameraFrames: new Counter({ name: 'matthan_camera_frames_analysed_total', help: 'Frames analysed, per camera', labelNames: ['camera'], registers: r }),
      restarts: new Counter({ name: 'matthan_ffmpeg_restarts_total', help: 'ffmpeg runs that ended and were restarted (crash, watchdog, camera away)', registers: r }),
      cameraRestarts: new Counter({ name: 'matthan_camera_ffmpeg_restarts_total', help: 'ffmpeg restarts, per camera', labelNames: ['camera'], registers: r }),
      overload: new Gauge({ name: 'matthan_overload_level', help: 'Analysis step-down level (0 = none; see /readyz overload)', registers: r }),
      queue: new Gauge({ name: 'matthan_queue_jobs', help: 'Event jobs in the BullMQ queue by state (failed = given up; cluster-wide)', labelNames: ['state'], registers: r }),
      outbox: new Gauge({ name: 'matthan_outbox_pending', help: 'MQTT messages stored but not yet acknowledged by the broker (cluster-wide)', registers: r }),
      readErrors: new Counter({ name: 'matthan_metrics_source_errors_total', help: 'Scrapes that found a source unreadable (failed or timed out)', labelNames: ['source'], registers: r }),
      events: new Counter({ name: 'matthan_events_total', help: 'Events stored by this node\'s worker, by type', labelNames: ['type'], registers: r }),
      jobs: new Counter({ name: 'matthan_event_jobs_total', help: 'Event jobs handled by this node\'s worker, by kind and outcome', labelNames: ['kind', 'outcome'], registers: r }),
      jobFailures: new Counter({ name: 'matthan_event_job_failures_total', help: 'Event job attempts that failed (final = no retry left)', labelNames: ['final'], registers: r }),
      published: new Counter({ name: 'matthan_mqtt_messages_published_total', help: 'Outbox messages acknowledged by the MQTT broker', registers: r }),
      latency: new Histogram({ name: 'matthan_event_publish_latency_seconds', help: 'From detection (event id time) to the broker\'s ack of the event\'s first message', buckets: LATENCY_BUCKETS, registers: r }),
    };
    for (const type of ['motion', 'offline', 'frozen', 'covered']) this.#m.events.inc({ type }, 0);
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** Where to read scrape-time figures; called once the stages exist. */
  watch(sources: MetricsSources): void {
    this.#sources = { ...this.#sources, ...sources };
    const { queueCounts, outboxPending } = this.#sources;
    const now = this.#o.now ?? Date.now;
    if (queueCounts) this.#queue = cachedAsync(() => withDeadline(queueCounts(), READ_DEADLINE_MS, 'queue counts'), this.#o.cacheMs, now);
    if (outboxPending) this.#outbox = cachedAsync(() => withDeadline(outboxPending(), READ_DEADLINE_MS, 'outbox count'), this.#o.cacheMs, now);
  }

  /** The exposition text (refreshes the scrape-time figures first). */
  async text(): Promise<string> {
    this.#readCameras();
    const level = this.#sources.overloadLevel?.();
    if (level !== undefined) this.#m.overload.set(level);
    await Promise.all([this.#readQueue(), this.#readOutbox()]);
    return this.registry.metrics();
  }

  /** The worker finished a job (handle-event.ts outcome); a stored `new` is a new event. */
  jobDone(kind: string, outcome: string, eventType?: string): void {
    this.#m.jobs.inc({ kind, outcome });
    if (kind === 'new' && outcome === 'stored' && eventType !== undefined) this.#m.events.inc({ type: eventType });
  }

  jobFailed(final: boolean): void {
    this.#m.jobFailures.inc({ final: String(final) });
  }

  /** The relay's rows the broker acknowledged at `at`: each event's first message is timed from its detection. */
  published(rows: ReadonlyArray<{ dedupe_key: string; messages?: number }>, at: number): void {
    if (rows.length === 0) return;
    // A row may be a bundle of several messages (db/outbox-bundle.ts); the counter counts messages.
    this.#m.published.inc(rows.reduce((n, r) => n + (r.messages ?? 1), 0));
    for (const row of rows) {
      const detectedAt = detectedAtOf(row.dedupe_key);
      // Detection and relay may run on two machines: a clock behind shows as 0, not as a negative time.
      if (detectedAt !== null) this.#m.latency.observe(Math.max(0, at - detectedAt) / 1000);
    }
  }

  #readCameras(): void {
    const read = this.#sources.cameras;
    if (!read) return;
    const stats = read();
    this.#m.nodeCameras.set(stats.length);
    const counts = statusCounts(stats);
    for (const status of STREAM_STATUSES) this.#m.cameras.set({ status }, counts[status]);
    let frames = 0;
    let restarts = 0;
    for (const s of stats) {
      const f = this.#frames.delta(s.cameraId, s.framesAnalysed);
      const r = this.#restarts.delta(s.cameraId, s.restarts);
      this.#m.cameraFrames.inc({ camera: s.cameraId }, f);
      this.#m.cameraRestarts.inc({ camera: s.cameraId }, r);
      frames += f;
      restarts += r;
    }
    this.#m.frames.inc(frames);
    this.#m.restarts.inc(restarts);
    // A camera removed (or moved to another node) leaves this node's series.
    const present = new Set(stats.map((s) => s.cameraId));
    for (const camera of this.#frames.retain(present)) this.#m.cameraFrames.remove({ camera });
    for (const camera of this.#restarts.retain(present)) this.#m.cameraRestarts.remove({ camera });
  }

  async #readQueue(): Promise<void> {
    if (!this.#queue) return;
    const r = await this.#queue();
    // An unreadable queue drops its series (absent() alerts see it) rather than showing stale counts.
    if (!r.ok || r.value === undefined) {
      this.#m.queue.reset();
      if (!r.ok) this.#m.readErrors.inc({ source: 'queue' });
      return;
    }
    for (const state of QUEUE_STATES) this.#m.queue.set({ state }, r.value[state] ?? 0);
  }

  async #readOutbox(): Promise<void> {
    if (!this.#outbox) return;
    const r = await this.#outbox();
    if (!r.ok || r.value === undefined) {
      this.#m.outbox.reset();
      if (!r.ok) this.#m.readErrors.inc({ source: 'outbox' });
      return;
    }
    this.#m.outbox.set(r.value);
  }
}
