// Table types for kysely. Times are epoch milliseconds (INTEGER).

import type { Generated } from 'kysely';

export interface EventsTable {
  id: string;
  camera_id: string;
  zone: string;
  type: string;
  started_at: number;
  ended_at: number | null;
  score: number;
  /** JSON of the bounding box in analysis-frame pixels. */
  box: string | null;
  /** Path under DATA_DIR/snapshots. */
  snapshot_path: string | null;
  /** 1 once the `new` alert was published; an `end` waits for it so consumers see them in order. */
  announced: Generated<number>;
  created_at: number;
}

export interface DatabaseSchema {
  events: EventsTable;
}
