// Prometheus may scrape often, and from several servers: figures that cost a Redis or database round
// trip are read at most once per `ttlMs`, and concurrent scrapes share one read in flight.

export interface Settled<T> {
  ok: boolean;
  value?: T;
  error?: Error;
}

/**
 * Wraps `load` so it runs at most once per `ttlMs`. A failure is remembered for the same time (a dead
 * Redis is not asked again by every scrape), and given back as `{ ok: false }` rather than thrown.
 */
export function cachedAsync<T>(load: () => Promise<T>, ttlMs: number, now: () => number = Date.now): () => Promise<Settled<T>> {
  let last: { at: number; result: Settled<T> } | null = null;
  let inFlight: Promise<Settled<T>> | null = null;
  return () => {
    if (last !== null && now() - last.at < ttlMs) return Promise.resolve(last.result);
    inFlight ??= load()
      .then((value): Settled<T> => ({ ok: true, value }), (err: unknown): Settled<T> => ({ ok: false, error: err instanceof Error ? err : new Error(String(err)) }))
      .then((result) => {
        last = { at: now(), result };
        inFlight = null;
        return result;
      });
    return inFlight;
  };
}

/** Rejects after `ms` if `work` has not settled: a scrape must not hang on a dead dependency. */
export async function withDeadline<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
