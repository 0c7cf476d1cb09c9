// Who watched which camera when, from the watch log (start/stop records written by each ingest
// node): per camera, the time nobody watched it and the time two nodes did. Pure; used by the
// scale tests and bench:scale. A node killed with SIGKILL writes no `stop`: the caller says when
// it died, and its open watches end there.

export interface WatchRecord {
  camera: string;
  node: string;
  event: 'start' | 'stop';
  /** taken, or wait / done / lost (watch-log.ts). */
  why?: string;
  at: number;
}

export interface CameraCoverage {
  camera: string;
  /** Milliseconds inside the window with no node watching. */
  unwatchedMs: number;
  /** Milliseconds inside the window with two or more nodes watching. */
  duplicateMs: number;
  /** Longest single stretch without a watcher. */
  longestGapMs: number;
}

interface Interval { node: string; from: number; to: number }

/** Watch intervals per camera; open ones end at their node's death, or at `openUntil`. */
export function watchIntervals(records: readonly WatchRecord[], deaths: ReadonlyMap<string, number>, openUntil: number): Map<string, Interval[]> {
  const open = new Map<string, number>();
  const out = new Map<string, Interval[]>();
  const push = (camera: string, i: Interval) => out.set(camera, [...(out.get(camera) ?? []), i]);
  for (const r of [...records].sort((a, b) => a.at - b.at)) {
    const key = `${r.camera}\u0000${r.node}`;
    const from = open.get(key);
    if (r.event === 'start') {
      if (from === undefined) open.set(key, r.at);
    } else if (from !== undefined) {
      open.delete(key);
      push(r.camera, { node: r.node, from, to: r.at });
    }
  }
  for (const [key, from] of open) {
    const [camera, node] = key.split('\u0000') as [string, string];
    push(camera, { node, from, to: Math.min(openUntil, deaths.get(node) ?? openUntil) });
  }
  return out;
}

/** Gaps and duplicates of one camera's intervals inside [from, to]. */
export function coverageOf(camera: string, intervals: readonly Interval[], from: number, to: number): CameraCoverage {
  const edges = intervals.flatMap((i) => [{ at: Math.max(from, i.from), d: 1 }, { at: Math.min(to, Math.max(from, i.to)), d: -1 }])
    .filter((e) => e.at <= to)
    .sort((a, b) => a.at - b.at || a.d - b.d);
  let depth = 0;
  let last = from;
  let unwatchedMs = 0;
  let duplicateMs = 0;
  let longestGapMs = 0;
  const account = (until: number) => {
    const span = until - last;
    if (depth === 0) {
      unwatchedMs += span;
      longestGapMs = Math.max(longestGapMs, span);
    }
    if (depth >= 2) duplicateMs += span;
    last = until;
  };
  for (const e of edges) {
    account(e.at);
    depth += e.d;
  }
  account(to);
  return { camera, unwatchedMs, duplicateMs, longestGapMs };
}

/** Coverage of every camera named in `cameras` over [from, to]. */
export function coverage(
  records: readonly WatchRecord[], cameras: readonly string[], deaths: ReadonlyMap<string, number>, from: number, to: number,
): CameraCoverage[] {
  const intervals = watchIntervals(records, deaths, to);
  return cameras.map((c) => coverageOf(c, intervals.get(c) ?? [], from, to));
}
