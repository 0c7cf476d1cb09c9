// Summarises a V8 .cpuprofile (from `node --cpu-prof`): top functions by self time, and self time
// per package / source file, so a bench can be profiled without extra tools.
//   npx tsx bench/profile-summary.ts <file.cpuprofile> [top=30]

import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
interface Profile { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

const [file, topArg] = process.argv.slice(2);
if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [top]');
const top = Number(topArg ?? 30);
const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(p.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
const SPECIAL = new Set(['(idle)', '(garbage collector)', '(program)', '(root)']);
/** Native frames (fs, sockets, better-sqlite3's C++) count for the nearest JavaScript caller's package. */
function ownerUrl(id: number): string {
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const f = byId.get(cur)?.callFrame;
    if (f?.url) return f.url;
    if (f && SPECIAL.has(f.functionName)) return '';
  }
  return '';
}
const self = new Map<number, number>();
p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));

/** node_modules/<pkg> or the project file; "(native)" for V8 and C++ frames. */
function owner(url: string): string {
  if (url === '') return '(gc/idle/program)';
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (m) return m[1] as string;
  if (url.startsWith('node:')) return url;
  return url.replace(/^.*\/(src|bench|test)\//, '$1/');
}

const fns = new Map<string, number>();
const owners = new Map<string, number>();
for (const [id, us] of self) {
  const n = byId.get(id) as Node;
  const { functionName, url, lineNumber } = n.callFrame;
  const where = url ? `${owner(url)}:${lineNumber + 1}` : `native, from ${owner(ownerUrl(id))}`;
  const key = `${functionName || '(anonymous)'}  ${where}`;
  fns.set(key, (fns.get(key) ?? 0) + us);
  const o = owner(ownerUrl(id));
  owners.set(o, (owners.get(o) ?? 0) + us);
}
const total = p.endTime - p.startTime;
const idle = [...self].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
const ms = (us: number) => (us / 1000).toFixed(0).padStart(7);
const pc = (us: number) => ((100 * us) / (total - idle)).toFixed(1).padStart(5);
console.log(`profile ${(total / 1e6).toFixed(1)} s, busy ${((total - idle) / 1e6).toFixed(1)} s`);
console.log('\nself time by package / file (ms, % of busy):');
for (const [k, us] of [...owners].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ${pc(us)}%  ${k}`);
console.log('\ntop functions by self time:');
for (const [k, us] of [...fns].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ${pc(us)}%  ${k}`);
