// Consumer side: a BullMQ worker that runs handleEvent for each job. A thrown error means retry
// (with the queue's exponential back-off); bad payloads are unrecoverable.

import { UnrecoverableError, Worker, type WorkerOptions } from 'bullmq';
import type { Logger } from '../logger.js';
import type { EventJob } from './event-types.js';
import { handleEvent, type HandleEventDeps } from './handle-event.js';

export interface EventWorkerOptions {
  redisUrl: string;
  name: string;
  concurrency: number;
  lockDurationMs: number;
  logger: Logger;
  deps: HandleEventDeps;
  metrics?: WorkerMetrics;
}

/** What the worker counts (metrics/service-metrics.ts). */
export interface WorkerMetrics {
  jobDone(kind: EventJob['kind'], outcome: string, eventType?: string): void;
  jobFailed(final: boolean): void;
}

/** null, base64, or a reference the producer stored: a path under the store and a SHA-256. */
function isJobImage(v: unknown): boolean {
  if (v === null || typeof v === 'string') return true;
  const r = v as { path?: unknown; sha256?: unknown } | undefined;
  return typeof r === 'object' && typeof r.path === 'string' && typeof r.sha256 === 'string' && /^[0-9a-f]{64}$/.test(r.sha256);
}

function isEventJob(data: unknown): data is EventJob {
  const d = data as { kind?: unknown; event?: { id?: unknown }; snapshot?: unknown; thumbnail?: unknown } | null;
  const c = (data as { camera?: { id?: unknown } } | null)?.camera;
  if (typeof d !== 'object' || d === null || typeof c?.id !== 'string') return false;
  if (d.kind === 'availability') return true;
  if (d.kind === 'sweep') {
    const w = data as { before?: unknown; keep?: unknown };
    return Number.isFinite(w.before) && Array.isArray(w.keep) && w.keep.every((k) => typeof k === 'string');
  }
  if ((d.kind === 'new' || d.kind === 'update') && !(isJobImage(d.snapshot) && isJobImage(d.thumbnail))) return false;
  return (d.kind === 'new' || d.kind === 'update' || d.kind === 'end') && typeof d.event?.id === 'string';
}

/** The worker's BullMQ options; exported so bench:pipeline's raw BullMQ ceiling runs with the same ones. */
export function eventWorkerOptions(o: Pick<EventWorkerOptions, 'redisUrl' | 'concurrency' | 'lockDurationMs'>): WorkerOptions {
  return {
    // Workers block on Redis: ioredis must retry forever rather than fail their commands.
    connection: { url: o.redisUrl, maxRetriesPerRequest: null },
    concurrency: o.concurrency,
    // A worker that dies loses its lock after this; the stalled job is then retried elsewhere.
    lockDuration: o.lockDurationMs,
    stalledInterval: Math.max(1000, Math.round(o.lockDurationMs / 2)),
  };
}

export class EventWorker {
  readonly #o: EventWorkerOptions;
  #worker: Worker<EventJob> | null = null;

  constructor(o: EventWorkerOptions) {
    this.#o = o;
  }

  async start(): Promise<void> {
    const { logger, deps } = this.#o;
    const worker = new Worker<EventJob>(
      this.#o.name,
      async (job) => {
        if (!isEventJob(job.data)) throw new UnrecoverableError(`job ${job.id} has no valid event payload`);
        const outcome = await handleEvent(job.data, deps);
        this.#o.metrics?.jobDone(job.data.kind, outcome, job.data.kind === 'new' ? job.data.event.type : undefined);
        return outcome;
      },
      eventWorkerOptions(this.#o),
    );
    worker.on('failed', (job, err) => {
      const final = job !== undefined && job.attemptsMade >= (job.opts.attempts ?? 1);
      this.#o.metrics?.jobFailed(final);
      logger[final ? 'error' : 'warn']({ jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, final ? 'event job failed for good' : 'event job failed; will retry');
    });
    worker.on('error', (err) => logger.warn({ err: err.message }, 'event worker error'));
    this.#worker = worker;
    await worker.waitUntilReady();
  }

  async close(): Promise<void> {
    await this.#worker?.close();
    this.#worker = null;
  }
}
