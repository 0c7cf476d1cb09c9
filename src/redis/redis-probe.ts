// A fast-failing Redis connection for readiness checks: no offline queue, so a ping while Redis
// is down fails at once instead of waiting for the reconnect.

import { Redis } from 'ioredis';

export class RedisProbe {
  readonly #client: Redis;

  constructor(url: string) {
    this.#client = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 0, lazyConnect: true });
    this.#client.on('error', () => { /* readiness reports it; reconnects on its own */ });
  }

  async start(): Promise<void> {
    await this.#client.connect().catch(() => undefined);
  }

  async ping(): Promise<void> {
    await this.#client.ping();
  }

  async close(): Promise<void> {
    this.#client.disconnect();
  }
}
