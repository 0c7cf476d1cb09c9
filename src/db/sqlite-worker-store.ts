// The worker's store on SQLite: the synchronous EventStore (prepared statements, group commit) behind
// the engine-neutral WorkerStore. Its steps return at once, so a job's body runs without a pause.

import type { EventStore } from './event-store.js';
import type { EventRow } from './events.repository.js';
import type { Step, WorkerStore, WorkerWrites } from './worker-store.js';

/** Runs a body whose steps never yield; one that does would break the synchronous transaction. */
function runSync<T>(body: Step<T>): T {
  const r = body.next();
  if (!r.done) throw new Error('sqlite worker store: a step waited inside a synchronous transaction');
  return r.value;
}

function writesOf(s: EventStore): WorkerWrites {
  return {
    *insertEvent(row) { return s.insertEvent(row); },
    *findEvent(id) { return s.findEvent(id); },
    *updateEvent(id, u) { s.updateEvent(id, u); },
    *endEvent(id, endedAt, score, at) { s.endEvent(id, endedAt, score, at); },
    *hasOpenMotionAfter(cameraId, startedAt) { return s.hasOpenMotionAfter(cameraId, startedAt); },
    *openEventsBefore(cameraId, before) { return s.openEventsBefore(cameraId, before); },
    *addOutbox(rows) { s.addOutbox(rows); },
    *cancelPending(topic, payload) { s.cancelPending(topic, payload); },
    // One writer process: the worker's in-memory state is exact (and free).
    *alertMemory() { return null; },
  };
}

export class SqliteWorkerStore implements WorkerStore {
  readonly #store: EventStore;
  readonly #writes: WorkerWrites;

  constructor(store: EventStore) {
    this.#store = store;
    this.#writes = writesOf(store);
  }

  commit<T>(body: (w: WorkerWrites) => Step<T>): Promise<T> {
    return this.#store.commit(() => runSync(body(this.#writes)));
  }

  async findEvent(id: string): Promise<EventRow | undefined> {
    return this.#store.findEvent(id);
  }
}
