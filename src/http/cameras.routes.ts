// The camera registry over HTTP. Bodies are validated by schema (unknown fields refused); no answer
// ever carries a credential: rows go out through toPublicCamera only. Which cameras a request sees comes
// from the access hook (req.scope): households theirs, officers the shared ones, admins all; a household
// account writes only cameras of its own household.

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ownHousehold } from '../auth/access-policy.js';
import { toPublicCamera } from '../cameras/camera-model.js';
import type { CameraPatch, CameraRegistry, NewCameraInput } from '../cameras/camera-registry.js';
import type { Credentials } from '../cameras/credential-cipher.js';
import type { CameraRow } from '../db/cameras.repository.js';
import { MatThanError } from '../errors.js';
import { motionSettingsSchema } from '../motion/motion-settings.js';
import type { CameraStreamStats } from '../streams/camera-stream.js';

export interface CamerasRoutesDeps {
  registry: CameraRegistry;
  cameraStats: () => CameraStreamStats[];
}

const id = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' } as const;
const nullableId = { type: ['string', 'null'], pattern: id.pattern } as const;
const user = { type: 'string', maxLength: 128 } as const;
const fields = {
  name: { type: 'string', minLength: 1, maxLength: 200 },
  zone: id,
  kind: { enum: ['household', 'public'] },
  householdId: nullableId,
  shareWithOfficers: { type: 'boolean' },
  policeMayView: { type: 'boolean' },
  location: {
    type: 'object',
    additionalProperties: false,
    properties: {
      lat: { type: ['number', 'null'], minimum: -90, maximum: 90 },
      lon: { type: ['number', 'null'], minimum: -180, maximum: 180 },
      address: { type: ['string', 'null'], maxLength: 300 },
    },
  },
  motion: motionSettingsSchema,
  retention: {
    type: 'object',
    additionalProperties: false,
    properties: { snapshotDays: { type: ['integer', 'null'], minimum: 1, maximum: 36500 }, eventDays: { type: ['integer', 'null'], minimum: 1, maximum: 36500 } },
  },
} as const;
/** How a camera is reached (shared with POST /api/cameras/test). */
export const onvifTargetSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['host'],
  properties: { host: { type: 'string', minLength: 1, maxLength: 253 }, port: { type: 'integer', minimum: 1, maximum: 65535 }, username: user, password: user },
} as const;
export const rtspUrlSchema = { type: 'string', minLength: 1, maxLength: 2048 } as const;
const createBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    ...fields,
    id,
    onvif: onvifTargetSchema,
    rtspUrl: rtspUrlSchema,
    saveIfUnauthorized: { type: 'boolean' },
  },
} as const;
const params = { type: 'object', required: ['id'], properties: { id } } as const;
const reasonOnly = { type: 'object', additionalProperties: false, properties: { reason: { type: 'string', maxLength: 200 } } } as const;
const read = { access: 'cameras:read' } as const;
const manage = { access: 'cameras:manage', audit: 'cameras.manage' } as const;
// Camera requests are small; a big body is a mistake or an attack, refused before parsing.
const bodyLimit = 64 * 1024; // room for 32 masks of 64 points
/** A POST without a body means "no options": give the schema an empty object to check. */
export const emptyBodyIsEmptyObject = async (req: { body: unknown }) => { req.body ??= {}; };

const scopeOf = (req: FastifyRequest) => {
  if (req.scope === null) throw new MatThanError('FORBIDDEN');
  return req.scope;
};

/** A household account keeps its cameras in its household: it cannot give one away or make it public. */
function keepInHousehold(req: FastifyRequest, f: { householdId?: string | null; kind?: string }): void {
  const own = ownHousehold(req.scope);
  if (own === null) return;
  if (f.householdId !== undefined && f.householdId !== own) throw new MatThanError('FORBIDDEN', 'a household account manages only its own household\'s cameras');
  if (f.kind === 'public') throw new MatThanError('FORBIDDEN', 'a household account cannot make a camera public');
}

