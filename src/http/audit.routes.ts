// The audit log for admins: entries newest first, and a check of the whole hash chain.

import type { FastifyPluginAsync } from 'fastify';
import type { AuditLog } from '../auth/audit-log.js';
import type { AuditRow } from '../db/audit.repository.js';

export interface AuditRoutesDeps {
  audit: AuditLog;
}

const query = {
  type: 'object',
  additionalProperties: false,
  properties: {
    before: { type: 'integer', minimum: 1, description: 'seq of the last entry of the previous page' },
    username: { type: 'string', maxLength: 64 },
    action: { type: 'string', maxLength: 64 },
    outcome: { enum: ['ok', 'refused', 'failed'] },
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
  },
} as const;

/** As stored; a filter someone edited into invalid JSON is shown as the raw text (verify names the entry). */
function parseFilter(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toPublicEntry(r: AuditRow) {
  return {
    seq: r.seq, at: new Date(r.at).toISOString(), userId: r.user_id, username: r.username, role: r.role, ip: r.ip,
    method: r.method, route: r.route, action: r.action, filter: parseFilter(r.filter), reason: r.reason,
    status: r.status, outcome: r.outcome, resultCount: r.result_count, prevHash: r.prev_hash, hash: r.hash,
  };
}

export const auditRoutes: FastifyPluginAsync<AuditRoutesDeps> = async (app, deps) => {
  app.get<{ Querystring: { before?: number; username?: string; action?: string; outcome?: string; limit: number } }>(
    '/api/audit',
    { config: { access: 'audit:read', audit: 'audit.read' }, schema: { querystring: query, tags: ['audit'] } },
    async (req) => {
      const rows = await deps.audit.list(req.query);
      req.auditCount = rows.length;
      const last = rows.at(-1);
      return { entries: rows.map(toPublicEntry), nextBefore: rows.length === req.query.limit && last ? last.seq : null };
    },
  );

  app.get('/api/audit/verify', { config: { access: 'audit:read', audit: 'audit.verify' }, schema: { tags: ['audit'] } }, async (req) => {
    const report = await deps.audit.verify();
    req.auditCount = report.entries;
    return report;
  });
};
