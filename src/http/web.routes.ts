// The dashboard (web/): index.html at `/`, the app's modules under `/app/<content hash>/` and preact/htm
// under `/vendor/<package>@<version>/`, all compressed (phones on weak links). Every asset URL changes
// when its content does, so assets are cached for a year; only `/` is revalidated. No build step: the
// browser loads ES modules through an import map written into index.html here.

import compress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync } from 'fastify';

// Both src/http/ and dist/http/ are two levels below the repository root.
const WEB_DIR = fileURLToPath(new URL('../../web/', import.meta.url));
const APP_DIR = path.join(WEB_DIR, 'app');
const IMMUTABLE = 'public, max-age=31536000, immutable';

interface VendorFile { url: string; dir: string; file: string }

/** Files under dir, relative, sorted (a stable order for the content hash). */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();
}

export function contentHash(dir: string): string {
  const h = createHash('sha256');
  for (const f of filesUnder(dir)) h.update(f).update('\0').update(readFileSync(path.join(dir, f))).update('\0');
  return h.digest('hex').slice(0, 12);
}

/** preact, preact/hooks and htm as the browser imports them, from the installed packages. */
function vendorFiles(): Record<string, VendorFile> {
  const require = createRequire(import.meta.url);
  const manifest = (dir: string) => JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version: string };
  // htm does not export its package.json: walk up from its entry point instead.
  const pkgDir = (name: string) => {
    let dir = path.dirname(require.resolve(name));
    while (!existsSync(path.join(dir, 'package.json')) || manifest(dir).name !== name) dir = path.dirname(dir);
    return dir;
  };
  const version = (name: string) => manifest(pkgDir(name)).version;
  const preact = `/vendor/preact@${version('preact')}`;
  const htm = `/vendor/htm@${version('htm')}`;
  return {
    preact: { url: `${preact}/preact.mjs`, dir: path.join(pkgDir('preact'), 'dist'), file: 'preact.mjs' },
    'preact/hooks': { url: `${preact}/hooks.mjs`, dir: path.join(pkgDir('preact'), 'hooks', 'dist'), file: 'hooks.mjs' },
    htm: { url: `${htm}/htm.mjs`, dir: path.join(pkgDir('htm'), 'dist'), file: 'htm.mjs' },
  };
}

/** index.html with the import map and the app's hashed base filled in, and the CSP that allows exactly that map. */
export function renderIndex(template: string, appBase: string, vendor: Record<string, VendorFile>, modules: string[]): { html: string; csp: string } {
  const imports = Object.fromEntries(Object.entries(vendor).map(([name, v]) => [name, v.url]));
  const importMap = JSON.stringify({ imports });
  // Every module announced at once: on a slow link the browser fetches them in parallel instead of
  // discovering them one import level (one round trip) at a time.
  const preload = [...Object.values(vendor).map((v) => v.url), ...modules.map((m) => `${appBase}/${m}`)]
    .map((url) => `<link rel="modulepreload" href="${url}">`).join('\n');
  const html = template.replaceAll('%APP%', appBase).replace('%IMPORTMAP%', importMap).replace('%PRELOAD%', preload);
  const mapHash = createHash('sha256').update(importMap).digest('base64');
  const csp = [
    "default-src 'self'", `script-src 'self' 'sha256-${mapHash}'`, "img-src 'self' data:", "connect-src 'self'",
    "style-src 'self'", "base-uri 'none'", "form-action 'self'", "frame-ancestors 'none'", "object-src 'none'",
  ].join('; ');
  return { html, csp };
}

export const webRoutes: FastifyPluginAsync = async (app) => {
  // The dashboard's files are public (the data they show is not: every /api route checks the session).
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, access: 'public' } as typeof route.config;
  });
  await app.register(compress, { encodings: ['br', 'gzip'] });
  const appBase = `/app/${contentHash(APP_DIR)}`;
  const vendor = vendorFiles();
  // The catalogues are left out: only the chosen language is loaded.
  const modules = filesUnder(APP_DIR).filter((f) => f.endsWith('.js') && !f.startsWith('i18n'));
  const { html, csp } = renderIndex(readFileSync(path.join(WEB_DIR, 'index.html'), 'utf8'), appBase, vendor, modules);

  await app.register(fastifyStatic, {
    root: APP_DIR, prefix: `${appBase}/`, wildcard: false, cacheControl: false, etag: false, lastModified: false,
    setHeaders: (reply) => { reply.header('cache-control', IMMUTABLE); },
  });
  for (const v of Object.values(vendor)) {
    app.get(v.url, (_req, reply) => reply.header('cache-control', IMMUTABLE).sendFile(v.file, v.dir, { cacheControl: false }));
  }
  app.get('/', (_req, reply) => reply
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-cache')
    .header('content-security-policy', csp)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .send(html));
};
