// A fast-failing Redis connection for readiness checks: no offline queue, so a ping while Redis
// is down fails at once instead of waiting for the reconnect.

import { Redis } from 'ioredis';
import { redactUrls } from '../cameras/camera-url.js';
import { MatThanError } from '../errors.js';

export class RedisProbe {
  readonly #client: Redis;
  readonly #url: string;

  constructor(url: string) {
    this.#url = url;
    this.#client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    this.#client.on('error', () => { /* readiness reports it; reconnects on its own */ });
  }

  async start(): Promise<void> {
    await this.#client.connect().catch(() => undefined);
  }

  async ping(): Promise<void> {
    await this.#client.ping();
  }

  /** At start: wait (bounded) for Redis to answer, so a wrong REDIS_URL stops the service with a clear error. */
  async waitReachable(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.#client.ping();
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new MatThanError('REDIS_UNREACHABLE', `${redactUrls(this.#url)}: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }

  async close(): Promise<void> {
    this.#client.disconnect();
  }
}
