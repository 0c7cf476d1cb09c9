// Event ids are UUIDv7: made at detection, sortable by time, and the root of every job id,
// so the same detection can never become two rows or two alerts.

import { uuidv7 } from 'uuidv7';

export function newEventId(): string {
  return uuidv7();
}
