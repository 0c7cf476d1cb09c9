// Producer side of an event job: store its JPEGs in the snapshot store (both in one append to the camera's
// segment of the hour), then queue it carrying only their locators and SHA-256. Base64 JPEGs in the payload
// made every job ~26 KB: Redis stored, copied and sent them, BullMQ parsed them, the worker decoded them —
// more CPU than the rest of the queueing (bench:pipeline).
// Writing first keeps the rule that the bytes exist before anything names them; a crash in between leaves
// unreferenced bytes. Workers must see the same DATA_DIR (the relay and the HTTP API already read it).

import type { EpisodeImages } from '../streams/camera-stream.js';
import type { EventQueue } from './event-queue.js';
import { imageTakenAt, type EventJob } from './event-types.js';
import type { SnapshotStore } from './snapshot-store.js';

export class EventIngest {
  readonly #queue: Pick<EventQueue, 'add'>;
  readonly #snapshots: SnapshotStore;

  constructor(queue: Pick<EventQueue, 'add'>, snapshots: SnapshotStore) {
    this.#queue = queue;
    this.#snapshots = snapshots;
  }

  /** Stores the images of a `new` or `update` job (others have none), then queues it. */
  async submit(job: EventJob, images: EpisodeImages = { snapshot: null, thumbnail: null }): Promise<void> {
    await this.#queue.add(await this.#withStoredImages(job, images));
  }

  async #withStoredImages(job: EventJob, images: EpisodeImages): Promise<EventJob> {
    if (job.kind !== 'new' && job.kind !== 'update') return job;
    const { snapshot, thumbnail } = await this.#snapshots.saveImages(job.camera.id, imageTakenAt(job), images);
    return { ...job, snapshot, thumbnail };
  }
}
