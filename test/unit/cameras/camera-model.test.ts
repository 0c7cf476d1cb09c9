import t from 'tap';
import { injectCredentials, newCameraId, slugify, splitCredentials } from '../../../src/cameras/camera-model.js';
import { Limiter } from '../../../src/cameras/limiter.js';

t.test('ids from names', async (t) => {
  t.equal(slugify('Cổng làng số 2'), 'cong-lang-so-2');
  t.equal(slugify('Đường Đê  / Nhà văn hoá'), 'duong-de-nha-van-hoa');
  t.equal(slugify('!!!'), '');
  t.ok(slugify('x'.repeat(100)).length <= 48);
  t.equal(newCameraId('Ngõ 3', () => false), 'ngo-3');
  t.match(newCameraId('Ngõ 3', (id) => id === 'ngo-3'), /^ngo-3-[0-9a-f]{6}$/);
  t.match(newCameraId('???', () => false), /^cam-[0-9a-f]{6}$/);
  t.match(newCameraId('Ngõ 3', () => false, true), /^ngo-3-[0-9a-f]{6}$/, 'always suffixed: free or taken look alike');
  const seen = new Set<string>();
  t.match(newCameraId('Ngõ 3', (id) => { seen.add(id); return seen.size < 3; }, true), /^ngo-3-[0-9a-f]{6}$/, 'drawn again while taken');
  t.equal(seen.size, 3);
});

t.test('credentials split out of an RTSP URL and put back', async (t) => {
  const { url, credentials } = splitCredentials('rtsp://ad%40min:p%3Ass@10.0.0.5:554/s1');
  t.equal(url, 'rtsp://10.0.0.5:554/s1');
  t.same(credentials, { username: 'ad@min', password: 'p:ss' });
  t.equal(injectCredentials(url, credentials), 'rtsp://ad%40min:p%3Ass@10.0.0.5:554/s1');
  t.same(splitCredentials('rtsp://10.0.0.5/s1'), { url: 'rtsp://10.0.0.5/s1', credentials: null });
  t.equal(injectCredentials('rtsp://h/s', null), 'rtsp://h/s');
});

t.test('the limiter never runs more than its cap, and runs everything', async (t) => {
  const limiter = new Limiter(3);
  let active = 0;
  let peak = 0;
  const gates: Array<() => void> = [];
  const runs = Array.from({ length: 10 }, (_, i) => limiter.run(async () => {
    active++;
    peak = Math.max(peak, active);
    await new Promise<void>((r) => gates.push(r));
    active--;
    return i;
  }));
  // Release tasks one by one as they arrive; each release lets exactly one waiter in.
  let released = 0;
  while (released < 10) {
    await new Promise((r) => setImmediate(r));
    const g = gates.shift();
    if (g) { g(); released++; }
  }
  t.same(await Promise.all(runs), [...Array(10).keys()]);
  t.equal(peak, 3);
  t.equal(limiter.active, 0);
  t.throws(() => new Limiter(0));
});
