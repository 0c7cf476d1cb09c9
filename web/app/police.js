// Police view: every search carries a case reference (the service refuses one without and audits
// each), results open with their snapshot, and the same filter exports as a zip with its manifest
// (events.json, the snapshots and SHA256SUMS), CSV or JSON.
import { useState } from 'preact/hooks';
import { html } from './html.js';
import { api, query } from './api.js';
import { EventDetail } from './event-detail.js';
import { t, vietnamLocalToIso } from './i18n.js';
import { ErrorBox, EventRow, Modal } from './ui.js';

const REASON = /^[^\p{Cc}]{3,200}$/u;
const TYPES = ['motion', 'offline', 'frozen', 'covered'];

export function PoliceView() {
  const [f, setF] = useState({ reason: '', cameraId: '', zone: '', type: '', from: '', to: '' });
  const [result, setResult] = useState(null);
  const [filter, setFilter] = useState(null);
  const [open, setOpen] = useState(null);
  const [error, setError] = useState(null);
  const [reasonMissing, setReasonMissing] = useState(false);
  const [names, setNames] = useState({});
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const filterOf = () => ({
    reason: f.reason.trim(), cameraId: f.cameraId.trim(), zone: f.zone.trim(), type: f.type,
    from: vietnamLocalToIso(f.from), to: vietnamLocalToIso(f.to),
  });
  const search = async (e, cursor) => {
    e?.preventDefault();
    const q = cursor ? filter : filterOf();
    setReasonMissing(!REASON.test(q.reason));
    if (!REASON.test(q.reason)) return;
    setError(null);
    try {
      const r = await api('GET', `/api/events${query({ ...q, limit: 25, cursor })}`);
      setFilter(q);
      // Camera names for the rows (the request carries the reason too, and is audited like the search).
      if (!cursor) api('GET', `/api/cameras${query({ reason: q.reason })}`).then((c) => setNames(Object.fromEntries(c.cameras.map((x) => [x.id, x.name]))), () => {});
      setResult(cursor ? { events: [...result.events, ...r.events], nextCursor: r.nextCursor } : r);
    } catch (err) { setError(err); }
  };
  const exportUrl = (format) => `/api/events/export${query({ ...filter, format })}`;
  return html`<div class="police">
    <form class="search" onSubmit=${search} novalidate>
      <h2>${t('police.search')}</h2>
      <label class="field"><span>${t('police.reason')} <span class="req">*</span></span>
        <input name="reason" required maxlength="200" value=${f.reason} onInput=${set('reason')} placeholder=${t('police.reasonPlaceholder')} aria-invalid=${reasonMissing} />
      </label>
      ${reasonMissing && html`<p class="error" role="alert">${t('police.reasonRequired')}</p>`}
      <div class="row">
        <label class="field">${t('police.camera')}<input name="cameraId" value=${f.cameraId} onInput=${set('cameraId')} autocapitalize="off" /></label>
        <label class="field">${t('event.zone')}<input name="zone" value=${f.zone} onInput=${set('zone')} autocapitalize="off" /></label>
      </div>
      <label class="field">${t('police.type')}<select name="type" value=${f.type} onChange=${set('type')}>
        <option value="">${t('police.anyType')}</option>${TYPES.map((ty) => html`<option value=${ty}>${t(`type.${ty}`)}</option>`)}
      </select></label>
      <div class="row">
        <label class="field">${t('police.from')}<input name="from" type="datetime-local" value=${f.from} onInput=${set('from')} /></label>
        <label class="field">${t('police.to')}<input name="to" type="datetime-local" value=${f.to} onInput=${set('to')} /></label>
      </div>
      <p class="hint">${t('police.timeZone')}</p>
      <button type="submit">${t('police.searchButton')}</button>
    </form>
    <${ErrorBox} error=${error} />
    ${result && html`<section aria-labelledby="res-h">
      <h2 id="res-h">${t('police.results', { n: result.events.length })}</h2>
      <div class="export row">
        <a class="button" href=${exportUrl('zip')} download>${t('police.exportZip')}</a>
        <a class="button secondary" href=${exportUrl('csv')} download>CSV</a>
        <a class="button secondary" href=${exportUrl('json')} download>JSON</a>
      </div>
      <p class="hint">${t('police.manifestHint')}</p>
      <ul class="events">${result.events.map((e) => html`<${EventRow} key=${e.id} event=${e} cameraName=${names[e.cameraId]} reason=${filter.reason} onOpen=${() => setOpen(e.id)} />`)}</ul>
      ${result.nextCursor && html`<button type="button" class="secondary" onClick=${() => search(null, result.nextCursor)}>${t('police.more')}</button>`}
    </section>`}
    ${open && html`<${Modal} onClose=${() => setOpen(null)}><${EventDetail} id=${open} reason=${filter.reason} cameraName=${names[result.events.find((e) => e.id === open)?.cameraId]} /></${Modal}>`}
  </div>`;
}
