// Appends to the hash-chained audit log and verifies it. Appends run one at a time in this process
// (the head is read, the next entry chained to it, inserted); a second writer racing us loses on the
// primary key and retries on the new head.

import type { AuditRepository, AuditRow } from '../db/audit.repository.js';
import { chain, findBreak, type AuditFields, type ChainBreak } from './audit-chain.js';

export interface VerifyReport {
  ok: boolean;
  entries: number;
  /** The last entry checked: note it somewhere else to detect a deletion of the newest entries later. */
  head: { seq: number; hash: string } | null;
  brokenAt: ChainBreak | null;
}

const PAGE = 1000;

export class AuditLog {
  readonly #repo: AuditRepository;
  #tail: Promise<unknown> = Promise.resolve();

  constructor(repo: AuditRepository) {
    this.#repo = repo;
  }

  append(fields: AuditFields): Promise<number> {
    const next = this.#tail.then(() => this.#append(fields));
    this.#tail = next.catch(() => undefined);
    return next;
  }

  async #append(fields: AuditFields): Promise<number> {
    for (let attempt = 0; ; attempt++) {
      const entry = chain((await this.#repo.last()) ?? null, fields);
      try {
        await this.#repo.insert(entry);
        return entry.seq;
      } catch (err) {
        if (attempt >= 4) throw err;
      }
    }
  }

  list(...args: Parameters<AuditRepository['list']>): Promise<AuditRow[]> {
    return this.#repo.list(...args);
  }

  /** Walks the whole chain in pages; stops at the first break. */
  async verify(): Promise<VerifyReport> {
    let prev: { seq: number; hash: string } | null = null;
    let entries = 0;
    for (;;) {
      const page = await this.#repo.page(prev?.seq ?? 0, PAGE);
      const broken = findBreak(prev, page);
      if (broken) return { ok: false, entries: entries + page.findIndex((e) => e.seq === broken.seq), head: prev, brokenAt: broken };
      entries += page.length;
      const last = page.at(-1);
      if (last) prev = { seq: last.seq, hash: last.hash };
      if (page.length < PAGE) return { ok: true, entries, head: prev, brokenAt: null };
    }
  }
}
