// Turns what a camera stream reports (motion episodes, health conditions starting and clearing) into event jobs.
// Event ids are made here, at detection; every job of an event carries its id. The jobs leave without
// images: EventIngest stores the episode's JPEGs and adds their references.

import type { CameraConfig } from '../config.js';
import { newEventId } from '../ids.js';
import type { EpisodeEvent } from '../motion/motion-tracker.js';
import type { CameraRef, EventJob, HealthReport } from './event-types.js';

export function cameraRef(c: CameraConfig): CameraRef {
  return { id: c.id, name: c.name, zone: c.zone, householdId: c.householdId, shareWithOfficers: c.shareWithOfficers };
}

export class CameraEvents {
  /** The open motion event per camera, with how many updates it has had. */
  readonly #motion = new Map<string, { id: string; seq: number }>();
  /** The open health event per camera and condition (key `<cameraId> <condition>`). */
  readonly #health = new Map<string, string>();

  /**
   * A stream starts watching the camera: the worker is to end what other processes left open, which is
   * everything open from before but the events this process has open for the camera itself.
   */
  watching(camera: CameraConfig, since: number): EventJob {
    const keep = this.#healthOf(camera.id).map(([, id]) => id);
    const motion = this.#motion.get(camera.id);
    if (motion) keep.push(motion.id);
    return { kind: 'sweep', camera: cameraRef(camera), before: since, keep };
  }

  /**
   * This process stops watching the camera for good: its health conditions end now, unseen from here
   * on, and are forgotten (a camera added again starts afresh). A motion episode is ended by the
   * stream's own close; the sweep only covers it should that `end` not come.
   */
  unwatched(camera: CameraConfig, at: number): EventJob {
    for (const [key] of this.#healthOf(camera.id)) this.#health.delete(key);
    return { kind: 'sweep', camera: cameraRef(camera), before: at, keep: [] };
  }

  #healthOf(cameraId: string): Array<[string, string]> {
    return [...this.#health].filter(([key]) => key.startsWith(`${cameraId} `));
  }

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

  /**
   * A condition starting opens an event of its type; clearing ends it. Coming online with no open
   * `offline` event (the first time) just says `online`; other conditions clearing with none open say nothing.
   */
  fromHealth(camera: CameraConfig, report: HealthReport): EventJob | null {
    const ref = cameraRef(camera);
    const key = `${camera.id} ${report.condition}`;
    const open = this.#health.get(key);
    if (report.active) {
      // A repeated report (a restarted stream finding the same condition) keeps the open event's id.
      const id = open ?? newEventId();
      this.#health.set(key, id);
      return { kind: 'new', camera: ref, event: { id, type: report.condition, startedAt: report.at, score: 0, box: null }, snapshot: null, thumbnail: null };
    }
    if (open !== undefined) {
      this.#health.delete(key);
      return { kind: 'end', camera: ref, event: { id: open, endedAt: report.at, score: 0, box: null } };
    }
    return report.condition === 'offline' ? { kind: 'availability', camera: ref, online: true, at: report.at } : null;
  }
}
