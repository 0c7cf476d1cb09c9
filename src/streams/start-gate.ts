// Bounds how many ffmpeg runs are starting (spawned, no first frame yet) at once, service-wide.
// A starting ffmpeg spends a second or two of CPU on RTSP set-up and probing; 190 of them together
// on a small box starve each other past the watchdog, get killed, restart, and never converge.
// Through the gate they come up a few at a time, each in the time one start takes.

export class StartGate {
  readonly #limit: number;
  #running = 0;
  readonly #queue: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Resolves with a release function once a slot is free; release once (first frame, exit, stop). */
  async acquire(): Promise<() => void> {
    if (this.#running >= this.#limit) await new Promise<void>((resolve) => this.#queue.push(resolve));
    else this.#running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next(); // the slot passes straight on
      else this.#running--;
    };
  }

  get waiting(): number {
    return this.#queue.length;
  }
}

/** The service's gate: at most this many ffmpeg runs probing their stream at once. */
export const ffmpegStarts = new StartGate(8);
