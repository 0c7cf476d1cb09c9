// Event history: search with filters and an opaque cursor (newest first), one event, its images, and
// evidence exports. Who sees which events is decided by the access hook (req.scope); every request here
// is audited with its filter and result count.

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ViewScope } from '../auth/viewer.js';
import type { EventActionsRepository } from '../db/event-actions.repository.js';
import type { EventsRepository, StoredEventRow } from '../db/events.repository.js';
import { MatThanError } from '../errors.js';
import { eventsCsv, toHistoryEvent } from '../events/history-view.js';
import type { SnapshotStore } from '../events/snapshot-store.js';
import { toPublicAction } from './event-actions.routes.js';
import { buildEvidenceZip } from './export-zip.js';
import { encodeCursor, filterProperties, toSearch, type FilterQuery } from './history-query.js';

export interface EventsRoutesDeps {
  events: EventsRepository;
  eventActions: EventActionsRepository;
  snapshots: SnapshotStore;
  publicUrl: string;
}

const cursor = { type: 'string', minLength: 1, maxLength: 200, description: 'nextCursor of the previous page' } as const;
const listQuery = {
  type: 'object',
  additionalProperties: false,
  properties: { ...filterProperties, cursor, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
} as const;
const exportQuery = {
  type: 'object',
  additionalProperties: false,
  required: ['format'],
  properties: { ...filterProperties, cursor, format: { enum: ['csv', 'json', 'zip'] }, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 1000 } },
} as const;
const reasonOnly = { type: 'object', additionalProperties: false, properties: { reason: filterProperties.reason } } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;

type ListQuery = FilterQuery & { cursor?: string; limit: number };
type ExportQuery = ListQuery & { format: 'csv' | 'json' | 'zip' };

const scopeOf = (req: FastifyRequest): ViewScope => {
  if (req.scope === null) throw new MatThanError('FORBIDDEN');
  return req.scope;
};

export const eventsRoutes: FastifyPluginAsync<EventsRoutesDeps> = async (app, deps) => {
  /** One page, newest first, and the cursor of the next one (null on the last page). */
  async function page(req: FastifyRequest, q: ListQuery): Promise<{ rows: StoredEventRow[]; nextCursor: string | null }> {
    const rows = await deps.events.search(toSearch(q, scopeOf(req), q.limit + 1, q.cursor));
    const more = rows.length > q.limit;
    if (more) rows.pop();
    const last = rows.at(-1);
    req.auditCount = rows.length;
    return { rows, nextCursor: more && last ? encodeCursor({ startedAt: last.started_at, id: last.id }) : null };
  }

  app.get<{ Querystring: ListQuery }>(
    '/api/events',
    { config: { access: 'events:read', audit: 'events.search' }, schema: { querystring: listQuery, tags: ['history'] } },
    async (req) => {
      const { rows, nextCursor } = await page(req, req.query);
      return { events: rows.map((r) => toHistoryEvent(r, deps.publicUrl)), nextCursor };
    },
  );

  app.get<{ Querystring: ExportQuery }>(
    '/api/events/export',
    { config: { access: 'events:export', audit: 'events.export' }, schema: { querystring: exportQuery, tags: ['history'] } },
    async (req, reply) => {
      const { rows, nextCursor } = await page(req, req.query);
      // Evidence handed out must still exist when it is checked: retention never deletes these now.
      await deps.events.setLegalHold(rows.map((r) => r.id));
      const events = rows.map((r) => ({ ...toHistoryEvent(r, deps.publicUrl), legalHold: true }));
      const { format, cursor: _c, limit: _l, reason, ...filter } = req.query;
      const header = { exportedAt: new Date().toISOString(), exportedBy: req.viewer?.username, reason: reason ?? null, filter, nextCursor, events };
      const file = `mat-than-export-${header.exportedAt.replace(/[:.]/g, '-')}.${format}`;
      reply.header('content-disposition', `attachment; filename="${file}"`);
      if (nextCursor !== null) reply.header('x-next-cursor', nextCursor);
      if (format === 'json') return reply.type('application/json; charset=utf-8').send(header);
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(eventsCsv(events));
      const zip = await buildEvidenceZip(rows, header, deps.snapshots);
      return reply.type('application/zip').send(zip.stream);
    },
  );

  app.get<{ Params: { id: string }; Querystring: { reason?: string } }>(
    '/api/events/:id',
    { config: { access: 'events:read', audit: 'events.read' }, schema: { params: idParams, querystring: reasonOnly, tags: ['history'] } },
    async (req) => {
      const row = await deps.events.findVisible(req.params.id, scopeOf(req));
      if (!row) throw new MatThanError('EVENT_NOT_FOUND', req.params.id);
      req.auditCount = 1;
      const actions = (await deps.eventActions.forEvent(row.id)).map(toPublicAction);
      return { event: { ...toHistoryEvent(row, deps.publicUrl), actions } };
    },
  );

  for (const [name, column] of [['snapshot', 'snapshot_path'], ['thumbnail', 'thumbnail_path']] as const) {
    app.get<{ Params: { id: string }; Querystring: { reason?: string } }>(
      `/api/events/:id/${name}.jpg`,
      { config: { access: 'events:read', audit: `events.${name}` }, schema: { params: idParams, querystring: reasonOnly, tags: ['history'] } },
      async (req, reply) => {
        const row = await deps.events.findVisible(req.params.id, scopeOf(req));
        if (!row) throw new MatThanError('EVENT_NOT_FOUND', req.params.id);
        const file = row[column] === null ? null : await deps.snapshots.open(row[column]);
        if (!file) throw new MatThanError('SNAPSHOT_NOT_FOUND', req.params.id);
        req.auditCount = 1;
        // A stored image never changes (an update writes a new file), so phones may cache it for good.
        return reply.type('image/jpeg').header('content-length', file.size).header('cache-control', 'private, max-age=604800, immutable').send(file.stream);
      },
    );
  }
};
