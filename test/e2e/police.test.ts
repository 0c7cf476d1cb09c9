// Police view in a real browser: no search without a case reference; a search with one finds the
// event, opens it with its snapshot, and downloads the evidence zip, whose SHA256SUMS checks out;
// the audit log has the reason on every request.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { waitFor } from '../helpers/harness.js';
import { ARTIFACTS, imageLoaded, phoneContext, screenshots, signIn } from '../helpers/browser.js';
import { startStack } from '../helpers/e2e-stack.js';

const REASON = 'HS-2026-117';
const s = await startStack({ simCameras: ['gate'], cameras: () => [] });
t.teardown(() => s.close());
const reg = await s.h.inject({ method: 'POST', url: '/api/cameras', payload: { id: 'gate', name: 'Cổng làng', zone: 'cong-lang', rtspUrl: s.sim.url('gate') } });
if (reg.statusCode !== 201) throw new Error(reg.body);
const police = await s.account('cong-an', 'police');
const page = await (await phoneContext(s.browser, s.baseURL)).newPage();
const audit = async () => ((await s.h.inject({ method: 'GET', url: '/api/audit?username=cong-an' })).json() as { entries: Array<{ action: string; reason: string | null; outcome: string }> }).entries;

await waitFor('the stream analysing', () => s.h.framesOf('gate') >= 15, 60_000);
await s.sim.cross('gate', 3);
const end = await waitFor('the event ended', () => s.h.eventMessages().find((m) => m.type === 'end'), 60_000);

t.test('no search without a reason', async (t) => {
  await signIn(page, police.username, police.password);
  await page.locator('.police form.search').waitFor();
  await page.getByRole('button', { name: 'Tra cứu' }).click();
  await page.getByText('Phải ghi lý do tra cứu').waitFor();
  t.equal(await page.locator('.police .events').count(), 0, 'no results shown');
  t.notOk((await audit()).some((e) => e.action === 'events.search'), 'no search reached the service');
});

t.test('a search with a reason finds the event; it opens with its snapshot', async (t) => {
  await page.locator('input[name=reason]').fill(REASON);
  await page.locator('input[name=cameraId]').fill('gate');
  await page.getByRole('button', { name: 'Tra cứu' }).click();
  const row = page.locator(`.events li[data-event-id="${end.event.id}"]`);
  await row.waitFor();
  await waitFor('the thumbnail (fetched with the reason)', () => imageLoaded(row.locator('img.thumb')), 10_000);
  await screenshots(t, page, 'police');
  await row.locator('.thumb-btn').click();
  const snap = page.locator('.modal img.snapshot');
  await snap.waitFor();
  await waitFor('the snapshot decoded', () => imageLoaded(snap, 320), 10_000);
  await screenshots(t, page, 'police-event');
  t.match(await page.locator('.modal').textContent(), end.event.snapshotSha256 ?? '', 'the snapshot’s SHA-256 is shown');
  await page.locator('.modal .close').click();
});

t.test('export: the zip downloads with its manifest and checks out with sha256sum -c', async (t) => {
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Xuất ZIP (kèm bản kê)' }).click()]);
  mkdirSync(ARTIFACTS, { recursive: true });
  const zip = path.join(ARTIFACTS, 'police-export.zip');
  await download.saveAs(zip);
  t.match(download.suggestedFilename(), /^mat-than-export-.*\.zip$/);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mt-export-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  execFileSync('unzip', ['-q', zip, '-d', dir]);
  const check = execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: dir, encoding: 'utf8' });
  t.match(check, `snapshots/${end.event.id}.jpg: OK`);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'events.json'), 'utf8')) as { reason: string; exportedBy: string; events: Array<{ id: string; legalHold: boolean }> };
  t.match(manifest, { reason: REASON, exportedBy: 'cong-an', events: [{ id: end.event.id, legalHold: true }] });
  const entries = await audit();
  for (const action of ['events.search', 'events.read', 'events.snapshot', 'events.export']) {
    t.ok(entries.some((e) => e.action === action && e.reason === REASON && e.outcome === 'ok'), `${action} audited with the reason`);
  }
});
