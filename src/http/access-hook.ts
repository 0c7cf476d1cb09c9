// Access control and auditing for every route, applied by two hooks on the root instance: onRequest
// authenticates the bearer token and asks the access policy (auth/access-policy.ts) about the route's
// declared `config.access`; onSend writes the audit entry before anything leaves. Routes only declare
// `access` (and `audit`, the action name, for history and account routes) and read `req.scope`.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { accessOf, decide, type Access } from '../auth/access-policy.js';
import type { Accounts } from '../auth/accounts.js';
import type { AuditLog } from '../auth/audit-log.js';
import type { ViewScope, Viewer } from '../auth/viewer.js';
import { MatThanError } from '../errors.js';
import { CSRF_HEADER, csrfRefused, sessionTokenFrom } from './session-cookie.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
    /** Audit every request of this route under this action name (refusals are audited on every route). */
    audit?: string;
  }
  interface FastifyRequest {
    viewer: Viewer | null;
    /** The rows this request may touch, decided by the access policy; null on public routes. */
    scope: ViewScope | null;
    /** Set by a handler: how many results the answer carries, for the audit entry. */
    auditCount: number | null;
    /** Set by a handler: facts for the audit entry beyond the query (e.g. the username tried at sign-in). */
    auditDetail: Record<string, unknown> | null;
    auditRefused: boolean;
    /** Set by a handler for answers not worth an entry (a throttled sign-in: flooding them must not fill the log). */
    auditSkip: boolean;
    /** The session token this request was authenticated with (bearer header, else the mt_session cookie). */
    sessionToken: string | null;
  }
}

export interface AccessDeps {
  accounts: Accounts;
  audit: AuditLog;
}

export function bearerToken(header: string | undefined): string | null {
  const m = /^Bearer ([A-Za-z0-9._~+/=-]{1,200})$/.exec(header ?? '');
  return m ? (m[1] as string) : null;
}

/** The token of a request: the Authorization header wins; the browser's cookie otherwise. */
export function requestToken(headers: { authorization?: string; cookie?: string }): { token: string; byCookie: boolean } | null {
  const bearer = bearerToken(headers.authorization);
  if (bearer !== null) return { token: bearer, byCookie: false };
  const cookie = sessionTokenFrom(headers.cookie);
  return cookie === null ? null : { token: cookie, byCookie: true };
}

/** The filter as audited: path and query parameters, without the reason (it has its own column). */
function auditFilter(req: FastifyRequest): string {
  const { reason: _r, ...query } = (typeof req.query === 'object' && req.query !== null ? req.query : {}) as Record<string, unknown>;
  const params = (typeof req.params === 'object' && req.params !== null ? req.params : {}) as Record<string, unknown>;
  return JSON.stringify({ ...params, ...query, ...req.auditDetail });
}

function auditReason(req: FastifyRequest): string | null {
  const r = (req.query as Record<string, unknown> | undefined)?.reason;
  return typeof r === 'string' ? r.slice(0, 200) : null;
}

export function installAccessControl(app: FastifyInstance, deps: AccessDeps): void {
  app.decorateRequest('viewer', null);
  app.decorateRequest('scope', null);
  app.decorateRequest('auditCount', null);
  app.decorateRequest('auditDetail', null);
  app.decorateRequest('auditRefused', false);
  app.decorateRequest('auditSkip', false);
  app.decorateRequest('sessionToken', null);

  app.addHook('onRequest', async (req) => {
    if (req.is404) return;
    const access = accessOf(req.routeOptions.url ?? '', req.routeOptions.config.access);
    let byCookie = false;
    if (access !== 'public') {
      const found = requestToken(req.headers);
      req.viewer = found === null ? null : await deps.accounts.authenticate(found.token);
      req.sessionToken = req.viewer === null ? null : (found?.token ?? null);
      byCookie = found?.byCookie === true;
    }
    if (req.viewer !== null && csrfRefused(req.method, byCookie, req.headers[CSRF_HEADER])) {
      req.auditRefused = true;
      throw new MatThanError('CSRF_HEADER_MISSING');
    }
    const decision = decide(access, req.viewer, (req.query as Record<string, unknown> | undefined)?.reason);
    if (!decision.allow) {
      // Someone signed in and refused is audited; anonymous knocking is not (it would let anyone fill the log).
      req.auditRefused = req.viewer !== null;
      throw new MatThanError(decision.code, decision.detail);
    }
    req.scope = decision.scope;
  });

  app.addHook('onSend', async (req: FastifyRequest, reply: FastifyReply, payload) => {
    const action = req.routeOptions.config?.audit;
    if (req.is404 || req.auditSkip || (action === undefined && !req.auditRefused)) return payload;
    const status = reply.statusCode;
    // Anonymous knocking is not audited (it would let anyone fill the log); failed sign-ins are.
    if (req.viewer === null && status === 401 && action !== 'auth.login') return payload;
    const v = req.viewer;
    try {
      await deps.audit.append({
        at: Date.now(), user_id: v?.userId ?? null, username: v?.username ?? null, role: v?.role ?? null, ip: req.ip,
        method: req.method, route: req.routeOptions.url ?? req.url, action: action ?? req.routeOptions.config?.access ?? 'unknown',
        filter: auditFilter(req), reason: auditReason(req), status,
        outcome: req.auditRefused || status === 401 || status === 403 || status === 429 ? 'refused' : status < 400 ? 'ok' : 'failed',
        result_count: req.auditCount,
      });
    } catch (err) {
      // An answer that cannot be audited is not given.
      req.log.error({ err }, 'audit entry not written');
      throw new MatThanError('AUDIT_WRITE_FAILED', undefined, { cause: err });
    }
    return payload;
  });
}
