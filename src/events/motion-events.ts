// Turns a camera's motion episodes into event jobs: the event id is made here, at detection,
// and both the `new` and the `end` job of an episode carry it.

import type { CameraConfig } from '../config.js';
import { newEventId } from '../ids.js';
import type { EpisodeEvent } from '../motion/motion-tracker.js';
import type { EventJob } from './event-types.js';

export class MotionEvents {
  /** The open event per camera. */
  readonly #open = new Map<string, string>();

  toJob(camera: CameraConfig, episode: EpisodeEvent, snapshot: Buffer | null): EventJob | null {
    if (episode.kind === 'start') {
      const id = newEventId();
      this.#open.set(camera.id, id);
      return {
        kind: 'new',
        event: { id, cameraId: camera.id, zone: camera.zone, type: 'motion', startedAt: episode.startedAt, score: episode.score, box: episode.box },
        snapshot: snapshot === null ? null : snapshot.toString('base64'),
      };
    }
    const id = this.#open.get(camera.id);
    if (id === undefined) return null;
    this.#open.delete(camera.id);
    return { kind: 'end', event: { id, cameraId: camera.id, endedAt: episode.endedAt, score: episode.score, box: episode.box } };
  }
}
