// Police queries and the audit log from the HTTP side: a query without a reason is refused and the
// refusal audited; queries are audited with filter and count; an evidence export checks out with
// `sha256sum -c` and puts its events on legal hold; tampering with the log is found where it happened.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import type { EventRow } from '../../src/db/events.repository.js';
import { startApiApp } from '../helpers/api-app.js';

const run = promisify(execFile);
const api = await startApiApp();
t.teardown(() => api.close());

await api.registry.add({ id: 'gate', name: 'Gate', zone: 'cong-lang', rtspUrl: 'rtsp://127.0.0.1:9/x' });
await api.registry.add({ id: 'yard', name: 'Yard', householdId: 'ho-1', rtspUrl: 'rtsp://127.0.0.1:9/x' });
const T0 = Date.parse('2026-11-01T00:00:00Z');
const jpeg = (n: number) => Buffer.from([0xff, 0xd8, 0xff, 0xe0, n, n + 1, 0xff, 0xd9]);
// Three events share one start time: the cursor must break the tie by id.
const gateEvents: EventRow[] = [];
for (let i = 0; i < 7; i++) gateEvents.push(await api.addEvent({ camera_id: 'gate', zone: 'cong-lang', started_at: T0 + Math.min(i, 4) * 60_000, score: i / 10 }, jpeg(i)));
await api.addEvent({ camera_id: 'yard', household_id: 'ho-1', started_at: T0 }, jpeg(9));

// The admin's own read is audited after it is answered, so the newest entry listed is the one before it.
const lastAudit = async () => (await api.as('admin', { method: 'GET', url: '/api/audit?limit=1' })).json().entries[0];

t.test('a police query without a reason is refused with 400 and the refusal is audited', async (t) => {
  for (const url of ['/api/events', '/api/events?reason=', '/api/events?reason=x', `/api/events/${gateEvents[0]?.id}`, `/api/events/${gateEvents[0]?.id}/snapshot.jpg`, '/api/events/export?format=csv', '/api/cameras']) {
    const res = await api.as('police', { method: 'GET', url });
    t.equal(res.statusCode, 400, url);
    t.equal(res.json().error.code, 'REASON_REQUIRED', url);
    t.match(await lastAudit(), { username: 'police', role: 'police', outcome: 'refused', status: 400 }, `${url}: audited`);
  }
  const vi = await api.as('police', { method: 'GET', url: '/api/events', headers: { 'accept-language': 'vi-VN,vi;q=0.9,en;q=0.5' } });
  t.equal(vi.json().error.code, 'REASON_REQUIRED', 'the code stays the same in Vietnamese');
  t.match(vi.json().error.message, /công an/);
});

t.test('a police query with a reason: audited with who, route, filter, reason and count', async (t) => {
  const res = await api.as('police', { method: 'GET', url: '/api/events?cameraId=gate&minScore=0.2&reason=HS-2026-117' });
  t.equal(res.statusCode, 200);
  t.equal(res.json().events.length, 5);
  t.match(await lastAudit(), {
    username: 'police', route: '/api/events', action: 'events.search', reason: 'HS-2026-117',
    filter: { cameraId: 'gate', minScore: 0.2, limit: 50 }, resultCount: 5, outcome: 'ok', status: 200,
  });
  const yard = await api.as('police', { method: 'GET', url: '/api/events?cameraId=yard&reason=HS-2026-117' });
  t.same(yard.json().events, [], 'a household camera not opened to police stays closed even when named');
});

