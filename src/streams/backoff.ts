// Restart delays: stepped, capped and jittered, so 190 cameras returning from a power cut
// reconnect spread over time instead of all in the same second.

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** Fraction of the delay that is randomised (0..1). */
  jitter?: number;
}

/** Delay before restart number `attempt` (1-based). `random` is injectable for tests. */
export function backoffDelay(attempt: number, o: BackoffOptions, random: () => number = Math.random): number {
  const jitter = o.jitter ?? 0.5;
  const stepped = Math.min(o.maxMs, o.initialMs * 2 ** Math.max(0, attempt - 1));
  // Full delay minus up to `jitter` of it: never longer than the cap, never zero.
  return Math.max(1, Math.round(stepped * (1 - jitter * random())));
}
