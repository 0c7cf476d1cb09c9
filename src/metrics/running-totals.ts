// Per-camera counts (frames analysed, ffmpeg restarts) live in each CameraStream and start again from
// zero when a camera's stream is re-created (its settings changed). Prometheus counters must only grow:
// this turns successive readings of such counts into increases.

export class RunningTotals {
  readonly #last = new Map<string, number>();

  /**
   * How much `key` grew since its last reading. A smaller value than last time means the source
   * started again from zero, so all of it is new. (A restart between two readings that already grew
   * past the old value is under-counted by the old value: rare, and only a dent in a rate.)
   */
  delta(key: string, value: number): number {
    const last = this.#last.get(key);
    this.#last.set(key, value);
    if (last === undefined) return value;
    return value >= last ? value - last : value;
  }

  /** Forgets every key not in `present` (cameras removed or moved to another node); returns the forgotten ones. */
  retain(present: ReadonlySet<string>): string[] {
    const gone = [...this.#last.keys()].filter((k) => !present.has(k));
    for (const k of gone) this.#last.delete(k);
    return gone;
  }
}
