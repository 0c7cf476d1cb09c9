// Turns what a camera stream reports (motion episodes, going offline and back) into event jobs.
// Event ids are made here, at detection; every job of an event carries its id. The jobs leave without
// images: EventIngest stores the episode's JPEGs and adds their references.

import type { CameraConfig } from '../config.js';
import { newEventId } from '../ids.js';
import type { EpisodeEvent } from '../motion/motion-tracker.js';
import type { CameraRef, EventJob } from './event-types.js';

export function cameraRef(c: CameraConfig): CameraRef {
  return { id: c.id, name: c.name, zone: c.zone, householdId: c.householdId, shareWithOfficers: c.shareWithOfficers };
}

export class CameraEvents {
  /** The open motion event per camera, with how many updates it has had. */
  readonly #motion = new Map<string, { id: string; seq: number }>();
  /** The open `offline` event per camera. */
  readonly #offline = new Map<string, string>();

  fromEpisode(camera: CameraConfig, episode: EpisodeEvent): EventJob | null {
    const ref = cameraRef(camera);
    if (episode.kind === 'start') {
      const id = newEventId();
      this.#motion.set(camera.id, { id, seq: 0 });
      return {
        kind: 'new', camera: ref,
        event: { id, type: 'motion', startedAt: episode.startedAt, score: episode.score, box: episode.box },
        snapshot: null, thumbnail: null,
      };
    }
    const open = this.#motion.get(camera.id);
    if (open === undefined) return null;
    if (episode.kind === 'update') {
      open.seq++;
      return {
        kind: 'update', seq: open.seq, camera: ref,
        event: { id: open.id, at: episode.at, score: episode.score, box: episode.box },
        snapshot: null, thumbnail: null,
      };
    }
    this.#motion.delete(camera.id);
    return { kind: 'end', camera: ref, event: { id: open.id, endedAt: episode.endedAt, score: episode.score, box: episode.box } };
  }

  /** Offline opens an `offline` event; coming back ends it, or (first time) just says `online`. */
  fromHealth(camera: CameraConfig, online: boolean, at: number): EventJob {
    const ref = cameraRef(camera);
    const open = this.#offline.get(camera.id);
    if (!online) {
      const id = open ?? newEventId();
      this.#offline.set(camera.id, id);
      return { kind: 'new', camera: ref, event: { id, type: 'offline', startedAt: at, score: 0, box: null }, snapshot: null, thumbnail: null };
    }
    if (open === undefined) return { kind: 'availability', camera: ref, online: true, at };
    this.#offline.delete(camera.id);
    return { kind: 'end', camera: ref, event: { id: open, endedAt: at, score: 0, box: null } };
  }
}
