// Producer side of the BullMQ event queue. The job id is derived from the event id, so adding
// the same job twice is a no-op in Redis. An add that fails (Redis restarting) is retried with
// back-off in memory rather than dropped; the camera's later events wait behind it, in order.

import { Queue, type JobsOptions } from 'bullmq';
import type { Logger } from '../logger.js';
import { backoffDelay } from '../streams/backoff.js';
import { jobIdFor, type EventJob } from './event-types.js';

export interface EventQueueOptions {
  redisUrl: string;
  name: string;
  attempts: number;
  logger: Logger;
}

/** Options of every event job; exported so bench:pipeline's raw BullMQ ceiling runs with the same ones. */
export function eventJobOptions(job: EventJob, attempts: number): JobsOptions {
  return {
    jobId: jobIdFor(job),
    attempts,
    backoff: { type: 'exponential', delay: 500 },
    removeOnComplete: true,
    // Permanent failures stay visible for operators.
    removeOnFail: false,
  };
}

export class EventQueue {
  readonly #queue: Queue<EventJob>;
  readonly #o: EventQueueOptions;
  #closing = false;

  constructor(o: EventQueueOptions) {
    this.#o = o;
    this.#queue = new Queue<EventJob>(o.name, { connection: { url: o.redisUrl } });
    this.#queue.on('error', (err) => o.logger.warn({ err: err.message }, 'event queue connection error'));
  }

  async add(job: EventJob): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.#queue.add(job.kind, job, eventJobOptions(job, this.#o.attempts));
        return;
      } catch (err) {
        if (this.#closing) throw err;
        const delay = backoffDelay(attempt, { initialMs: 200, maxMs: 5000 });
        this.#o.logger.warn({ jobId: jobIdFor(job), attempt, retryInMs: delay, err: (err as Error).message }, 'could not queue event; retrying');
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  async counts(): Promise<{ waiting: number; active: number; delayed: number; failed: number }> {
    const c = await this.#queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
    return { waiting: c.waiting ?? 0, active: c.active ?? 0, delayed: c.delayed ?? 0, failed: c.failed ?? 0 };
  }

  beginShutdown(): void {
    this.#closing = true;
  }

  async close(): Promise<void> {
    this.#closing = true;
    await this.#queue.close();
  }
}
