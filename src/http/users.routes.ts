// Account management for admins (the same operations as `mat-than user …`).

import type { FastifyPluginAsync } from 'fastify';
import { ROLES, type Role } from '../auth/viewer.js';
import type { Accounts } from '../auth/accounts.js';

export interface UsersRoutesDeps {
  accounts: Accounts;
}

const username = { type: 'string', pattern: '^[a-z0-9][a-z0-9._-]{1,63}$' } as const;
const password = { type: 'string', minLength: 1, maxLength: 256 } as const;
const manage = { access: 'users:manage', audit: 'users.manage' } as const;
const params = { type: 'object', required: ['username'], properties: { username } } as const;

export const usersRoutes: FastifyPluginAsync<UsersRoutesDeps> = async (app, deps) => {
  app.get('/api/users', { config: { access: 'users:manage', audit: 'users.list' }, schema: { tags: ['accounts'] } }, async (req) => {
    const users = await deps.accounts.list();
    req.auditCount = users.length;
    return { users };
  });

  app.post<{ Body: { username: string; role: Role; householdId?: string; password: string } }>(
    '/api/users',
    {
      bodyLimit: 4 * 1024, config: manage,
      schema: {
        tags: ['accounts'],
        body: {
          type: 'object', additionalProperties: false, required: ['username', 'role', 'password'],
          properties: { username, role: { enum: ROLES }, householdId: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$' }, password },
        },
      },
    },
    async (req, reply) => {
      req.auditDetail = { username: req.body.username, role: req.body.role, householdId: req.body.householdId ?? null };
      return reply.status(201).send({ user: await deps.accounts.create(req.body) });
    },
  );

  app.patch<{ Params: { username: string }; Body: { password?: string; disabled?: boolean } }>(
    '/api/users/:username',
    {
      bodyLimit: 4 * 1024, config: manage,
      schema: { tags: ['accounts'], params, body: { type: 'object', additionalProperties: false, minProperties: 1, properties: { password, disabled: { type: 'boolean' } } } },
    },
    async (req, reply) => {
      req.auditDetail = { passwordChanged: req.body.password !== undefined, disabled: req.body.disabled ?? null };
      if (req.body.password !== undefined) await deps.accounts.setPassword(req.params.username, req.body.password);
      if (req.body.disabled !== undefined) await deps.accounts.setDisabled(req.params.username, req.body.disabled);
      return reply.status(204).send();
    },
  );
};
