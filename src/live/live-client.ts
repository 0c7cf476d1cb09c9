// One connected live viewer: its scope, its bounded queue (live-queue.ts) and the pump that writes the
// queue to the socket only as fast as the socket drains. No fastify here: the sink is anything with
// write/once('drain')/end, so the policy is tested without a network.

import type { ViewScope } from '../auth/viewer.js';
import { LiveQueue, type QueuedMessage } from './live-queue.js';
import { SSE_PING } from './live-messages.js';

export interface SseSink {
  /** false: the chunk is buffered, wait for 'drain' before writing more. */
  write(chunk: string): boolean;
  once(event: 'drain', listener: () => void): unknown;
  end(): void;
}

export class LiveClient {
  readonly scope: ViewScope;
  readonly #sink: SseSink;
  readonly #queue: LiveQueue;
  readonly #onOverflow: (c: LiveClient) => void;
  #waitingDrain = false;
  #paused: boolean;
  #closed = false;

  /** Starts paused when `paused`: messages queue up until resume() (the replay goes out first). */
  constructor(o: { scope: ViewScope; sink: SseSink; capacity: number; paused?: boolean; onOverflow: (c: LiveClient) => void }) {
    this.scope = o.scope;
    this.#sink = o.sink;
    this.#queue = new LiveQueue(o.capacity);
    this.#onOverflow = o.onOverflow;
    this.#paused = o.paused === true;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get queued(): number {
    return this.#queue.length;
  }

  get dropped(): number {
    return this.#queue.dropped;
  }

  send(m: QueuedMessage): void {
    if (this.#closed) return;
    if (this.#queue.push(m) === 'overflow') {
      this.#onOverflow(this);
      return;
    }
    this.#pump();
  }

  /** Written straight to the socket, ahead of the queue (the replay; the retry hint). */
  writeNow(text: string): void {
    if (!this.#closed && !this.#sink.write(text)) this.#awaitDrain();
  }

  resume(): void {
    this.#paused = false;
    this.#pump();
  }

  /** A comment line that keeps proxies from closing an idle stream; skipped while data is pending anyway. */
  ping(): void {
    if (!this.#closed && !this.#waitingDrain && this.#queue.length === 0) this.writeNow(SSE_PING);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#sink.end();
  }

  #pump(): void {
    while (!this.#closed && !this.#paused && !this.#waitingDrain) {
      const next = this.#queue.shift();
      if (next === undefined) return;
      if (!this.#sink.write(next.text)) this.#awaitDrain();
    }
  }

  #awaitDrain(): void {
    if (this.#waitingDrain) return;
    this.#waitingDrain = true;
    this.#sink.once('drain', () => {
      this.#waitingDrain = false;
      this.#pump();
    });
  }
}
