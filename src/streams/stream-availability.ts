// A stream's availability: its status, the uptime it accumulates, and when consumers hear that it is
// online or offline. Reconnects inside the grace time report nothing; a camera down past it does.

import { UptimeCounter } from './uptime.js';

export type StreamStatus = 'starting' | 'online' | 'offline' | 'stopped';

export class StreamAvailability {
  readonly #graceMs: number;
  readonly #uptime = new UptimeCounter();
  #status: StreamStatus = 'stopped';
  /** What consumers were last told: null before the first report. */
  #reported: boolean | null = null;
  #offlineSince: number | null = null;

  constructor(graceMs: number) {
    this.#graceMs = graceMs;
  }

  get status(): StreamStatus {
    return this.#status;
  }

  totals(at: number): { uptimeSec: number; downtimeSec: number } {
    return this.#uptime.totals(at);
  }

  started(at: number): void {
    this.#offlineSince = at;
    this.#uptime.start(at);
  }

  /** An ffmpeg run is starting. */
  spawning(): void {
    if (this.#status !== 'offline') this.#status = 'starting';
  }

  /** A frame arrived. Returns true when it brought the stream online (false if it already was). */
  frame(at: number): { cameOnline: boolean; report: boolean } {
    if (this.#status === 'online') return { cameOnline: false, report: false };
    this.#status = 'online';
    this.#offlineSince = null;
    this.#uptime.set(true, at);
    const report = this.#reported !== true;
    if (report) this.#reported = true;
    return { cameOnline: true, report };
  }

  /** ffmpeg exited; `upUntil` is the last frame's time (or the exit's, with no frame). Returns true if it went offline now. */
  exited(at: number, upUntil: number): boolean {
    const wasUp = this.#status !== 'offline';
    if (wasUp) {
      this.#offlineSince = at;
      this.#uptime.set(false, upUntil);
    }
    this.#status = 'offline';
    return wasUp;
  }

  /** Once a second: the time since which it has been down, if that is now to be reported. */
  dueOffline(at: number): number | null {
    if (this.#offlineSince === null || this.#reported === false || at - this.#offlineSince < this.#graceMs) return null;
    this.#reported = false;
    return this.#offlineSince;
  }

  stopped(at: number): void {
    this.#status = 'stopped';
    this.#uptime.stop(at);
  }
}
