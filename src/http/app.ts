// Builds the fastify app without listening, so tests use app.inject() and main.ts decides the socket.

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { errorMessage, languageFrom, MatThanError, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { installAccessControl, type AccessDeps } from './access-hook.js';
import { auditRoutes } from './audit.routes.js';
import { authRoutes } from './auth.routes.js';
import { cameraTestRoutes, type CameraTestRoutesDeps } from './cameras-test.routes.js';
import { camerasRoutes, type CamerasRoutesDeps } from './cameras.routes.js';
import { discoveryRoutes, type DiscoveryRoutesDeps } from './discovery.routes.js';
import { eventActionsRoutes, type EventActionsRoutesDeps } from './event-actions.routes.js';
import { eventsRoutes, type EventsRoutesDeps } from './events.routes.js';
import { healthRoutes, type HealthRoutesDeps } from './health.routes.js';
import { liveRoutes, type LiveRoutesDeps } from './live.routes.js';
import { metricsRoutes, type MetricsRoutesDeps } from './metrics.routes.js';
import { usersRoutes } from './users.routes.js';
import { webRoutes } from './web.routes.js';
import { zonesRoutes, type ZonesRoutesDeps } from './zones.routes.js';

export interface AppDeps extends EventsRoutesDeps, HealthRoutesDeps, MetricsRoutesDeps, CamerasRoutesDeps, AccessDeps, LiveRoutesDeps, EventActionsRoutesDeps, ZonesRoutesDeps, CameraTestRoutesDeps, Omit<DiscoveryRoutesDeps, 'logger'> {
  logger: Logger;
}

/** `{"error":{"code","message"}}`, the message in the language the client prefers (the code never changes). */
function sendError(req: FastifyRequest, reply: FastifyReply, status: number, code: ErrorCode, detail?: string) {
  return reply.status(status).send({ error: { code, message: errorMessage(code, languageFrom(req.headers['accept-language']), detail) } });
}

function registerDocs(app: FastifyInstance): void {
  app.register(swagger, {
    openapi: {
      info: { title: 'Mắt Thần', version: '0.1.0', description: 'Camera events, history and evidence export. See docs/api.md for the rules behind each route.' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          // Browsers: the cookie set by sign-in; writes also need the header x-matthan-request: 1.
          session: { type: 'apiKey', in: 'cookie', name: 'mt_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'http' }) as FastifyBaseLogger,
    // Requests are logged at debug level by the onResponse hook below, not at info for every poll.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 64 * 1024,
    // Reject unknown query fields instead of silently ignoring a misspelt filter.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, useDefaults: true } },
  });

  app.setErrorHandler((err: FastifyError | MatThanError, req, reply) => {
    if (err instanceof MatThanError) {
      if (err.code === 'LOGIN_LOCKED' || err.code === 'LOGIN_RATE_LIMITED' || err.code === 'CAMERA_TEST_RATE_LIMITED') reply.header('retry-after', '60');
      return sendError(req, reply, err.statusCode, err.code, err.detail);
    }
    if ('validation' in err && err.validation) return sendError(req, reply, 400, 'VALIDATION_FAILED', err.message);
    if (typeof err.statusCode === 'number' && err.statusCode < 500) {
      const code: ErrorCode = err.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : err.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
      return sendError(req, reply, err.statusCode, code, err.message);
    }
    req.log.error({ err }, 'request failed');
    return sendError(req, reply, 500, 'INTERNAL');
  });
  app.setNotFoundHandler((req, reply) => sendError(req, reply, 404, 'ROUTE_NOT_FOUND'));
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  installAccessControl(app, deps);
  registerDocs(app);
  app.register(healthRoutes, deps);
  app.register(metricsRoutes, deps);
  app.register(authRoutes, deps);
  app.register(usersRoutes, deps);
  app.register(auditRoutes, deps);
  app.register(eventsRoutes, deps);
  app.register(eventActionsRoutes, deps);
  app.register(liveRoutes, deps);
  app.register(camerasRoutes, deps);
  app.register(zonesRoutes, deps);
  app.register(cameraTestRoutes, deps);
  app.register(discoveryRoutes, { ...deps, logger: deps.logger.child({ component: 'discovery' }) });
  app.register(webRoutes);
  return app;
}
