// Household view: its own cameras (status, a link to each camera's page) and their recent events.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { EventDetail } from './event-detail.js';
import { t } from './i18n.js';
import { connectLive } from './live.js';
import { cameraState, ErrorBox, EventRow, Modal, StatusBadge } from './ui.js';

export function EventList({ query: q = '', cameras = [], reloadKey }) {
  const [events, setEvents] = useState(null);
  const [open, setOpen] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { api('GET', `/api/events?limit=20${q}`).then((r) => setEvents(r.events), setError); }, [q, reloadKey]);
  const name = (id) => cameras.find((c) => c.id === id)?.name;
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!events) return html`<p class="loading">${t('common.loading')}</p>`;
  if (!events.length) return html`<p class="muted">${t('household.noEvents')}</p>`;
  return html`<ul class="events">${events.map((e) => html`<${EventRow} key=${e.id} event=${e} cameraName=${name(e.cameraId)} onOpen=${() => setOpen(e)} />`)}</ul>
    ${open && html`<${Modal} onClose=${() => setOpen(null)}><${EventDetail} id=${open.id} cameraName=${name(open.cameraId)} /></${Modal}>`}`;
}

export function HouseholdView() {
  const [cameras, setCameras] = useState(null);
  const [error, setError] = useState(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    api('GET', '/api/cameras').then((r) => setCameras(r.cameras), setError);
    // New events of the household's cameras refresh the list (if the live feed is open to households).
    return connectLive({ onAlert: () => setTick((n) => n + 1) });
  }, []);
  return html`<div class="household">
    <section aria-labelledby="cams-h">
      <h2 id="cams-h">${t('household.cameras')}</h2>
      <${ErrorBox} error=${error} />
      ${cameras && !cameras.length && html`<p class="muted">${t('household.noCameras')}</p>`}
      <ul class="board">${(cameras ?? []).map((c) => html`<li data-camera-id=${c.id}>
        <${StatusBadge} state=${cameraState(c)} />
        <a href=${`#/camera/${encodeURIComponent(c.id)}`}><strong>${c.name}</strong></a>
        <span class="muted">${c.shareWithOfficers ? t('consent.sharedShort') : t('consent.privateShort')}</span>
      </li>`)}</ul>
      <a class="button" href="#/household/new">${t('household.add')}</a>
    </section>
    <section aria-labelledby="ev-h">
      <h2 id="ev-h">${t('household.events')}</h2>
      <${EventList} cameras=${cameras ?? []} reloadKey=${tick} />
    </section>
  </div>`;
}
