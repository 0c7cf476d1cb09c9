// Which ONVIF notifications mean "motion", and whether on or off. Pure.
// Cameras name the same topics with whatever namespace prefix they declared (tns1:, tnsaxis:, ns2:,
// or none), sometimes on every path segment, so topics are compared segment by segment with the
// prefixes dropped, as a suffix (vendors nest the standard topics under their own roots).

export interface SimpleItem { name: string; value: string }

export const MOTION_TOPICS = [
  { topic: 'VideoSource/MotionAlarm', item: 'State' },
  { topic: 'RuleEngine/CellMotionDetector/Motion', item: 'IsMotion' },
  { topic: 'RuleEngine/MotionRegionDetector/Motion', item: 'State' },
] as const;

export type MotionTopic = (typeof MOTION_TOPICS)[number]['topic'];

const MAX_TOPIC_CHARS = 512;

/** Topic path segments without namespace prefixes, lower-cased: "tns1:A/tns1:B" → ["a", "b"]. */
function segments(topic: string): string[] {
  return topic.trim().split('/').map((s) => s.trim().replace(/^[^:]*:/, '').toLowerCase());
}

/** The standard motion topic this notification topic ends with, or null. */
export function matchMotionTopic(topic: string): (typeof MOTION_TOPICS)[number] | null {
  if (typeof topic !== 'string' || topic.length > MAX_TOPIC_CHARS) return null;
  const got = segments(topic);
  for (const known of MOTION_TOPICS) {
    const want = known.topic.toLowerCase().split('/');
    if (got.length >= want.length && want.every((w, k) => got[got.length - want.length + k] === w)) return known;
  }
  return null;
}

/** "1"/"true" (any case) = on, "0"/"false" = off, anything else = unknown. */
export function parseMotionValue(value: string): boolean | null {
  const v = value.trim().toLowerCase();
  if (v === '1' || v === 'true') return true;
  if (v === '0' || v === 'false') return false;
  return null;
}

/**
 * Motion state carried by a notification: true/false, or null when the topic is not a motion topic
 * (or it is, but lacks its state item or carries a value we cannot read, which we ignore too).
 */
export function motionState(topic: string, data: readonly SimpleItem[]): boolean | null {
  const known = matchMotionTopic(topic);
  if (!known) return null;
  const item = data.find((d) => d.name.replace(/^[^:]*:/, '') === known.item);
  return item ? parseMotionValue(item.value) : null;
}
