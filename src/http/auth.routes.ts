// Sign-in, sign-out and "who am I". Scripts send the token in `Authorization: Bearer <token>`; the
// browser keeps the same token in the HttpOnly cookie mt_session that sign-in sets (session-cookie.ts).

import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Accounts } from '../auth/accounts.js';
import { isMatThanError } from '../errors.js';
import { clearedSessionCookie, sessionCookie, wantsSecureCookie } from './session-cookie.js';

export interface AuthRoutesDeps {
  accounts: Accounts;
  /** The configured public URL (https there means Secure cookies), or the URL the service answers on. */
  publicUrl: string;
}

const loginBody = {
  type: 'object',
  additionalProperties: false,
  required: ['username', 'password'],
  properties: { username: { type: 'string', minLength: 1, maxLength: 64 }, password: { type: 'string', minLength: 1, maxLength: 256 } },
} as const;

export const authRoutes: FastifyPluginAsync<AuthRoutesDeps> = async (app, deps) => {
  const secure = (req: FastifyRequest) => wantsSecureCookie(req.protocol, deps.publicUrl);

  app.post<{ Body: { username: string; password: string } }>(
    '/api/auth/login',
    { bodyLimit: 4 * 1024, config: { access: 'public', audit: 'auth.login' }, schema: { body: loginBody, tags: ['accounts'] } },
    async (req, reply) => {
      req.auditDetail = { username: req.body.username.toLowerCase() };
      try {
        const { result, viewer } = await deps.accounts.login(req.body.username, req.body.password, req.ip);
        req.viewer = viewer;
        const maxAgeSec = (Date.parse(result.expiresAt) - Date.now()) / 1000;
        reply.header('set-cookie', sessionCookie(result.token, { maxAgeSec, secure: secure(req) }));
        return result;
      } catch (err) {
        // Throttled attempts cost nothing to send; auditing each would let anyone grow the log at will.
        req.auditSkip = isMatThanError(err, 'LOGIN_RATE_LIMITED');
        throw err;
      }
    },
  );

  app.post('/api/auth/logout', { config: { access: 'signed-in', audit: 'auth.logout' }, schema: { tags: ['accounts'] } }, async (req, reply) => {
    if (req.sessionToken !== null) await deps.accounts.logout(req.sessionToken);
    return reply.header('set-cookie', clearedSessionCookie(secure(req))).status(204).send();
  });

  app.get('/api/auth/me', { config: { access: 'signed-in' }, schema: { tags: ['accounts'] } }, async (req) => {
    const v = req.viewer;
    const user = v && { id: v.userId, username: v.username, role: v.role, householdId: v.householdId };
    // `user` for existing clients; the same fields at the top level for the web dashboard.
    return { user, username: user?.username, role: user?.role, householdId: user?.householdId };
  });
};
