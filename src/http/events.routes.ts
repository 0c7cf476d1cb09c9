// Event history (newest first) and snapshot download. The camera board is in cameras.routes.ts.

import type { FastifyPluginAsync } from 'fastify';
import type { EventsRepository } from '../db/events.repository.js';
import { MatThanError } from '../errors.js';
import { toPublicEvent } from '../events/event-messages.js';
import type { SnapshotStore } from '../events/snapshot-store.js';

export interface EventsRoutesDeps {
  events: EventsRepository;
  snapshots: SnapshotStore;
  publicUrl: string;
}

const cameraId = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' } as const;

export const eventsRoutes: FastifyPluginAsync<EventsRoutesDeps> = async (app, deps) => {
  app.get<{ Querystring: { cameraId?: string; limit: number } }>(
    '/api/events',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { cameraId, limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 } },
        },
      },
    },
    async (req) => {
      const rows = await deps.events.list({ cameraId: req.query.cameraId, limit: req.query.limit });
      return { events: rows.map((r) => toPublicEvent(r, deps.publicUrl)) };
    },
  );

  for (const [name, column] of [['snapshot', 'snapshot_path'], ['thumbnail', 'thumbnail_path']] as const) {
    app.get<{ Params: { id: string } }>(
      `/api/events/:id/${name}.jpg`,
      { schema: { params: { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, required: ['id'] } } },
      async (req, reply) => {
        const row = await deps.events.findById(req.params.id);
        if (!row) throw new MatThanError('EVENT_NOT_FOUND', req.params.id);
        const file = row[column] === null ? null : await deps.snapshots.open(row[column]);
        if (!file) throw new MatThanError('SNAPSHOT_NOT_FOUND', req.params.id);
        // A stored image never changes (an update writes a new file), so phones may cache it for good.
        return reply.type('image/jpeg').header('content-length', file.size).header('cache-control', 'private, max-age=604800, immutable').send(file.stream);
      },
    );
  }
};
