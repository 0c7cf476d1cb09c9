// WS-Discovery on demand. Candidates are only listed: registering one is a separate POST /api/cameras.

import type { FastifyPluginAsync } from 'fastify';
import type { Logger } from '../logger.js';
import { emptyBodyIsEmptyObject } from './cameras.routes.js';
import { discoverOnvif, type DiscoveryCandidate, type DiscoveryOptions } from '../onvif/discovery.js';

export interface DiscoveryRoutesDeps {
  discoveryPort: number;
  logger: Logger;
  /** Replaceable for tests; defaults to discoverOnvif. */
  discover?: (opts: DiscoveryOptions) => Promise<DiscoveryCandidate[]>;
}

const body = {
  type: 'object',
  additionalProperties: false,
  properties: {
    multicast: { type: 'boolean' },
    interfaceAddress: { type: 'string', maxLength: 45 },
    // Each a host or a CIDR of at most /24 (discovery.ts refuses larger ranges with a 400).
    targets: { type: 'array', maxItems: 64, items: { type: 'string', minLength: 1, maxLength: 64 } },
    timeoutMs: { type: 'integer', minimum: 100, maximum: 10000, default: 3000 },
  },
} as const;

export const discoveryRoutes: FastifyPluginAsync<DiscoveryRoutesDeps> = async (app, deps) => {
  app.post<{ Body: { multicast?: boolean; interfaceAddress?: string; targets?: string[]; timeoutMs: number } }>(
    '/api/discovery/scan',
    { bodyLimit: 16 * 1024, preValidation: emptyBodyIsEmptyObject, config: { access: 'discovery', audit: 'discovery.scan' }, schema: { body } },
    async (req) => {
      const b = req.body;
      const candidates = await (deps.discover ?? discoverOnvif)({
        multicast: b.multicast, interfaceAddress: b.interfaceAddress, targets: b.targets, timeoutMs: b.timeoutMs,
        port: deps.discoveryPort, logger: deps.logger,
      });
      return { candidates };
    },
  );
};