export const camerasRoutes: FastifyPluginAsync<CamerasRoutesDeps> = async (app, deps) => {
  const view = (row: CameraRow) => toPublicCamera(row, deps.cameraStats().find((s) => s.cameraId === row.id));
  /** Read views also carry when the camera last saw motion (one query for the whole list). */
  async function withLastMotion(rows: CameraRow[]) {
    const stats = new Map(deps.cameraStats().map((s) => [s.cameraId, s]));
    const last = await deps.registry.lastMotionAt(rows.map((r) => r.id));
    return rows.map((row) => {
      const at = last.get(row.id);
      return { ...toPublicCamera(row, stats.get(row.id)), lastMotionAt: at === undefined ? null : new Date(at).toISOString() };
    });
  }

  app.get<{ Querystring: { reason?: string } }>('/api/cameras', { config: read, schema: { querystring: reasonOnly } }, async (req) => {
    return { cameras: await withLastMotion(await deps.registry.list(scopeOf(req))) };
  });

  app.post<{ Body: NewCameraInput }>('/api/cameras', { bodyLimit, config: manage, schema: { body: createBody } }, async (req, reply) => {
    const b = req.body;
    keepInHousehold(req, b);
    const own = ownHousehold(req.scope);
    if (own !== null) Object.assign(b, { householdId: own, kind: 'household' });
    if ((b.onvif === undefined) === (b.rtspUrl === undefined)) throw new MatThanError('VALIDATION_FAILED', 'give exactly one of onvif or rtspUrl');
    if (b.rtspUrl !== undefined && 'saveIfUnauthorized' in b) throw new MatThanError('VALIDATION_FAILED', 'saveIfUnauthorized applies to onvif cameras only');
    const { camera, probe } = await deps.registry.add(b);
    req.auditDetail = { id: camera.id, householdId: camera.household_id };
    return reply.status(201).send({ camera: view(camera), probe });
  });

  app.get<{ Params: { id: string }; Querystring: { reason?: string } }>(
    '/api/cameras/:id',
    { config: read, schema: { params, querystring: reasonOnly } },
    async (req) => ({ camera: (await withLastMotion([await deps.registry.get(req.params.id, scopeOf(req))]))[0] }),
  );

  app.patch<{ Params: { id: string }; Body: CameraPatch }>(
    '/api/cameras/:id',
    { bodyLimit, config: manage, schema: { params, body: { type: 'object', additionalProperties: false, minProperties: 1, properties: fields } } },
    async (req) => {
      await deps.registry.get(req.params.id, scopeOf(req));
      keepInHousehold(req, req.body);
      req.auditDetail = { changed: Object.keys(req.body) };
      return { camera: view(await deps.registry.update(req.params.id, req.body)) };
    },
  );

  app.delete<{ Params: { id: string } }>('/api/cameras/:id', { config: manage, schema: { params } }, async (req, reply) => {
    await deps.registry.get(req.params.id, scopeOf(req));
    await deps.registry.remove(req.params.id);
    return reply.status(204).send();
  });

  app.post<{ Params: { id: string }; Body: Partial<Credentials> }>(
    '/api/cameras/:id/probe',
    {
      bodyLimit, preValidation: emptyBodyIsEmptyObject, config: manage,
      schema: { params, body: { type: 'object', additionalProperties: false, properties: { username: user, password: user } } },
    },
    async (req) => {
      await deps.registry.get(req.params.id, scopeOf(req));
      const b = req.body;
      const creds = (b.username !== undefined || b.password !== undefined) ? { username: b.username ?? '', password: b.password ?? '' } : undefined;
      const { camera, probe, error } = await deps.registry.reprobe(req.params.id, creds);
      // The probe's outcome is the camera's new status, so a failed probe is still a successful request.
      return { camera: view(camera), probe, error: error && { code: error.code, message: error.message } };
    },
  );
};
