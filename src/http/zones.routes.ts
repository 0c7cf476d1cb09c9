// GET /api/zones: the alert zones for the status board — configured zones and the zones of the cameras
// in the caller's scope, each armed or not now (src/events/zone-status.ts).

import type { FastifyPluginAsync } from 'fastify';
import type { CameraRegistry } from '../cameras/camera-registry.js';
import { MatThanError } from '../errors.js';
import { zoneStatuses, type ZoneEntry } from '../events/zone-status.js';

export interface ZonesRoutesDeps {
  registry: CameraRegistry;
  zones: readonly ZoneEntry[];
  /** alerts.timezone: arming windows are local times there. */
  timezone: string;
}

const query = { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: 200 } } } as const;

export const zonesRoutes: FastifyPluginAsync<ZonesRoutesDeps> = async (app, deps) => {
  app.get('/api/zones', { config: { access: 'zones:read' }, schema: { querystring: query, tags: ['cameras'] } }, async (req) => {
    if (req.scope === null) throw new MatThanError('FORBIDDEN');
    const cameras = await deps.registry.list(req.scope);
    return zoneStatuses(deps.zones, cameras.map((c) => c.zone), Date.now(), deps.timezone);
  });
};
