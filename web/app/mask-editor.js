// Drawing privacy masks and ignore zones on a snapshot: tap the corners of an area, then "finish".
// Points are fractions of the frame (0..1), as the service stores them; works with a finger or a mouse.
import { useState } from 'preact/hooks';
import { html } from './html.js';
import { t } from './i18n.js';

const MAX_MASKS = 32;
const MAX_POINTS = 64;
const round = (v) => Math.round(Math.min(1, Math.max(0, v)) * 10000) / 10000;
const pointsAttr = (pts) => pts.map(([x, y]) => `${x},${y}`).join(' ');

export function MaskEditor({ image, width = 16, height = 9, masks, onChange }) {
  const [kind, setKind] = useState('privacy');
  const [draft, setDraft] = useState([]);
  const tap = (e) => {
    const r = e.currentTarget.getBoundingClientRect();
    if (draft.length >= MAX_POINTS) return;
    setDraft([...draft, [round((e.clientX - r.left) / r.width), round((e.clientY - r.top) / r.height)]]);
  };
  const finish = () => {
    if (draft.length < 3 || masks.length >= MAX_MASKS) return;
    onChange([...masks, { kind, points: draft }]);
    setDraft([]);
  };
  return html`<div class="mask-editor">
    <div class="frame" style=${`aspect-ratio: ${width} / ${height}`}>
      ${image ? html`<img src=${image} alt=${t('mask.snapshot')} />` : html`<div class="no-picture">${t('mask.noPicture')}</div>`}
      <svg viewBox="0 0 1 1" preserveAspectRatio="none" onClick=${tap} data-testid="mask-canvas">
        ${masks.map((m) => html`<polygon class=${`mask ${m.kind}`} points=${pointsAttr(m.points)} />`)}
        ${draft.length > 0 && html`<polyline class=${`draft ${kind}`} points=${pointsAttr(draft.length > 2 ? [...draft, draft[0]] : draft)} />`}
        ${draft.map(([x, y]) => html`<circle class="vertex" cx=${x} cy=${y} r="0.012" />`)}
      </svg>
    </div>
    <p class="hint">${t('mask.hint')}</p>
    <div class="row">
      <label><input type="radio" name="mask-kind" checked=${kind === 'privacy'} onChange=${() => setKind('privacy')} /> ${t('mask.privacy')}</label>
      <label><input type="radio" name="mask-kind" checked=${kind === 'ignore'} onChange=${() => setKind('ignore')} /> ${t('mask.ignore')}</label>
    </div>
    <div class="row">
      <button type="button" onClick=${finish} disabled=${draft.length < 3}>${t('mask.finish')}</button>
      <button type="button" class="secondary" onClick=${() => setDraft(draft.slice(0, -1))} disabled=${!draft.length}>${t('mask.undo')}</button>
    </div>
    <ul class="mask-list">${masks.map((m, i) => html`<li>
      ${t(`mask.${m.kind}`)} · ${t('mask.points', { n: m.points.length })}
      <button type="button" class="secondary small" onClick=${() => onChange(masks.filter((_, j) => j !== i))}>${t('mask.remove')}</button>
    </li>`)}</ul>
  </div>`;
}
