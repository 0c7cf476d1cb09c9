// Sign-in, sign-out and "who am I". The token goes in `Authorization: Bearer <token>`.

import type { FastifyPluginAsync } from 'fastify';
import { bearerToken } from './access-hook.js';
import type { Accounts } from '../auth/accounts.js';
import { isMatThanError } from '../errors.js';


export interface AuthRoutesDeps {
  accounts: Accounts;
}

const loginBody = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password'],
  properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

export const authRoutes: FastifyPluginAsync<AuthRoutesDeps> = async (app, deps) => {
  app.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    { bodyLimit: 4 * 1024, config: { access: 'public', audit: 'auth.login' }, schema: { body: loginBody, tags: ['accounts'] } },
    async (req) => {
      req.auditDetail = { username: req.body.username.toLowerCase() };
      try {
        const { result, viewer } = await deps.accounts.login(req.body.username, req.body.password, req.ip);
        req.viewer = viewer;
        return result;
      } catch (err) {
        // Throttled attempts cost nothing to send; auditing each would let anyone grow the log at will.
        req.auditSkip = isMatThanError(err, 'LOGIN_RATE_LIMITED');
        throw err;
      }
    },
  );

  app.post('/api/auth/logout', { config: { access: 'signed-in', audit: 'auth.logout' }, schema: { tags: ['accounts'] } }, async (req, reply) => {
    const token = bearerToken(req.headers.authorization);
    if (token !== null) await deps.accounts.logout(token);
    return reply.status(204).send();
  });

  app.get('/api/auth/me', { config: { access: 'signed-in' }, schema: { tags: ['accounts'] } }, async (req) => {
    const v = req.viewer;
    return { user: v && { id: v.userId, username: v.username, role: v.role, householdId: v.householdId } };
  });
};
