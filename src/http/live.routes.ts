// GET /api/live: Server-Sent Events of the events, camera availability and event actions the viewer's
// scope covers (fan-out in src/live/, fed from the broker by src/mqtt/live-subscriber.ts). After a
// reconnect with Last-Event-ID, up to 100 newer events of the store go first.

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { ViewScope } from '../auth/viewer.js';
import type { EventsRepository, StoredEventRow } from '../db/events.repository.js';
import { MatThanError } from '../errors.js';
import { toPublicEvent } from '../events/event-messages.js';
import type { LiveHub } from '../live/live-hub.js';
import { lastEventIdFrom, sseRetry, sseText } from '../live/live-messages.js';

export interface LiveRoutesDeps {
  live: LiveHub;
  events: EventsRepository;
  publicUrl: string;
}

export const REPLAY_LIMIT = 100;
const RETRY_MS = 3000;

const scopeOf = (req: FastifyRequest): ViewScope => {
  if (req.scope === null) throw new MatThanError('FORBIDDEN');
  return req.scope;
};

export const liveRoutes: FastifyPluginAsync<LiveRoutesDeps> = async (app, deps) => {
  async function replayText(rows: StoredEventRow[]): Promise<string> {
    let text = '';
    for (const r of rows) {
      const m = { kind: 'alert', cameraId: r.camera_id, type: r.ended_at === null ? 'new' : 'end', event: toPublicEvent(r, deps.publicUrl) } as const;
      text += sseText(m, await deps.live.cameraName(r.camera_id));
    }
    return text;
  }

  app.addHook('preClose', async () => deps.live.disconnectAll());

  app.get('/api/live', {
    config: { access: 'live:read' },
    schema: { tags: ['live'], querystring: { type: 'object', additionalProperties: false, properties: {} } },
  }, async (req, reply) => {
    const scope = scopeOf(req);
    const after = lastEventIdFrom(req.headers['last-event-id']);
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      // nginx and similar proxies would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    // Registered first and paused: messages arriving during the replay wait behind it, none is lost.
    const { client, disconnect } = deps.live.connect(scope, res);
    req.raw.on('close', disconnect);
    res.on('error', disconnect);
    client.writeNow(sseRetry(RETRY_MS));
    if (after !== null) {
      try {
        client.writeNow(await replayText(await deps.events.newerThan(after, scope, REPLAY_LIMIT)));
      } catch (err) {
        req.log.warn({ err }, 'live replay failed; continuing live only');
      }
    }
    client.resume();
  });
};
