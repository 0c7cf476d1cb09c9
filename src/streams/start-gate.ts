// Bounds how many ffmpeg runs are starting (spawned, no first frame yet) at once, service-wide.
// A starting ffmpeg spends a second or two of CPU on RTSP set-up and probing; 190 of them together
// on a small box starve each other past the watchdog, get killed, restart, and never converge.
// Through the gate they come up a few at a time, each in the time one start takes.
// An escalation (a patrolling camera that saw motion, swapping to full decoding) is urgent: it goes
// ahead of routine starts and restarts, or a power-cut reconnect wave would delay it by minutes.

export type StartPriority = 'urgent' | 'routine';

export class StartGate {
  readonly #limit: number;
  #running = 0;
  readonly #urgent: Array<() => void> = [];
  readonly #routine: Array<() => void> = [];

  constructor(limit: number) {
    this.#limit = limit;
  }

  /** Resolves with a release function once a slot is free; release once (first frame, exit, stop). */
  async acquire(priority: StartPriority = 'routine'): Promise<() => void> {
    if (this.#running >= this.#limit) {
      const line = priority === 'urgent' ? this.#urgent : this.#routine;
      await new Promise<void>((resolve) => line.push(resolve));
    } else this.#running++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#urgent.shift() ?? this.#routine.shift();
      if (next) next(); // the slot passes straight on
      else this.#running--;
    };
  }

  get waiting(): number {
    return this.#urgent.length + this.#routine.length;
  }

  /** Every slot taken: a wave of starts (the service starting, cameras back after a power cut). */
  get full(): boolean {
    return this.#running >= this.#limit;
  }
}

/** The service's gate: at most this many ffmpeg runs probing their stream at once. */
export const ffmpegStarts = new StartGate(8);
