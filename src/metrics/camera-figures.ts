// Pure summaries of the supervisor's per-camera stats for the metrics.

import type { StreamStatus } from '../streams/camera-stream.js';

export const STREAM_STATUSES: readonly StreamStatus[] = ['starting', 'online', 'offline', 'stopped'];

/** Cameras per stream status; every status present (0 when none), so an alert on `offline > 0` always has a series. */
export function statusCounts(stats: ReadonlyArray<{ status: StreamStatus }>): Record<StreamStatus, number> {
  const out = Object.fromEntries(STREAM_STATUSES.map((s) => [s, 0])) as Record<StreamStatus, number>;
  for (const s of stats) out[s.status] = (out[s.status] ?? 0) + 1;
  return out;
}
