// The dashboard's files as served: index with its import map, CSP and preloads; every asset under a
// content-addressed URL, compressed, cached for a year; nothing outside web/app served.

import { createHash } from 'node:crypto';
import Fastify from 'fastify';
import t from 'tap';
import { webRoutes } from '../../../src/http/web.routes.js';

const app = Fastify();
await app.register(webRoutes);
t.teardown(() => app.close());

const index = await app.inject({ method: 'GET', url: '/' });
const assets = [...index.body.matchAll(/(?:href|src)="(\/(?:app|vendor)\/[^"]+)"/g)].map((m) => m[1] as string);

t.test('index: no-cache, the import map allowed by hash in the CSP, every module preloaded', async (t) => {
  t.equal(index.statusCode, 200);
  t.match(index.headers['content-type'], /text\/html/);
  t.equal(index.headers['cache-control'], 'no-cache');
  const map = /<script type="importmap">(.*)<\/script>/.exec(index.body)?.[1] ?? '';
  t.same(Object.keys(JSON.parse(map).imports), ['preact', 'preact/hooks', 'htm']);
  const hash = createHash('sha256').update(map).digest('base64');
  t.match(index.headers['content-security-policy'], `script-src 'self' 'sha256-${hash}'`);
  t.match(index.headers['content-security-policy'], "frame-ancestors 'none'");
  t.ok(assets.some((a) => /^\/app\/[0-9a-f]{12}\/main\.js$/.test(a)), 'main.js under the content hash');
  t.ok(assets.includes('/vendor/preact@11.2.0/preact.mjs'));
  t.notOk(assets.some((a) => a.includes('/i18n/')), 'catalogues are not preloaded (one is loaded, by language)');
});

t.test('assets: immutable, brotli when asked, JavaScript or CSS', async (t) => {
  t.ok(assets.length > 15, `${assets.length} assets`);
  for (const url of assets) {
    const res = await app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'br, gzip' } });
    t.equal(res.statusCode, 200, url);
    t.equal(res.headers['cache-control'], 'public, max-age=31536000, immutable', url);
    t.match(res.headers['content-type'], /javascript|css/, url);
    if (res.rawPayload.length > 1024) t.equal(res.headers['content-encoding'], 'br', url);
  }
});

t.test('nothing else: a stale hash, a path outside web/app, a directory listing', async (t) => {
  const base = assets.find((a) => a.endsWith('/main.js'))?.replace('/main.js', '') ?? '';
  for (const url of ['/app/000000000000/main.js', `${base}/../../index.html`, `${base}/%2e%2e/%2e%2e/package.json`, `${base}/`, '/vendor/preact@11.2.0/preact.js']) {
    const res = await app.inject({ method: 'GET', url });
    t.ok(res.statusCode === 404 || res.statusCode === 403, `${url} → ${res.statusCode}`);
  }
});
