import t from 'tap';
import { decodeCursor, encodeCursor, toSearch } from '../../../src/http/history-query.js';

const id = '01a22b09-0988-734b-afe2-ac39d4b536b1';

t.test('a cursor round-trips and is opaque', async (t) => {
  const c = encodeCursor({ startedAt: 1_764_000_000_123, id });
  t.match(c, /^[A-Za-z0-9_-]+$/);
  t.same(decodeCursor(c), { startedAt: 1_764_000_000_123, id });
});

t.test('anything else is CURSOR_INVALID', async (t) => {
  const b64 = (s: string) => Buffer.from(s).toString('base64url');
  for (const bad of ['', '!!', b64('{}'), b64('[1]'), b64(`[1,"${id}",2]`), b64(`[-1,"${id}"]`), b64('[1,"nope"]'), b64(`["1","${id}"]`), b64('[1e400,"x"]'), 'a'.repeat(201)]) {
    t.throws(() => decodeCursor(bad), { code: 'CURSOR_INVALID' }, bad.slice(0, 30));
  }
});

t.test('filters become an EventSearch in epoch ms', async (t) => {
  const s = toSearch({ cameraId: 'gate', from: '2026-11-01T00:00:00Z', to: '2026-11-02T00:00:00+07:00', minScore: 0.1 }, { kind: 'all' }, 51);
  t.same(s, { scope: { kind: 'all' }, limit: 51, cameraId: 'gate', from: Date.parse('2026-11-01T00:00:00Z'), to: Date.parse('2026-11-01T17:00:00Z'), minScore: 0.1 });
  t.throws(() => toSearch({ from: '2026-11-02T00:00:00Z', to: '2026-11-01T00:00:00Z' }, { kind: 'all' }, 1), { code: 'VALIDATION_FAILED' });
  t.same(toSearch({}, { kind: 'police-viewable' }, 5, encodeCursor({ startedAt: 7, id })).after, { startedAt: 7, id });
});
