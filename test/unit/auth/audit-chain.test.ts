import t from 'tap';
import { chain, findBreak, GENESIS_HASH, type AuditFields, type ChainedEntry } from '../../../src/auth/audit-chain.js';

const fields = (i: number): AuditFields => ({
  at: 1_700_000_000_000 + i, user_id: 'u1', username: 'police', role: 'police', ip: '10.0.0.1', method: 'GET', route: '/api/events',
  action: 'events.search', filter: JSON.stringify({ cameraId: `cam-${i}` }), reason: 'HS-1', status: 200, outcome: 'ok', result_count: i,
});
function build(n: number): ChainedEntry[] {
  const out: ChainedEntry[] = [];
  for (let i = 0; i < n; i++) out.push(chain(out.at(-1) ?? null, fields(i)));
  return out;
}

t.test('an intact chain', async (t) => {
  const c = build(5);
  t.equal(c[0]?.prev_hash, GENESIS_HASH);
  t.equal(c[0]?.seq, 1);
  t.equal(c[3]?.prev_hash, c[2]?.hash);
  t.equal(findBreak(null, c), null);
  t.equal(findBreak(c[1] ?? null, c.slice(2)), null, 'checked page by page');
});

t.test('every kind of tampering is found at its entry', async (t) => {
  for (const key of ['at', 'username', 'filter', 'reason', 'status', 'result_count', 'outcome'] as const) {
    const c = build(5);
    (c[2] as unknown as Record<string, unknown>)[key] = key === 'at' || key === 'status' || key === 'result_count' ? 1 : 'changed';
    t.same(findBreak(null, c), { seq: 3, reason: 'modified' }, key);
  }
  const deleted = build(5);
  deleted.splice(2, 1);
  t.same(findBreak(null, deleted), { seq: 4, reason: 'deleted-before' });
  const first = build(3).slice(1);
  t.same(findBreak(null, first), { seq: 2, reason: 'deleted-before' }, 'the first entry deleted');
  // Rewritten with a fresh hash: the next entry no longer links to it.
  const rehashed = build(5);
  rehashed[1] = chain(rehashed[0] ?? null, { ...fields(1), reason: 'forged' });
  t.same(findBreak(null, rehashed), { seq: 3, reason: 'relinked' });
});
