// Pure: where each camera goes on the village plan. Coordinates are projected into the drawing
// (equirectangular is exact enough for a village), keeping the aspect; cameras without a position
// wait in a row along the bottom. Zones are the padded boxes around their cameras.

export function planLayout(cameras, { width, height, pad = 40, shelf = 40 }) {
  const placed = cameras.filter((c) => Number.isFinite(c.location?.lat) && Number.isFinite(c.location?.lon));
  const unplaced = cameras.filter((c) => !placed.includes(c));
  const lats = placed.map((c) => c.location.lat);
  const lons = placed.map((c) => c.location.lon);
  const [minLat, maxLat, minLon, maxLon] = [Math.min(...lats), Math.max(...lats), Math.min(...lons), Math.max(...lons)];
  const kx = Math.cos((((minLat + maxLat) / 2) * Math.PI) / 180); // a degree of longitude shrinks away from the equator
  const w = width - 2 * pad;
  const h = height - 2 * pad - (unplaced.length ? shelf : 0);
  const spanX = (maxLon - minLon) * kx;
  const spanY = maxLat - minLat;
  // One place (or one camera): the middle. Otherwise the largest scale that fits both spans.
  const scale = spanX < 1e-9 && spanY < 1e-9 ? 0 : Math.min(spanX > 1e-9 ? w / spanX : Infinity, spanY > 1e-9 ? h / spanY : Infinity);
  const offX = pad + (w - spanX * scale) / 2;
  const offY = pad + (h - spanY * scale) / 2;
  const points = placed.map((c) => ({
    camera: c,
    x: offX + (c.location.lon - minLon) * kx * scale,
    y: offY + (maxLat - c.location.lat) * scale,
  }));
  const step = width / (unplaced.length + 1);
  unplaced.forEach((c, i) => points.push({ camera: c, x: step * (i + 1), y: height - shelf / 2, unplaced: true }));
  return { points, zones: zoneBoxes(points.filter((p) => !p.unplaced)) };
}

function zoneBoxes(points, margin = 22) {
  const byZone = new Map();
  for (const p of points) byZone.set(p.camera.zone, [...(byZone.get(p.camera.zone) ?? []), p]);
  return [...byZone].map(([zone, ps]) => {
    const xs = ps.map((p) => p.x);
    const ys = ps.map((p) => p.y);
    return { zone, x: Math.min(...xs) - margin, y: Math.min(...ys) - margin, w: Math.max(...xs) - Math.min(...xs) + 2 * margin, h: Math.max(...ys) - Math.min(...ys) + 2 * margin };
  });
}
