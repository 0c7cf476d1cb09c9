// Per-camera uptime: how long a stream delivered frames, and how long not (connecting, restarting,
// down), since it started. Counted here rather than from health events, so a short reconnect that
// never became an `offline` event still counts as time without pictures.

export interface UptimeTotals {
  uptimeSec: number;
  downtimeSec: number;
}

export class UptimeCounter {
  #upMs = 0;
  #downMs = 0;
  /** Start of the current stretch; null while not counting (before start, after stop). */
  #since: number | null = null;
  #online = false;

  start(at: number): void {
    this.#since = at;
    this.#online = false;
  }

  /** The stream is (or is not) delivering frames from `at` on. */
  set(online: boolean, at: number): void {
    if (this.#since === null) return;
    this.#add(at);
    this.#online = online;
  }

  stop(at: number): void {
    if (this.#since === null) return;
    this.#add(at);
    this.#since = null;
  }

  totals(now: number): UptimeTotals {
    const current = this.#since === null ? 0 : Math.max(0, now - this.#since);
    const up = this.#upMs + (this.#online ? current : 0);
    const down = this.#downMs + (this.#online ? 0 : current);
    return { uptimeSec: Math.floor(up / 1000), downtimeSec: Math.floor(down / 1000) };
  }

  #add(at: number): void {
    const ms = Math.max(0, at - (this.#since as number));
    if (this.#online) this.#upMs += ms;
    else this.#downMs += ms;
    this.#since = at;
  }
}