t.test('keyset pagination: newest first, every event once, ties broken by id, opaque cursor', async (t) => {
  const seen: Array<{ id: string; startedAt: string }> = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/api/events?cameraId=gate&limit=3${cursor ? `&cursor=${cursor}` : ''}`;
    const body = (await api.as('admin', { method: 'GET', url })).json() as { events: Array<{ id: string; startedAt: string }>; nextCursor: string | null };
    seen.push(...body.events);
    cursor = body.nextCursor;
    pages++;
  } while (cursor !== null && pages < 10);
  t.equal(pages, 3);
  const expected = [...gateEvents].sort((a, b) => b.started_at - a.started_at || (b.id < a.id ? -1 : 1)).map((e) => e.id);
  t.same(seen.map((e) => e.id), expected);
});

t.test('filters: type, zone, from/to', async (t) => {
  const q = async (qs: string) => ((await api.as('admin', { method: 'GET', url: `/api/events?${qs}` })).json().events as Array<{ id: string }>).length;
  t.equal(await q('zone=cong-lang'), 7);
  t.equal(await q('type=offline'), 0);
  t.equal(await q(`from=${new Date(T0 + 60_000).toISOString()}`), 6);
  t.equal(await q(`from=${new Date(T0).toISOString()}&to=${new Date(T0 + 60_000).toISOString()}`), 2, 'to is exclusive');
  t.equal(await q('householdId=ho-1'), 1);
});

t.test('zip export: SHA256SUMS checks with sha256sum -c, events on legal hold, the export audited', async (t) => {
  const res = await api.as('police', { method: 'GET', url: '/api/events/export?format=zip&cameraId=gate&reason=HS-2026-117' });
  // The body is a zip: only an error answer (JSON) is worth showing as the message.
  t.equal(res.statusCode, 200, res.statusCode === 200 ? 'exported' : res.body.slice(0, 200));
  t.equal(res.headers['content-type'], 'application/zip');
  t.match(res.headers['content-disposition'], /^attachment; filename="mat-than-export-.*\.zip"$/);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-export-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(path.join(dir, 'export.zip'), res.rawPayload);
  await run('unzip', ['-q', 'export.zip', '-d', 'x'], { cwd: dir });
  const checked = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: path.join(dir, 'x') });
  t.equal(checked.stdout.trim().split('\n').length, 8, 'events.json and 7 snapshots');
  t.match(checked.stdout, /^snapshots\/.*\.jpg: OK$/m);
  t.match(checked.stdout, /^events\.json: OK$/m);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'x', 'events.json'), 'utf8'));
  t.match(manifest, { exportedBy: 'police', reason: 'HS-2026-117', filter: { cameraId: 'gate' }, missingSnapshots: [], alteredSnapshots: [] });
  t.equal(manifest.events.length, 7);
  t.same(readFileSync(path.join(dir, 'x', 'snapshots', `${gateEvents[3]?.id}.jpg`)), jpeg(3), 'the stored snapshot, byte for byte');

  // A changed file is what sha256sum -c is for.
  writeFileSync(path.join(dir, 'x', 'snapshots', `${gateEvents[3]?.id}.jpg`), jpeg(42));
  const failed = await run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: path.join(dir, 'x') }).catch((e: { code: number; stdout: string }) => e);
  t.match(failed, { code: 1, stdout: new RegExp(`${gateEvents[3]?.id}\\.jpg: FAILED`) });

  for (const e of gateEvents) t.equal((await api.as('admin', { method: 'GET', url: `/api/events/${e.id}` })).json().event.legalHold, true, 'on legal hold');
  const yard = await api.as('admin', { method: 'GET', url: '/api/events?cameraId=yard' });
  t.equal(yard.json().events[0].legalHold, false, 'events not exported are not held');
  const audits = (await api.as('admin', { method: 'GET', url: '/api/audit?action=events.export&limit=1' })).json().entries;
  t.match(audits[0], { username: 'police', action: 'events.export', reason: 'HS-2026-117', resultCount: 7, filter: { format: 'zip', cameraId: 'gate' } });
});

t.test('csv export quotes, and defuses cells a spreadsheet would run', async (t) => {
  await api.registry.add({ id: 'csv-cam', name: 'x', zone: 'z', rtspUrl: 'rtsp://127.0.0.1:9/x' });
  await api.addEvent({ camera_id: 'csv-cam', incident_id: '=HYPERLINK("http://x")' });
  const res = await api.as('admin', { method: 'GET', url: '/api/events/export?format=csv&cameraId=csv-cam' });
  t.equal(res.headers['content-type'], 'text/csv; charset=utf-8');
  t.match(res.body, /"'=HYPERLINK\(""http:\/\/x""\)"/);
});

t.test('the audit chain: intact, then a modified entry and a deleted entry are found where they are', async (t) => {
  const ok = (await api.as('admin', { method: 'GET', url: '/api/audit/verify' })).json();
  t.match(ok, { ok: true, brokenAt: null });
  t.ok(ok.entries > 10);

  t.throws(() => api.sqlite().prepare('update audit_log set reason = ? where seq = 1').run('x'), /append-only/, 'the database refuses changes');
  t.throws(() => api.sqlite().prepare('delete from audit_log where seq = 1').run(), /append-only/, 'and deletions');
  // Someone with the database file can drop the guards; the chain still tells.
  api.sqlite().exec('drop trigger audit_log_no_update; drop trigger audit_log_no_delete');
  const target = 5;
  const original = api.sqlite().prepare('select filter from audit_log where seq = ?').get(target) as { filter: string };
  api.sqlite().prepare('update audit_log set filter = ? where seq = ?').run('{"cameraId":"someone-else"}', target);
  const modified = (await api.as('admin', { method: 'GET', url: '/api/audit/verify' })).json();
  t.match(modified, { ok: false, brokenAt: { seq: target, reason: 'modified' }, entries: target - 1 });
  api.sqlite().prepare('update audit_log set filter = ? where seq = ?').run(original.filter, target);
  t.match((await api.as('admin', { method: 'GET', url: '/api/audit/verify' })).json(), { ok: true }, 'restored');

  api.sqlite().prepare('delete from audit_log where seq = ?').run(8);
  t.match((await api.as('admin', { method: 'GET', url: '/api/audit/verify' })).json(), { ok: false, brokenAt: { seq: 9, reason: 'deleted-before' } });
});
