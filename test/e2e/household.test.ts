// Household view in a real browser: register a camera behind a password-protected ONVIF simulator
// (test connection shows its live snapshot), draw an ignore zone on that snapshot and see motion inside
// it raise nothing — then, the zone removed, the same crossing raises an event; another household's
// camera page shows nothing of that camera.

import t from 'tap';
import { startOnvifSimulator } from '../../src/sim/onvif-simulator.js';
import { waitFor } from '../helpers/harness.js';
import { imageLoaded, phoneContext, screenshots, signIn } from '../helpers/browser.js';
import { startStack } from '../helpers/e2e-stack.js';

const PASSWORD = 'Cam3ra-pass-word';
const s = await startStack({
  simCameras: ['home', 'neighbour'],
  cameras: (sim) => [{ id: 'neighbour', name: 'Nhà hàng xóm', rtspUrl: sim.url('neighbour'), kind: 'household', householdId: 'ho-18', shareWithOfficers: false }],
});
const onvif = await startOnvifSimulator({ username: 'admin', password: PASSWORD, rtspUrl: s.sim.url('home') });
t.teardown(async () => {
  await onvif.close();
  await s.close();
});
const household = await s.account('ho-17', 'household', 'ho-17');
const page = await (await phoneContext(s.browser, s.baseURL)).newPage();
const eventsOf = async (cameraId: string) =>
  ((await s.h.inject({ method: 'GET', url: `/api/events?cameraId=${cameraId}` })).json() as { events: Array<{ id: string; type: string }> }).events;
let cameraId = '';

/** Taps on the mask canvas at fractions of the picture. */
async function tapAt(points: Array<[number, number]>) {
  const box = await page.getByTestId('mask-canvas').boundingBox();
  if (!box) throw new Error('mask canvas not shown');
  for (const [x, y] of points) await page.mouse.click(box.x + x * box.width, box.y + y * box.height);
}

/** Lets a crossing happen on the camera, then as many quiet frames as an episode needs to end. */
async function crossAndSettle(id: string) {
  await s.sim.cross('home', 3);
  const frames = s.h.framesOf(id);
  const enough = Math.ceil((s.h.config.motion.endAfterSec + 2) * s.h.config.motion.fps);
  await waitFor('quiet frames after the crossing', () => s.h.framesOf(id) >= frames + enough, 60_000);
}

t.test('register through ONVIF: test connection shows the live snapshot; an ignore zone drawn on it; consent', async (t) => {
  await signIn(page, household.username, household.password);
  await page.locator('.household').waitFor();
  await page.locator('a.button[href="#/household/new"]').click();
  await page.locator('input[name=name]').fill('Sân nhà');
  await page.locator('input[name=host]').fill('127.0.0.1');
  await page.locator('input[name=port]').fill(String(onvif.port));
  await page.locator('input[name=username]').fill('admin');
  await page.locator('input[name=password]').fill(PASSWORD);
  await page.getByRole('button', { name: 'Thử kết nối' }).click();
  const snap = page.locator('.tested .mask-editor img');
  await snap.waitFor({ timeout: 30_000 });
  await waitFor('the live snapshot decoded', () => imageLoaded(snap, 100), 10_000);
  // The simulator's walker fills rows 0.45..0.85 across the whole width: ignore everything below 0.3.
  await page.getByLabel('Bỏ qua chuyển động').check();
  await tapAt([[0.01, 0.3], [0.99, 0.3], [0.99, 0.99], [0.01, 0.99]]);
  await page.getByRole('button', { name: 'Xong vùng' }).click();
  t.equal(await page.locator('.mask-list li').count(), 1, 'one area drawn');
  await page.locator('input[name=shareWithOfficers]').check();
  await screenshots(t, page, 'household-register');
  await page.getByRole('button', { name: 'Lưu camera' }).click();
  await page.locator('.camera-page').waitFor({ timeout: 30_000 });
  cameraId = (await page.locator('.camera-page').getAttribute('data-camera-id')) ?? '';
  const cam = (await s.h.inject({ method: 'GET', url: `/api/cameras/${cameraId}` })).json() as { camera: Record<string, unknown> & { motion: { masks: Array<{ kind: string; points: number[][] }> } } };
  t.match(cam.camera, { name: 'Sân nhà', householdId: 'ho-17', kind: 'household', shareWithOfficers: true, policeMayView: false, hasCredentials: true });
  t.equal(cam.camera.motion.masks.length, 1);
  t.equal(cam.camera.motion.masks[0]?.kind, 'ignore');
  const ys = cam.camera.motion.masks[0]?.points.map((p) => p[1] as number) ?? [];
  t.ok(Math.min(...ys) > 0.25 && Math.min(...ys) < 0.35 && Math.max(...ys) > 0.95, `the zone covers the lower part (${ys.join(', ')})`);
});

t.test('motion inside the drawn zone raises nothing; without the zone the same crossing does', async (t) => {
  await waitFor('the new camera analysing', () => s.h.framesOf(cameraId) >= 15, 60_000);
  await crossAndSettle(cameraId);
  t.same(await eventsOf(cameraId), [], 'no event from motion inside the ignore zone');

  const pid = s.h.service.supervisor.stats().find((x) => x.cameraId === cameraId)?.pid;
  await page.locator('.mask-list button').click();
  await page.getByRole('button', { name: 'Lưu vùng' }).click();
  await page.getByText('Đã lưu vùng.').waitFor();
  await waitFor('the stream restarted without the zone', () => {
    const st = s.h.service.supervisor.stats().find((x) => x.cameraId === cameraId);
    return st && st.pid !== pid && st.framesAnalysed >= 15;
  }, 60_000);
  await s.sim.cross('home', 3);
  const [ev] = await waitFor('an event once the zone is gone', async () => { const e = await eventsOf(cameraId); return e.length > 0 && e; }, 30_000);
  t.equal(ev?.type, 'motion', 'the same crossing raises an event once the zone is removed');
  await page.goto('/#/household');
  const row = page.locator(`.events li[data-event-id="${ev?.id}"]`);
  await row.waitFor();
  await waitFor('its thumbnail', () => imageLoaded(row.locator('img.thumb')), 10_000);
  await screenshots(t, page, 'household');
});

t.test('another household’s camera page shows nothing of it', async (t) => {
  await page.goto('/#/camera/neighbour');
  await page.getByRole('heading', { name: 'Không tìm thấy camera' }).waitFor();
  t.notMatch(await page.locator('main').textContent(), /Nhà hàng xóm/);
  t.equal(await page.evaluate(() => fetch('/api/cameras/neighbour').then((r) => r.status)), 404, 'the API answers 404 to the page too');
  await page.goto(`/#/camera/${cameraId}`);
  await page.locator('.camera-page').waitFor();
  await screenshots(t, page, 'household-camera');
});
