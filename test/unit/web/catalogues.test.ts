// The dashboard's message catalogues: both languages have exactly the same keys, no empty message,
// and the same {placeholders} in each message; every key the pages ask for exists.

import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import t from 'tap';

// Browser modules, not part of the TypeScript project: loaded by URL.
type Catalogue = Record<string, string>;
const load = async (lang: string) => ((await import(new URL(`../../../web/app/i18n/${lang}.js`, import.meta.url).href)) as { default: Catalogue }).default;
const vi = await load('vi');
const en = await load('en');

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

t.test('vi and en have the same keys, none empty, with the same placeholders', async (t) => {
  t.same(Object.keys(en).sort(), Object.keys(vi).sort());
  for (const [key, msg] of Object.entries(vi)) {
    t.ok(msg.trim().length > 0 && (en[key] ?? '').trim().length > 0, `${key} has text in both`);
    t.same(placeholders(en[key] ?? ''), placeholders(msg), `${key}: same placeholders`);
  }
});

t.test('every literal key used by the pages is in the catalogue', async (t) => {
  const dir = fileURLToPath(new URL('../../../web/app/', import.meta.url));
  const used = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.js'))) {
    for (const m of readFileSync(dir + f, 'utf8').matchAll(/\bt\('([a-zA-Z0-9.]+)'/g)) used.add(m[1] as string);
  }
  t.ok(used.size > 50, `found ${used.size} keys in use`);
  for (const key of used) t.ok(key in vi, `${key} is in the catalogues`);
});
