// Which live messages a viewer may see, decided per message from a small cache of the cameras'
// sharing flags (cameras change rarely; events are many). The decision is pure (visibleTo); the cache
// reloads from the registry when told a camera changed, on a miss (a camera added on another node), and
// every `maxAgeMs` (a sharing change made on another node).

import type { ViewScope } from '../auth/viewer.js';
import type { CameraRow } from '../db/cameras.repository.js';

export interface CameraVisibility {
  id: string;
  name: string;
  householdId: string | null;
  shareWithOfficers: boolean;
}

export function visibilityOf(row: Pick<CameraRow, 'id' | 'name' | 'household_id' | 'share_with_officers'>): CameraVisibility {
  return { id: row.id, name: row.name, householdId: row.household_id, shareWithOfficers: row.share_with_officers === 1 };
}

/** The same rule as the history's scope predicates (db/scope-predicates.ts), for one camera. Unknown cameras: admins only. */
export function visibleTo(scope: ViewScope, camera: CameraVisibility | undefined): boolean {
  if (scope.kind === 'all') return true;
  if (camera === undefined) return false;
  if (scope.kind === 'household') return camera.householdId === scope.householdId;
  if (scope.kind === 'shared-with-officers') return camera.shareWithOfficers;
  return false; // police read history with a reason; they have no live feed
}

export interface CameraVisibilityCacheOptions {
  load: () => Promise<CameraVisibility[]>;
  /** A miss reloads at most this often (a stream of events of a removed camera must not hammer the database). */
  missReloadGapMs?: number;
  /** Entries older than this are reloaded on the next lookup. */
  maxAgeMs?: number;
  now?: () => number;
}

export class CameraVisibilityCache {
  readonly #o: Required<CameraVisibilityCacheOptions>;
  #cameras = new Map<string, CameraVisibility>();
  #loadedAt = -Infinity;
  #stale = true;
  #loading: Promise<void> | null = null;

  constructor(o: CameraVisibilityCacheOptions) {
    this.#o = { missReloadGapMs: 5000, maxAgeMs: 60_000, now: Date.now, ...o };
  }

  /** A camera changed: the next lookup reloads. */
  invalidate(): void {
    this.#stale = true;
  }

  async get(cameraId: string): Promise<CameraVisibility | undefined> {
    const now = this.#o.now();
    if (this.#stale || now - this.#loadedAt > this.#o.maxAgeMs) await this.#reload();
    const hit = this.#cameras.get(cameraId);
    if (hit !== undefined || now - this.#loadedAt < this.#o.missReloadGapMs) return hit;
    await this.#reload();
    return this.#cameras.get(cameraId);
  }

  /** One load at a time; lookups during it wait for it. */
  #reload(): Promise<void> {
    this.#loading ??= (async () => {
      this.#stale = false;
      try {
        const rows = await this.#o.load();
        this.#cameras = new Map(rows.map((c) => [c.id, c]));
        this.#loadedAt = this.#o.now();
      } catch (err) {
        this.#stale = true;
        throw err;
      } finally {
        this.#loading = null;
      }
    })();
    return this.#loading;
  }
}
