// The retention sweep: once a day (and once shortly after start) it deletes images and events past their
// age, per camera, never those on legal hold. Rows are changed before files are deleted. Images in segment
// files (snapshot-segments.ts) go with their segment once the segment's hour is past the images' age; an
// image on legal hold is first copied out into a file of its own and its row pointed at that.

import type { CamerasRepository } from '../db/cameras.repository.js';
import type { EventsRepository, ExpiringEvent } from '../db/events.repository.js';
import type { Logger } from '../logger.js';
import { retentionPasses, type RetentionDefaults, type RetentionPass } from './retention-policy.js';
import { parseLocator } from './snapshot-segments.js';
import type { SnapshotStore } from './snapshot-store.js';

export interface RetentionJobDeps {
  events: EventsRepository;
  cameras: Pick<CamerasRepository, 'retentionOverrides'>;
  snapshots: SnapshotStore;
  defaults: RetentionDefaults;
  intervalMs: number;
  /** Delay of the first sweep after start (the service has other work right at start). */
  firstRunMs?: number;
  logger: Logger;
  now?: () => number;
}

export interface RetentionReport {
  imagesCleared: number;
  eventsDeleted: number;
  filesRemoved: number;
}

const BATCH = 500;

export class RetentionJob {
  readonly #d: RetentionJobDeps;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<RetentionReport> | null = null;

  constructor(deps: RetentionJobDeps) {
    this.#d = deps;
  }

  start(): void {
    const tick = () => {
      void this.runOnce().catch((err: unknown) => this.#d.logger.error({ err }, 'retention sweep failed'));
      this.#timer = setTimeout(tick, this.#d.intervalMs).unref();
    };
    this.#timer = setTimeout(tick, this.#d.firstRunMs ?? 60_000).unref();
  }

  /** One sweep; a sweep asked for while one runs joins it. */
  runOnce(): Promise<RetentionReport> {
    this.#running ??= this.#sweep().finally(() => { this.#running = null; });
    return this.#running;
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running?.catch(() => undefined);
  }

  async #sweep(): Promise<RetentionReport> {
    const now = (this.#d.now ?? Date.now)();
    const report: RetentionReport = { imagesCleared: 0, eventsDeleted: 0, filesRemoved: 0 };
    for (const pass of retentionPasses(now, this.#d.defaults, await this.#d.cameras.retentionOverrides())) {
      await this.#images(pass, report);
      await this.#events(pass, report);
      await this.#segments(pass, report);
    }
    if (report.imagesCleared + report.eventsDeleted > 0) this.#d.logger.info(report, 'retention sweep');
    return report;
  }

  async #images(pass: RetentionPass, report: RetentionReport): Promise<void> {
    for (;;) {
      const batch = await this.#d.events.withExpiredImages(pass.cameras, pass.snapshotsBefore, BATCH);
      const cleared = await this.#d.events.clearImages(batch.map((e) => e.id));
      report.imagesCleared += cleared.length;
      report.filesRemoved += await this.#removeFiles(batch, cleared);
      if (batch.length < BATCH) return;
    }
  }

  async #events(pass: RetentionPass, report: RetentionReport): Promise<void> {
    for (;;) {
      const batch = await this.#d.events.expired(pass.cameras, pass.eventsBefore, BATCH);
      const deleted = await this.#d.events.deleteUnheld(batch.map((e) => e.id));
      report.eventsDeleted += deleted.length;
      report.filesRemoved += await this.#removeFiles(batch, deleted);
      if (batch.length < BATCH) return;
    }
  }

  async #segments(pass: RetentionPass, report: RetentionReport): Promise<void> {
    const { events, snapshots } = this.#d;
    const expired = await snapshots.segmentsBefore(pass.cameras, pass.snapshotsBefore);
    if (expired.length === 0) return;
    const doomed = new Set(expired);
    for (const e of await events.heldWithImages(pass.cameras, pass.snapshotsBefore)) {
      for (const [column, suffix] of [['snapshot_path', ''], ['thumbnail_path', '.thumb']] as const) {
        const rel = e[column];
        const loc = rel === null ? null : parseLocator(rel);
        if (rel === null || loc === null || !doomed.has(loc.segment)) continue;
        const kept = await snapshots.keepApart(rel, e.id + suffix);
        if (kept !== null) await events.moveImage(e.id, column, rel, kept);
      }
    }
    report.filesRemoved += await snapshots.removeSegments(expired);
  }

  async #removeFiles(batch: readonly ExpiringEvent[], ids: readonly string[]): Promise<number> {
    const gone = new Set(ids);
    let n = 0;
    for (const e of batch) if (gone.has(e.id)) n += await this.#d.snapshots.removeEventImages(e.id, [e.snapshot_path, e.thumbnail_path]);
    return n;
  }
}
