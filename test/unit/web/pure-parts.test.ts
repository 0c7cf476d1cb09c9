// The dashboard's pure parts: where cameras go on the village plan, and the officer's alert list.

import t from 'tap';

// Browser modules, not part of the TypeScript project: loaded by URL.
interface Cam { id: string; zone: string; location: { lat: number | null; lon: number | null } }
interface Point { camera: Cam; x: number; y: number; unplaced?: boolean }
const { planLayout } = (await import(new URL('../../../web/app/plan-layout.js', import.meta.url).href)) as {
  planLayout: (c: Cam[], o: { width: number; height: number }) => { points: Point[]; zones: Array<{ zone: string; x: number; y: number; w: number; h: number }> };
};
type Alert = { event: { id: string; startedAt: string; endedAt?: string | null }; actions: unknown[]; cameraName?: string };
const { applyAlert, applyAction, MAX_ALERTS } = (await import(new URL('../../../web/app/alerts-state.js', import.meta.url).href)) as {
  applyAlert: (a: Alert[], m: { event: Alert['event']; cameraName?: string }) => Alert[];
  applyAction: (a: Alert[], act: { eventId: string; action: string }) => Alert[];
  MAX_ALERTS: number;
};

const cam = (id: string, zone: string, lat: number | null, lon: number | null): Cam => ({ id, zone, location: { lat, lon } });

t.test('plan: north up, east right, inside the drawing; no position → the bottom row', async (t) => {
  const { points, zones } = planLayout([cam('sw', 'a', 21.03, 105.85), cam('ne', 'b', 21.04, 105.86), cam('x', 'a', null, null)], { width: 360, height: 260 });
  const at = (id: string) => points.find((p) => p.camera.id === id) as Point;
  t.ok(at('ne').x > at('sw').x, 'east is right');
  t.ok(at('ne').y < at('sw').y, 'north is up');
  for (const p of points) t.ok(p.x >= 0 && p.x <= 360 && p.y >= 0 && p.y <= 260, `${p.camera.id} inside`);
  t.equal(at('x').unplaced, true);
  t.ok(at('x').y > at('sw').y, 'unplaced cameras below the placed ones');
  t.same(zones.map((z) => z.zone).sort(), ['a', 'b'], 'a box per zone of placed cameras');
  const one = planLayout([cam('only', 'a', 21, 105)], { width: 360, height: 260 }).points[0] as Point;
  t.same([one.x, one.y], [180, 130], 'a single camera in the middle');
});

t.test('alerts: new, update and end replace one card; newest first; actions attach; bounded', async (t) => {
  let a: Alert[] = [];
  a = applyAlert(a, { event: { id: 'e1', startedAt: '2026-11-30T01:00:00Z', endedAt: null }, cameraName: 'Cổng làng' });
  a = applyAlert(a, { event: { id: 'e2', startedAt: '2026-11-30T02:00:00Z', endedAt: null } });
  a = applyAlert(a, { event: { id: 'e1', startedAt: '2026-11-30T01:00:00Z', endedAt: '2026-11-30T01:00:05Z' } });
  t.same(a.map((x) => x.event.id), ['e2', 'e1']);
  t.equal(a[1]?.event.endedAt, '2026-11-30T01:00:05Z');
  t.equal(a[1]?.cameraName, 'Cổng làng', 'the name survives an end without one');
  a = applyAction(a, { eventId: 'e1', action: 'ack' });
  t.equal(a[1]?.actions.length, 1);
  for (let i = 0; i < MAX_ALERTS + 10; i++) a = applyAlert(a, { event: { id: `n${i}`, startedAt: `2026-12-01T00:00:${String(i % 60).padStart(2, '0')}.${i}Z` } });
  t.equal(a.length, MAX_ALERTS);
});
