// Publishes the outbox in order, QoS 1, and marks rows published only once the broker acknowledged
// them (a bundle row: all of its messages). While the broker is away rows simply wait; a crash before
// the ack means a re-send, never a loss.

import { rowMessages, type StoredMessage } from '../db/outbox-bundle.js';
import type { OutboxRow } from '../db/outbox.repository.js';
import type { Logger } from '../logger.js';
import type { Message } from './topics.js';

export interface RelayPublisher {
  publish(m: Message): Promise<void>;
  readonly connected: boolean;
  waitConnected(): Promise<void>;
}

type MaybePromise<T> = T | Promise<T>;

/** The outbox queries the relay needs: synchronous on SQLite (db/outbox-statements.ts), async on PostgreSQL (db/postgres-outbox.ts). */
export interface RelayOutbox {
  due(now: number, limit: number): MaybePromise<OutboxRow[]>;
  nextDueAt(): MaybePromise<number | null>;
  markPublished(ids: number[], at: number): MaybePromise<void>;
  requeuePublishedSince(at: number): MaybePromise<number>;
  prunePublishedBefore(at: number): MaybePromise<void>;
}

export interface OutboxRelayOptions {
  outbox: RelayOutbox;
  /** Reads a stored snapshot for messages that refer to one (null if it is gone). */
  readFile: (path: string) => Promise<Buffer | null>;
  publisher: RelayPublisher;
  logger: Logger;
  /** Rows published per round (in flight at once). */
  batch?: number;
  /** Published rows are kept this long as dedupe memory for retried jobs. */
  keepPublishedMs?: number;
  /** After a reconnect, rows the broker acknowledged this shortly before the connection broke are sent again. */
  resendWindowMs?: number;
  /** Told of each round's acknowledged rows (metrics: detection → publish latency). */
  metrics?: RelayMetrics;
}

export interface RelayMetrics {
  /** Each acknowledged row with the number of its messages that went out (a gone snapshot is not one). */
  published(rows: ReadonlyArray<{ dedupe_key: string; messages: number }>, at: number): void;
}

const IDLE_POLL_MS = 1000;
const PRUNE_EVERY_MS = 60_000;

export class OutboxRelay {
  readonly #o: Required<Omit<OutboxRelayOptions, 'metrics'>>;
  readonly #metrics: RelayMetrics | undefined;
  #running = false;
  #loop: Promise<void> | null = null;
  #wake: (() => void) | null = null;
  #pendingWake = false;
  #lastPrune = 0;

  constructor(o: OutboxRelayOptions) {
    const { metrics, ...rest } = o;
    this.#o = { batch: 500, keepPublishedMs: 24 * 3600_000, resendWindowMs: 5000, ...rest };
    this.#metrics = metrics;
  }

  /**
   * The broker came back after the connection broke at `brokeAt`. A broker acknowledges a message before
   * it has reached the subscribers, and one that restarts can lose those (Mosquitto 2.0.11 loses messages
   * in flight to persistent subscribers), so the last few seconds are sent again: duplicates, which
   * consumers drop by event id, rather than a lost alert.
   */
  async resendAfterReconnect(brokeAt: number): Promise<void> {
    const n = await this.#o.outbox.requeuePublishedSince(brokeAt - this.#o.resendWindowMs);
    if (n > 0) this.#o.logger.info({ messages: n, windowMs: this.#o.resendWindowMs }, 're-sending what the broker acknowledged just before the break');
    this.notify();
  }

  start(): void {
    this.#running = true;
    this.#loop = this.#run();
  }

  /** New rows were committed: publish them now rather than at the next poll. */
  notify(): void {
    this.#pendingWake = true;
    this.#wake?.();
  }

  async close(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (this.#running) {
      try {
        if (!this.#o.publisher.connected) await this.#sleep(IDLE_POLL_MS, this.#o.publisher.waitConnected());
        if (!this.#running) break;
        const rows = await this.#o.outbox.due(Date.now(), this.#o.batch);
        if (rows.length > 0) await this.#publish(rows);
        else await this.#idle();
        await this.#maybePrune();
      } catch (err) {
        this.#o.logger.warn({ err }, 'outbox relay round failed; retrying');
        await this.#sleep(IDLE_POLL_MS);
      }
    }
  }

  async #publish(rows: OutboxRow[]): Promise<void> {
    // A row is one message or a bundle of several (db/outbox-bundle.ts), published in the stored order.
    const perRow = rows.map(rowMessages);
    const all = perRow.flat();
    const messages = await Promise.all(all.map((m) => this.#toMessage(m)));
    // mqtt.js writes in call order and keeps unacknowledged QoS 1 messages across reconnects.
    // A message whose snapshot file is gone (deleted since) has nothing left to say: it counts as sent.
    const results = await Promise.allSettled(messages.map((m) => (m ? this.#o.publisher.publish(m) : undefined)));
    // A row is done once every one of its messages is: a bundle partly acknowledged goes out again whole.
    const done: OutboxRow[] = [];
    const sent: Array<{ dedupe_key: string; messages: number }> = [];
    let next = 0;
    for (const [n, row] of rows.entries()) {
      // This row's messages are the next ones of `all`, in order.
      const mine = (perRow[n] ?? []).map(() => next++);
      if (!mine.every((k) => results[k]?.status === 'fulfilled')) continue;
      done.push(row);
      const went = mine.filter((k) => messages[k] !== null).length;
      if (went > 0) sent.push({ dedupe_key: row.dedupe_key, messages: went });
    }
    const at = Date.now();
    this.#metrics?.published(sent, at);
    await this.#o.outbox.markPublished(done.map((r) => r.id), at);
    if (done.length < rows.length) {
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      this.#o.logger.warn({ failed: rows.length - done.length, err: String(failed.reason) }, 'some alerts not acknowledged; will resend');
      await this.#sleep(IDLE_POLL_MS);
    }
  }

  async #toMessage(m: StoredMessage): Promise<Message | null> {
    const payload = m.file === null ? m.payload : await this.#o.readFile(m.file);
    if (payload === null) return null;
    return { topic: m.topic, payload, options: { qos: m.qos, retain: m.retain } };
  }

  async #idle(): Promise<void> {
    if (this.#pendingWake) {
      this.#pendingWake = false;
      return;
    }
    const next = await this.#o.outbox.nextDueAt();
    // Rows committed while the query ran (its await lets other jobs finish) are published now.
    if (this.#pendingWake) {
      this.#pendingWake = false;
      return;
    }
    const wait = next === null ? IDLE_POLL_MS : Math.max(0, Math.min(IDLE_POLL_MS, next - Date.now()));
    await this.#sleep(wait);
  }

  async #maybePrune(): Promise<void> {
    const now = Date.now();
    if (now - this.#lastPrune < PRUNE_EVERY_MS) return;
    this.#lastPrune = now;
    await this.#o.outbox.prunePublishedBefore(now - this.#o.keepPublishedMs);
  }

  /** Waits for `ms`, a notify(), close(), or `also`, whichever comes first. */
  #sleep(ms: number, also?: Promise<void>): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#wake = () => {
        this.#pendingWake = false;
        done();
      };
      also?.then(done, done);
    });
  }
}


