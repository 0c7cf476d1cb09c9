// GET /metrics: Prometheus text. Not a user route (Prometheus has no account): it is public to the
// access policy and guarded by its own optional bearer token, compared in constant time.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { MatThanError } from '../errors.js';
import { bearerToken } from './access-hook.js';

export interface MetricsEndpoint {
  /** null: anyone who reaches the port may read the metrics. */
  token: string | null;
  contentType: string;
  text(): Promise<string>;
}

export interface MetricsRoutesDeps {
  /** Absent: no /metrics route (metrics.enabled false). */
  metrics?: MetricsEndpoint;
}

const digest = (s: string) => createHash('sha256').update(s).digest();

/** True when `header` carries `token` (hashes compared, so neither length nor content leaks through timing). */
export function metricsTokenMatches(token: string, header: string | undefined): boolean {
  const given = bearerToken(header);
  return given !== null && timingSafeEqual(digest(given), digest(token));
}

export const metricsRoutes: FastifyPluginAsync<MetricsRoutesDeps> = async (app, deps) => {
  const endpoint = deps.metrics;
  if (!endpoint) return;
  app.get('/metrics', { config: { access: 'public' }, schema: { hide: true } }, async (req, reply) => {
    if (endpoint.token !== null && !metricsTokenMatches(endpoint.token, req.headers.authorization)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new MatThanError('METRICS_TOKEN_INVALID');
    }
    const text = await endpoint.text();
    return reply.header('content-type', endpoint.contentType).header('cache-control', 'no-store').send(text);
  });
};
