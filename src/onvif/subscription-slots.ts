// A global cap on camera subscriptions alive at once: each one holds a long-poll connection and a
// pull point on the camera, so 190 cameras must not all (re)subscribe beyond what we budgeted.
// Waiters are served first in, first out; a freed slot goes straight to the oldest waiter.

export type Release = () => void;

export class SubscriptionSlots {
  #free: number;
  readonly #waiting: Array<{ grant: (release: Release) => void }> = [];

  constructor(readonly capacity: number) {
    if (!(Number.isInteger(capacity) && capacity >= 1)) throw new RangeError('capacity must be a positive integer');
    this.#free = capacity;
  }

  get inUse(): number { return this.capacity - this.#free; }
  get waiting(): number { return this.#waiting.length; }

  /** Resolves with a release function once a slot is ours; rejects if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(new Error('aborted'));
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve(this.#releaser());
    }
    return new Promise<Release>((resolve, reject) => {
      const waiter = {
        grant: (release: Release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const onAbort = () => {
        const at = this.#waiting.indexOf(waiter);
        if (at >= 0) this.#waiting.splice(at, 1);
        reject(new Error('aborted'));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(waiter);
    });
  }

  /** A release that works once only, so a double release cannot inflate the cap. */
  #releaser(): Release {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#waiting.shift();
      if (next) next.grant(this.#releaser());
      else this.#free++;
    };
  }
}
