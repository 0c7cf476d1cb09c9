// Event ids are UUIDv7: made at detection, sortable by time, and the root of every job id,
// so the same detection can never become two rows or two alerts.

import { uuidv7 } from 'uuidv7';

export function newEventId(): string {
  return uuidv7();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export function isEventId(value: string): boolean {
  return UUID.test(value);
}
