// Builds the fastify app without listening, so tests use app.inject() and main.ts decides the socket.

import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { ErrorCodes, MatThanError, type ErrorCode } from '../errors.js';
import type { Logger } from '../logger.js';
import { camerasRoutes, type CamerasRoutesDeps } from './cameras.routes.js';
import { discoveryRoutes, type DiscoveryRoutesDeps } from './discovery.routes.js';
import { eventsRoutes, type EventsRoutesDeps } from './events.routes.js';
import { healthRoutes, type HealthRoutesDeps } from './health.routes.js';

export interface AppDeps extends EventsRoutesDeps, HealthRoutesDeps, CamerasRoutesDeps, Omit<DiscoveryRoutesDeps, 'logger'> {
  logger: Logger;
}

function errorBody(code: ErrorCode, message: string) {
  return { error: { code, message } };
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
    if (err instanceof MatThanError) return reply.status(err.statusCode).send(errorBody(err.code, err.message));
    if ('validation' in err && err.validation) return reply.status(400).send(errorBody('VALIDATION_FAILED', err.message));
    if (typeof err.statusCode === 'number' && err.statusCode < 500) {
      const code: ErrorCode = err.statusCode === 413 ? 'PAYLOAD_TOO_LARGE' : err.statusCode === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : 'BAD_REQUEST';
      return reply.status(err.statusCode).send(errorBody(code, err.message));
    }
    req.log.error({ err }, 'request failed');
    return reply.status(500).send(errorBody('INTERNAL', ErrorCodes.INTERNAL.message));
  });
  app.setNotFoundHandler((_req, reply) => reply.status(404).send(errorBody('ROUTE_NOT_FOUND', ErrorCodes.ROUTE_NOT_FOUND.message)));
  app.addHook('onResponse', async (req, reply) => {
    req.log.debug({ method: req.method, url: req.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  app.register(healthRoutes, deps);
  app.register(eventsRoutes, deps);
  app.register(camerasRoutes, deps);
  app.register(discoveryRoutes, { ...deps, logger: deps.logger.child({ component: 'discovery' }) });
  return app;
}
