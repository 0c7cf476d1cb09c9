// A live client's outgoing queue, bounded: a phone on a weak link must not make the server hold an
// ever-growing backlog. Pure. When a newer message makes an older one stale (an event's later `update`,
// a camera's later availability) the older goes at once; when the queue is full, `update`s go first,
// oldest first, then an incoming `update` is dropped; anything else (`new`, `end`, actions) is never
// dropped: the queue reports overflow and the client is disconnected, to reconnect and replay from the
// store with Last-Event-ID (docs/api.md).

export interface QueuedMessage {
  text: string;
  /** Only `update`s may be dropped under pressure. */
  droppable: boolean;
  /** A later message with the same key replaces this one (e.g. `update:<eventId>`, `camera:<id>`). */
  supersedes?: string;
}

export type PushOutcome = 'queued' | 'dropped' | 'overflow';

export class LiveQueue {
  readonly #items: QueuedMessage[] = [];
  #dropped = 0;

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError('LiveQueue capacity must be a positive integer');
  }

  get length(): number {
    return this.#items.length;
  }

  /** Messages dropped so far (stale or under pressure). */
  get dropped(): number {
    return this.#dropped;
  }

  push(m: QueuedMessage): PushOutcome {
    if (m.supersedes !== undefined) this.#remove((q) => q.supersedes === m.supersedes);
    if (this.#items.length >= this.capacity) this.#remove((q) => q.droppable, 1);
    if (this.#items.length >= this.capacity) {
      if (m.droppable) {
        this.#dropped++;
        return 'dropped';
      }
      return 'overflow';
    }
    this.#items.push(m);
    return 'queued';
  }

  shift(): QueuedMessage | undefined {
    return this.#items.shift();
  }

  #remove(match: (q: QueuedMessage) => boolean, limit = Infinity): void {
    let removed = 0;
    for (let i = 0; i < this.#items.length && removed < limit;) {
      if (match(this.#items[i] as QueuedMessage)) {
        this.#items.splice(i, 1);
        removed++;
        this.#dropped++;
      } else {
        i++;
      }
    }
  }
}
