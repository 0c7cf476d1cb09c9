// Producer side of the BullMQ event queue. The job id is derived from the event id,
// so adding the same job twice is a no-op in Redis.

import { Queue } from 'bullmq';
import { jobIdFor, type EventJob } from './event-types.js';

export interface EventQueueOptions {
  redisUrl: string;
  name: string;
  attempts: number;
}

export class EventQueue {
  readonly #queue: Queue<EventJob>;
  readonly #attempts: number;

  constructor(o: EventQueueOptions) {
    this.#attempts = o.attempts;
    // The offline queue stays on: during a short Redis restart detections wait in memory instead of failing.
    this.#queue = new Queue<EventJob>(o.name, { connection: { url: o.redisUrl } });
  }

  async add(job: EventJob): Promise<void> {
    await this.#queue.add(job.kind, job, {
      jobId: jobIdFor(job),
      attempts: this.#attempts,
      backoff: { type: 'exponential', delay: 500 },
      removeOnComplete: true,
      // Permanent failures stay visible for operators.
      removeOnFail: false,
    });
  }

  async failedCount(): Promise<number> {
    return this.#queue.getFailedCount();
  }

  async close(): Promise<void> {
    await this.#queue.close();
  }
}
