// Each ingest node records when it starts and stops watching a camera, in a Redis stream, so that
// gaps and double watching can be measured from outside (tests, bench:scale, an operator).

import type { Redis } from 'ioredis';
import type { WatchRecord } from './watch-coverage.js';

/** Records kept (approximately): a few days of churn for a few hundred cameras. */
const MAX_RECORDS = 100_000;

export class WatchLog {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(redis: Redis, key: string) {
    this.#redis = redis;
    this.#key = key;
  }

  /** `why`: taken, or how it stopped (wait: handed back, done: camera gone, lost: lock lost). */
  async record(camera: string, node: string, event: WatchRecord['event'], why: string, at = Date.now()): Promise<void> {
    await this.#redis.xadd(this.#key, 'MAXLEN', '~', String(MAX_RECORDS), '*', 'camera', camera, 'node', node, 'event', event, 'why', why, 'at', String(at));
  }

  async read(): Promise<WatchRecord[]> {
    const entries = await this.#redis.xrange(this.#key, '-', '+');
    return entries.map(([, fields]) => {
      const f = new Map<string, string>();
      for (let i = 0; i + 1 < fields.length; i += 2) f.set(fields[i]!, fields[i + 1]!);
      return { camera: f.get('camera') ?? '', node: f.get('node') ?? '', event: f.get('event') === 'stop' ? 'stop' : 'start', why: f.get('why'), at: Number(f.get('at')) };
    });
  }
}
