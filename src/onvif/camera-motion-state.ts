// One camera's motion state from its notifications. Pure (no timers: the watcher owns those).
// A camera may report motion on several topics or rules at once (a cell detector and a region
// detector, two video sources); the camera is "active" while any of them is on, so an OFF on one
// does not end motion still reported by another.
import type { Notification } from './pull-point-client.js';
import { matchMotionTopic, motionState } from './motion-topics.js';

/** More distinct sources than this from one camera is garbage; the oldest are forgotten. */
const MAX_SOURCES = 32;

export class CameraMotionState {
  readonly #on = new Set<string>();

  get active(): boolean { return this.#on.size > 0; }

  /**
   * Applies one notification; returns 'on' when it reported motion on (the watcher re-arms its
   * stuck-motion timer), 'off' when off, null when it was not about motion.
   */
  apply(n: Notification): 'on' | 'off' | null {
    const state = motionState(n.topic, n.data);
    if (state === null) return null;
    // Deleted: the rule or source is gone, so it cannot hold motion on.
    const on = state && n.operation !== 'Deleted';
    const key = `${matchMotionTopic(n.topic)!.topic}|${n.source.map((s) => `${s.name}=${s.value}`).join('&')}`;
    if (on) {
      this.#on.delete(key);
      this.#on.add(key);
      if (this.#on.size > MAX_SOURCES) this.#on.delete(this.#on.values().next().value!);
    } else this.#on.delete(key);
    return on ? 'on' : 'off';
  }

  /** Forgets every source (motion ON never followed by OFF). */
  clear(): void { this.#on.clear(); }
}
