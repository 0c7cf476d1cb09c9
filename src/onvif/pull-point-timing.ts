// Pull-point timing, pure (all times in ms on OUR clock unless named otherwise).

/** Renewal never earlier than this after a grant: a camera granting ~0 s must not be renewed in a spin. */
export const MIN_RENEW_DELAY_MS = 1000;
/** A shorter long poll than this is not worth its request. */
export const MIN_PULL_TIMEOUT_SEC = 1;

/**
 * How long the camera granted, from ITS OWN CurrentTime and TerminationTime (camera clocks are
 * often hours off, so comparing its TerminationTime with our clock would be meaningless). Without
 * a CurrentTime (optional in Renew replies) the camera clock is estimated from the offset learned
 * earlier. Null when the reply carries nothing usable.
 */
export function grantedMs(terminationTime: string, currentTime: string | undefined, estimatedCameraNowMs: number): number | null {
  const end = Date.parse(terminationTime);
  const now = currentTime ? Date.parse(currentTime) : estimatedCameraNowMs;
  if (!Number.isFinite(end) || !Number.isFinite(now)) return null;
  return Math.max(0, end - now);
}

/** When to renew, on our clock: at half the granted time, so one failed or slow renew still leaves time. */
export function renewAt(receivedAtMs: number, granted: number): number {
  return receivedAtMs + Math.max(MIN_RENEW_DELAY_MS, Math.floor(granted / 2));
}

/** How long to wait before the next PullMessages may start (instant-answer cameras must not be hammered). */
export function pollGapWait(lastPullStartMs: number | null, nowMs: number, minPollGapMs: number): number {
  if (lastPullStartMs === null) return 0;
  return Math.max(0, lastPullStartMs + minPollGapMs - nowMs);
}

/**
 * The PullMessages Timeout (seconds) for the next poll: the configured long poll, shortened so the
 * reply is due before the renewal is (a camera may grant less than we asked for).
 */
export function pullTimeoutSec(configuredSec: number, nowMs: number, renewAtMs: number): number {
  const untilRenew = Math.floor((renewAtMs - nowMs) / 1000);
  return Math.max(MIN_PULL_TIMEOUT_SEC, Math.min(configuredSec, untilRenew));
}

/** xs:duration for whole seconds, the form cameras accept most widely (some reject absolute times). */
export const isoSeconds = (sec: number): string => `PT${Math.max(0, Math.round(sec))}S`;
