// Officer view in a real browser: sign in on a phone, see a live alert within 3 s of a person walking
// past a simulated camera, open its full snapshot, acknowledge and escalate it (recorded in the event's
// history), watch the status board and the village plan follow a covered lens; the page's weight.

import t from 'tap';
import type { Page } from 'playwright-core';
import { waitFor } from '../helpers/harness.js';
import { imageLoaded, phoneContext, screenshots, signIn, transferred } from '../helpers/browser.js';
import { startStack } from '../helpers/e2e-stack.js';

const s = await startStack({
  simCameras: ['gate', 'hall'],
  cameras: () => [],
  overrides: { zones: [{ id: 'cong-lang' }, { id: 'trung-tam', armed: [] }] },
});
t.teardown(() => s.close());
for (const [id, name, zone, lat, lon] of [['gate', 'Cổng làng', 'cong-lang', 21.0312, 105.8521], ['hall', 'Nhà văn hoá', 'trung-tam', 21.0325, 105.8540]] as const) {
  const res = await s.h.inject({ method: 'POST', url: '/api/cameras', payload: { id, name, zone, rtspUrl: s.sim.url(id), location: { lat, lon, address: name } } });
  if (res.statusCode !== 201) throw new Error(`camera ${id} not registered: ${res.body}`);
}
const officer = await s.account('can-bo', 'officer');
const ctx = await phoneContext(s.browser, s.baseURL);
const page: Page = await ctx.newPage();

t.test('sign-in and the first usable officer page, in Vietnamese, and what it weighs', async (t) => {
  await waitFor('both streams analysing', () => s.h.framesOf('gate') >= 15 && s.h.framesOf('hall') >= 15, 60_000);
  const weight = await transferred(page, async () => {
    await signIn(page, officer.username, officer.password);
    await page.locator('.board li[data-camera-id=hall] .badge.s-online').waitFor();
    await page.locator('.plan .cam[data-camera-id=gate]').waitFor();
  });
  const list = weight.requests.map((r) => `${r.url} ${r.bytes}`).join('\n  ');
  t.comment(`first usable officer page (empty cache, sign-in included): ${weight.bytes} bytes in ${weight.requests.length} responses\n  ${list}`);
  t.ok(weight.bytes > 0);
  t.equal(await page.locator('html').getAttribute('lang'), 'vi', 'Vietnamese by default, whatever the browser says');
  t.match(await page.locator('#feed-h').textContent(), /Cảnh báo/);
  t.equal(await page.locator('.plan .cam[data-camera-id=gate]').getAttribute('data-state'), 'online');
  t.match(await page.locator('.plan').textContent(), /cong-lang: đang canh/, 'zone arming state on the plan');
  t.match(await page.locator('.plan').textContent(), /trung-tam: không canh/);
  await page.locator('.link-live').waitFor();
});

t.test('a person walks past: the alert is on the phone (target: within 3 s), thumbnail first', async (t) => {
  const started = s.sim.crossingStarted('gate');
  const crossed = s.sim.cross('gate', 3);
  await started;
  const t0 = Date.now();
  // The target is 3 s from the crossing's start. Timing targets are reported, not asserted
  // (a loaded CI box must not turn red for it): the card must come, and how long it took is printed.
  const card = page.locator('.alerts li.event.t-motion').first();
  await card.waitFor({ timeout: 30_000 });
  const ms = Date.now() - t0;
  t.comment(`alert visible ${ms} ms after the crossing started (target 3000 ms: ${ms <= 3000 ? 'met' : 'MISSED'})`);
  t.match(await card.textContent(), /Cổng làng/);
  await crossed;
  const thumb = card.locator('img.thumb');
  await waitFor('the thumbnail decoded', () => imageLoaded(thumb), 10_000);
  const id = await card.getAttribute('data-event-id');
  const ev = (await s.h.inject({ method: 'GET', url: `/api/events/${id}` })).json() as { event: { startedAt: string } };
  // Dates in Asia/Ho_Chi_Minh (UTC+7 all year), although the browser's own zone is London.
  const vn = new Date(Date.parse(ev.event.startedAt) + 7 * 3_600_000).toISOString().slice(11, 16);
  t.match(await card.locator('time').textContent(), vn, `start time shown in Vietnam time (${vn})`);
  await screenshots(t, page, 'officer');
});

t.test('tap: the full snapshot; acknowledge and escalate are recorded in the event history', async (t) => {
  const card = page.locator('.alerts li.event.t-motion').first();
  const id = await card.getAttribute('data-event-id');
  await card.locator('.thumb-btn').click();
  const snap = page.locator('.modal img.snapshot');
  await snap.waitFor();
  await waitFor('the snapshot decoded', () => imageLoaded(snap, 320), 10_000);
  await page.locator('.modal .alert-actions input').fill('Đã gọi trưởng thôn');
  await page.locator('.modal .alert-actions button:not(.warn)').click();
  await page.locator('.modal .actions li', { hasText: 'Đã nhận' }).waitFor();
  await page.locator('.modal .alert-actions button.warn').click();
  await page.locator('.modal .actions li', { hasText: 'Đã báo cấp trên' }).waitFor();
  await screenshots(t, page, 'officer-alert');
  const res = await s.h.inject({ method: 'GET', url: `/api/events/${id}` });
  const actions = (res.json() as { event: { actions?: Array<{ action: string; username: string; note: string | null }> } }).event.actions ?? [];
  t.match(actions, [{ action: 'ack', username: 'can-bo', note: 'Đã gọi trưởng thôn' }, { action: 'escalate', username: 'can-bo' }], 'both in the history');
  await page.locator('.modal .close').click();
  await page.locator('.alerts li.event .actions li', { hasText: 'Đã báo cấp trên' }).first().waitFor();
});

t.test('a covered lens shows on the board and the plan; English on request', async (t) => {
  await s.sim.cover('hall');
  await page.locator('.board li[data-camera-id=hall] .badge.s-covered').waitFor({ timeout: 30_000 });
  t.equal(await page.locator('.plan .cam[data-camera-id=hall]').getAttribute('data-state'), 'covered');
  await page.locator('.alerts li.event.t-covered').first().waitFor({ timeout: 30_000 });
  t.match(await page.locator('.board li[data-camera-id=gate]').textContent(), /Chuyển động gần nhất: \d/, 'last motion of the gate camera');
  await page.getByRole('button', { name: 'English' }).click();
  await page.locator('#feed-h', { hasText: 'Alerts' }).waitFor();
  t.equal(await page.locator('html').getAttribute('lang'), 'en');
  t.match(await page.locator('.board li[data-camera-id=hall]').textContent(), /Covered/);
  await screenshots(t, page, 'officer-en');
  await page.getByRole('button', { name: 'Tiếng Việt' }).click();
  await s.sim.uncover('hall');
});
