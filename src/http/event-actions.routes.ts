// Acknowledge or escalate an event: officers (events of cameras shared with them) and admins. Each
// action is stored (event_actions), audited, shown in GET /api/events/{id} and announced on MQTT
// (<prefix>/events/actions) so the live feed of every api node shows it.

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { uuidv7 } from 'uuidv7';
import type { ViewScope } from '../auth/viewer.js';
import type { EventActionRow, EventActionsRepository } from '../db/event-actions.repository.js';
import type { EventsRepository } from '../db/events.repository.js';
import { MatThanError } from '../errors.js';
import { EVENT_ACTIONS, type ActionMessage, type EventAction, type Topics } from '../mqtt/topics.js';
import { emptyBodyIsEmptyObject } from './cameras.routes.js';

export interface EventActionsRoutesDeps {
  events: EventsRepository;
  eventActions: EventActionsRepository;
  topics: Topics;
  /** Wakes the outbox relay (when this process runs one), so the action goes out at once. */
  onActionStored?: () => void;
}

/** The action as the API shows it. */
export function toPublicAction(r: EventActionRow): { id: string; action: EventAction; username: string; note: string | null; at: string } {
  return { id: r.id, action: r.action as EventAction, username: r.username, note: r.note, at: new Date(r.at).toISOString() };
}

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', format: 'uuid' } } } as const;
const body = { type: 'object', additionalProperties: false, properties: { note: { type: 'string', maxLength: 500 } } } as const;

const scopeOf = (req: FastifyRequest): ViewScope => {
  if (req.scope === null) throw new MatThanError('FORBIDDEN');
  return req.scope;
};

export const eventActionsRoutes: FastifyPluginAsync<EventActionsRoutesDeps> = async (app, deps) => {
  for (const action of EVENT_ACTIONS) {
    app.post<{ Params: { id: string }; Body: { note?: string } }>(
      `/api/events/:id/${action}`,
      {
        bodyLimit: 4 * 1024, preValidation: emptyBodyIsEmptyObject,
        config: { access: 'events:act', audit: `events.${action}` }, schema: { params: idParams, body, tags: ['history'] },
      },
      async (req, reply) => {
        const event = await deps.events.findVisible(req.params.id, scopeOf(req));
        if (!event) throw new MatThanError('EVENT_NOT_FOUND', req.params.id);
        const note = req.body.note === undefined || req.body.note.trim() === '' ? null : req.body.note;
        const row: EventActionRow = { id: uuidv7(), event_id: event.id, action, username: req.viewer?.username ?? '', note, at: Date.now() };
        const message: ActionMessage = { eventId: event.id, cameraId: event.camera_id, action, username: row.username, note, at: new Date(row.at).toISOString() };
        await deps.eventActions.record(row, deps.topics.actionMessage(message));
        deps.onActionStored?.();
        req.auditCount = 1;
        req.auditDetail = { action, noteLength: note?.length ?? 0 };
        return reply.status(201).send({ action: toPublicAction(row) });
      },
    );
  }
};
