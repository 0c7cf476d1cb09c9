// The village plan: a drawn layout (no map tiles: nothing to download, works offline), cameras at
// their coordinates coloured by status, and each zone's box with its arming state.
import { html } from './html.js';
import { t } from './i18n.js';
import { planLayout } from './plan-layout.js';
import { cameraState } from './ui.js';

const W = 360;
const H = 260;

export function VillagePlan({ cameras, zones }) {
  const { points, zones: boxes } = planLayout(cameras, { width: W, height: H });
  const armed = new Map((zones ?? []).map((z) => [z.id, z.armed]));
  const names = new Map((zones ?? []).map((z) => [z.id, z.name || z.id]));
  const zoneLabel = (id) => `${names.get(id) ?? id}: ${armed.has(id) ? t(armed.get(id) ? 'zone.armed' : 'zone.disarmed') : t('zone.unknown')}`;
  return html`<figure class="plan">
    <svg viewBox=${`0 0 ${W} ${H}`} role="img" aria-label=${t('plan.title')}>
      <rect class="ground" x="0" y="0" width=${W} height=${H} />
      <path class="road" d=${`M0 ${H * 0.55} C ${W * 0.3} ${H * 0.45}, ${W * 0.6} ${H * 0.7}, ${W} ${H * 0.5}`} />
      <path class="road minor" d=${`M${W * 0.45} 0 L ${W * 0.5} ${H}`} />
      ${boxes.map((b) => html`<g class=${`zone ${armed.get(b.zone) ? 'armed' : 'disarmed'}`} data-zone=${b.zone}>
        <rect x=${b.x} y=${b.y} width=${b.w} height=${b.h} rx="8" />
        ${b.x + b.w / 2 > W / 2
          ? html`<text x=${b.x + b.w} y=${b.y - 4} text-anchor="end">${zoneLabel(b.zone)}</text>`
          : html`<text x=${b.x} y=${b.y - 4}>${zoneLabel(b.zone)}</text>`}
      </g>`)}
      ${points.map((p) => {
        const state = cameraState(p.camera);
        return html`<g class=${`cam s-${state}`} data-camera-id=${p.camera.id} data-state=${state}>
          <circle cx=${p.x} cy=${p.y} r="8"><title>${p.camera.name}: ${t(`status.${state}`)}</title></circle>
          ${p.x > W * 0.6
            ? html`<text x=${p.x - 11} y=${p.y + 4} text-anchor="end">${p.camera.name}</text>`
            : html`<text x=${p.x + 11} y=${p.y + 4}>${p.camera.name}</text>`}
        </g>`;
      })}
    </svg>
    <figcaption>${(zones ?? []).map((z) => html`<span class=${`zone-chip ${z.armed ? 'armed' : 'disarmed'}`}>${zoneLabel(z.id)}</span>`)}
      ${points.some((p) => p.unplaced) ? html`<span class="muted">${t('plan.unplaced')}</span>` : ''}</figcaption>
  </figure>`;
}
