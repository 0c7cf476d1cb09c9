// Ingest nodes that are alive: each writes its heartbeat into one sorted set; a node whose last
// heartbeat is older than the TTL no longer counts towards the fair share. Only a count is needed,
// never agreement, so no election and no protocol of our own.

import type { Redis } from 'ioredis';

export class NodeMembership {
  readonly #redis: Redis;
  readonly #key: string;
  readonly #nodeId: string;
  readonly #ttlMs: number;

  constructor(redis: Redis, key: string, nodeId: string, ttlMs: number) {
    this.#redis = redis;
    this.#key = key;
    this.#nodeId = nodeId;
    this.#ttlMs = ttlMs;
  }

  /** Says this node is alive and returns how many nodes are (this one included). */
  async beat(now = Date.now()): Promise<number> {
    const r = await this.#redis.multi()
      .zadd(this.#key, now, this.#nodeId)
      .zremrangebyscore(this.#key, '-inf', now - 10 * this.#ttlMs)
      .zcount(this.#key, now - this.#ttlMs, '+inf')
      .exec();
    return Number(r?.[2]?.[1] ?? 1);
  }

  /** A node stopping on purpose leaves at once, so the others take its share without waiting for the TTL. */
  async leave(): Promise<void> {
    await this.#redis.zrem(this.#key, this.#nodeId);
  }
}
