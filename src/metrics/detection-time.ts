// When an event was detected, read from the outbox row alone: event ids are UUIDv7 made at detection
// (events/camera-events.ts), whose first 48 bits are that moment in epoch ms, and every outbox row of
// an event's `new` step has the dedupe key `<event id>:new:<n>` (events/handle-event.ts). So the
// relay can time detection → publish without another column or a parse of the payload.

const NEW_EVENT_KEY = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}:new:0$/;

/**
 * The detection time (epoch ms) of the event whose first message (its `new` on the events topic,
 * index 0) this row is; null for every other row, so each event is timed once.
 */
export function detectedAtOf(dedupeKey: string): number | null {
  const m = NEW_EVENT_KEY.exec(dedupeKey);
  if (!m) return null;
  return Number.parseInt(`${m[1]}${m[2]}`, 16);
}
