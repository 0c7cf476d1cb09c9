// SQL for the audit log: append and read, never update or delete (the hash chain would show it).

import type { Selectable } from 'kysely';
import type { ChainedEntry } from '../auth/audit-chain.js';
import type { Db } from './database.js';
import type { AuditLogTable } from './schema.js';

export type AuditRow = Selectable<AuditLogTable>;

export interface AuditListQuery {
  /** Entries with a smaller seq (the previous page's last). */
  before?: number;
  username?: string;
  action?: string;
  outcome?: string;
  limit: number;
}

export class AuditRepository {
  constructor(private readonly db: Db) {}

  async last(): Promise<{ seq: number; hash: string } | undefined> {
    return this.db.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  }

  /** Fails on a taken seq (another writer appended first): the caller reads the head again. */
  async insert(entry: ChainedEntry): Promise<void> {
    await this.db.insertInto('audit_log').values(entry).execute();
  }

  /** Newest first. */
  async list(q: AuditListQuery): Promise<AuditRow[]> {
    let query = this.db.selectFrom('audit_log').selectAll();
    if (q.before !== undefined) query = query.where('seq', '<', q.before);
    if (q.username !== undefined) query = query.where('username', '=', q.username);
    if (q.action !== undefined) query = query.where('action', '=', q.action);
    if (q.outcome !== undefined) query = query.where('outcome', '=', q.outcome);
    return query.orderBy('seq', 'desc').limit(q.limit).execute();
  }

  /** Oldest first, after `afterSeq`: the verifier's pages. */
  async page(afterSeq: number, limit: number): Promise<AuditRow[]> {
    return this.db.selectFrom('audit_log').selectAll().where('seq', '>', afterSeq).orderBy('seq').limit(limit).execute();
  }
}
