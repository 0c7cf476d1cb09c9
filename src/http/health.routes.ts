// Liveness (the process answers) and readiness (its dependencies answer).

import type { FastifyPluginAsync } from 'fastify';

export interface HealthRoutesDeps {
  /** Named checks; each resolves when healthy and throws with the reason otherwise. */
  readinessChecks: Record<string, () => Promise<void>>;
  /** Extra figures for operators (queue depth, permanent failures, unpublished alerts). */
  readinessDetail?: () => Promise<Record<string, unknown>>;
}

const CHECK_TIMEOUT_MS = 2000;

async function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timed out')), CHECK_TIMEOUT_MS); }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function runCheck(check: () => Promise<void>): Promise<string> {
  try {
    await withTimeout(check());
    return 'ok';
  } catch (err) {
    return `error: ${(err as Error).message}`;
  }
}

export const healthRoutes: FastifyPluginAsync<HealthRoutesDeps> = async (app, deps) => {
  app.get('/healthz', { config: { access: 'public' } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { config: { access: 'public' } }, async (_req, reply) => {
    const names = Object.keys(deps.readinessChecks);
    const results = await Promise.all(names.map((n) => runCheck(deps.readinessChecks[n] as () => Promise<void>)));
    const checks = Object.fromEntries(names.map((n, i) => [n, results[i]]));
    const ready = results.every((r) => r === 'ok');
    // The detail reads Redis too: bounded like the checks, so a dead Redis gives a 503, not a hang.
    const detail = deps.readinessDetail ? await withTimeout(deps.readinessDetail()).catch((err: Error) => ({ detailError: err.message })) : {};
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks, ...detail });
  });
};
