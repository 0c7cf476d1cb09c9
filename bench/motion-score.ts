// Pure scoring for `npm run bench:motion`: alert onsets (clip seconds) against labelled objects.
//
// - A label is hit when an alert falls in [onset, onset + hitWindow]; several alerts for one object
//   count once.
// - An alert inside an object's presence window [onset, end + grace] belongs to that object (a hit,
//   or a late/repeated alert for it): it is never a false alert.
// - Any other alert within the footage is a false alert.
// - Latency of an object = first alert in its presence window − onset, so late detections show in
//   the percentiles even though they are not hits.

export interface ScoreLabel {
  kind: string;
  /** Clip seconds at which the object becomes visible. */
  onset: number;
  /** Clip seconds at which it is gone. */
  end: number;
}

export interface ScoreOptions {
  /** Seconds after the onset within which an alert is a hit. */
  hitWindowSec: number;
  /** Seconds after an object is gone during which an alert is still put down to it. */
  graceSec: number;
}

export const DEFAULT_SCORE_OPTIONS: ScoreOptions = { hitWindowSec: 1, graceSec: 1 };

export interface ClipScore {
  footageSec: number;
  onsets: number;
  hits: number;
  /** Objects with any alert in their presence window (hits plus late detections). */
  detected: number;
  falseAlerts: number;
  /** Alerts put down to an object without being its hit (late, or repeated). */
  objectAlerts: number;
  /** Per detected object: first alert − onset, ms. */
  latenciesMs: number[];
  /** Clip seconds of the false alerts (for inspection). */
  falseAt: number[];
}

/**
 * The playback a client actually watched: the first that ran for the clip's length before the
 * next one began (a client that probes, hangs up and reconnects leaves a short first playback;
 * a reconnect after the end of the clip leaves a later one).
 */
export function watchedPlayback(
  starts: readonly number[],
  seconds: number,
  /** When the client stopped watching (epoch ms). */
  until = Infinity,
): { start: number | undefined; cutShort: boolean } {
  for (let i = 0; i < starts.length; i++) {
    const next = Math.min(starts[i + 1] ?? Infinity, until);
    if (next - starts[i]! >= (seconds - 1) * 1000) return { start: starts[i], cutShort: false };
  }
  return { start: starts.at(-1), cutShort: starts.length > 0 };
}

/** Converts alert wall times (epoch ms) to clip seconds given the wall time of the clip's first frame. */
export function toClipSeconds(alertWallMs: readonly number[], clipStartWallMs: number): number[] {
  return alertWallMs.map((t) => (t - clipStartWallMs) / 1000);
}

export function scoreClip(
  labels: readonly ScoreLabel[],
  alertsSec: readonly number[],
  footageSec: number,
  options: ScoreOptions = DEFAULT_SCORE_OPTIONS,
): ClipScore {
  const alerts = alertsSec.filter((a) => a >= 0 && a <= footageSec).sort((a, b) => a - b);
  const presence = labels.map((l) => [l.onset, Math.max(l.end, l.onset + options.hitWindowSec) + options.graceSec] as const);
  let hits = 0;
  let detected = 0;
  const latenciesMs: number[] = [];
  labels.forEach((l, i) => {
    const [from, to] = presence[i]!;
    const first = alerts.find((a) => a >= from && a <= to);
    if (first === undefined) return;
    detected++;
    latenciesMs.push(Math.round((first - l.onset) * 1000));
    if (first <= l.onset + options.hitWindowSec) hits++;
  });
  const falseAt: number[] = [];
  let inPresence = 0;
  for (const a of alerts) {
    if (presence.some(([from, to]) => a >= from && a <= to)) inPresence++;
    else falseAt.push(a);
  }
  return {
    footageSec,
    onsets: labels.length,
    hits,
    detected,
    falseAlerts: falseAt.length,
    objectAlerts: inPresence - detected,
    latenciesMs,
    falseAt,
  };
}

export interface Summary extends Omit<ClipScore, 'falseAt'> {
  /** hits / onsets; NaN without labels. */
  recall: number;
  falsePerHour: number;
  latencyP50Ms: number;
  latencyP95Ms: number;
}

/** Nearest-rank percentile; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export function summarise(scores: readonly ClipScore[]): Summary {
  const sum = (f: (s: ClipScore) => number) => scores.reduce((acc, s) => acc + f(s), 0);
  const footageSec = sum((s) => s.footageSec);
  const onsets = sum((s) => s.onsets);
  const hits = sum((s) => s.hits);
  const falseAlerts = sum((s) => s.falseAlerts);
  const latenciesMs = scores.flatMap((s) => s.latenciesMs);
  return {
    footageSec,
    onsets,
    hits,
    detected: sum((s) => s.detected),
    falseAlerts,
    objectAlerts: sum((s) => s.objectAlerts),
    latenciesMs,
    recall: onsets > 0 ? hits / onsets : NaN,
    falsePerHour: footageSec > 0 ? falseAlerts / (footageSec / 3600) : NaN,
    latencyP50Ms: percentile(latenciesMs, 50),
    latencyP95Ms: percentile(latenciesMs, 95),
  };
}
