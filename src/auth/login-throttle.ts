// Sign-in attempts per client address in a sliding window, in memory: a guessing script is slowed at
// once, before any password is hashed. Account lockout (accounts.ts) covers guessing spread over addresses.

export class LoginThrottle {
  readonly #attempts = new Map<string, number[]>();
  readonly #max: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  constructor(maxPerWindow: number, windowMs = 60_000, now: () => number = Date.now) {
    this.#max = maxPerWindow;
    this.#windowMs = windowMs;
    this.#now = now;
  }

  /** Records an attempt; returns 0 if it may proceed, else the milliseconds until it may. */
  take(key: string): number {
    const now = this.#now();
    const recent = (this.#attempts.get(key) ?? []).filter((t) => t > now - this.#windowMs);
    if (recent.length >= this.#max) {
      this.#attempts.set(key, recent);
      return (recent[0] as number) + this.#windowMs - now;
    }
    recent.push(now);
    this.#attempts.set(key, recent);
    // Forget idle addresses now and then, so a scan over many addresses cannot grow the map for good.
    if (this.#attempts.size > 10_000) this.#prune(now);
    return 0;
  }

  #prune(now: number): void {
    for (const [key, times] of this.#attempts) if (!times.some((t) => t > now - this.#windowMs)) this.#attempts.delete(key);
  }
}
