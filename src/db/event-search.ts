// The history query's shape, shared by the repository (SQLite and PostgreSQL), the API and bench:history.

import type { ViewScope } from '../auth/viewer.js';

export interface EventFilter {
  cameraId?: string;
  zone?: string;
  householdId?: string;
  type?: string;
  /** started_at ≥ from (epoch ms). */
  from?: number;
  /** started_at < to (epoch ms). */
  to?: number;
  minScore?: number;
}

/** Keyset position: the last row of the previous page. The API wraps it in an opaque string. */
export interface EventCursor {
  startedAt: number;
  id: string;
}

/** `EventsRepository.search(q)` answers newest first (started_at desc, id desc), at most `limit` rows. */
export interface EventSearch extends EventFilter {
  scope: ViewScope;
  after?: EventCursor;
  limit: number;
}
