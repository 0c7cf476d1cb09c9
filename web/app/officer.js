// Officer view: the live alert feed (thumbnails; the full snapshot on tap), the camera status board
// and the village plan, all kept current by one live connection.
import { useEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { applyAction, applyAlert } from './alerts-state.js';
import { ActionList, EventDetail } from './event-detail.js';
import { formatDate, t } from './i18n.js';
import { connectLive } from './live.js';
import { VillagePlan } from './village-plan.js';
import { cameraState, ErrorBox, EventRow, Modal, StatusBadge } from './ui.js';

function useCameras() {
  const [cameras, setCameras] = useState([]);
  const [zones, setZones] = useState([]);
  const [error, setError] = useState(null);
  const reload = () => {
    api('GET', '/api/cameras').then((r) => setCameras(r.cameras), setError);
    api('GET', '/api/zones').then((r) => setZones(Array.isArray(r) ? r : r.zones ?? []), () => setZones([]));
  };
  return { cameras, zones, error, reload };
}

/** The latest motion start per camera among the alerts seen, for a service that does not report lastMotionAt. */
const lastMotionSeen = (alerts) => {
  const last = {};
  for (const a of alerts) if (a.event.type === 'motion' && !(last[a.event.cameraId] > a.event.startedAt)) last[a.event.cameraId] = a.event.startedAt;
  return last;
};

export function CameraBoard({ cameras, seen = {} }) {
  if (!cameras.length) return html`<p class="muted">${t('board.empty')}</p>`;
  return html`<ul class="board">${cameras.map((c) => html`<li data-camera-id=${c.id}>
    <${StatusBadge} state=${cameraState(c)} />
    <strong>${c.name}</strong>
    <span class="muted">${t('event.zone')} ${c.zone}</span>
    <span class="muted">${t('board.lastMotion')}: ${c.lastMotionAt || seen[c.id] ? formatDate(c.lastMotionAt > (seen[c.id] ?? '') ? c.lastMotionAt : seen[c.id]) : t('board.never')}</span>
  </li>`)}</ul>`;
}

export function OfficerView({ user }) {
  const [alerts, setAlerts] = useState([]);
  const [open, setOpen] = useState(null);
  const [link, setLink] = useState('connecting');
  const [error, setError] = useState(null);
  const cams = useCameras();
  const reloadTimer = useRef(null);
  const reloadSoon = () => {
    clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(cams.reload, 300);
  };

  useEffect(() => {
    cams.reload();
    api('GET', '/api/events?limit=20').then((r) => setAlerts((a) => r.events.reduceRight((acc, ev) => applyAlert(acc, { event: ev }), a)), setError);
    const close = connectLive({
      onAlert: (m) => { setAlerts((a) => applyAlert(a, m)); reloadSoon(); },
      onCamera: reloadSoon,
      onAction: (act) => setAlerts((a) => applyAction(a, act)),
      onState: setLink,
    });
    const timer = setInterval(cams.reload, 60_000);
    return () => { close(); clearInterval(timer); };
  }, []);

  const name = (id) => cams.cameras.find((c) => c.id === id)?.name;
  const opened = open && alerts.find((a) => a.event.id === open);
  return html`<div class="officer">
    <section class="feed" aria-labelledby="feed-h">
      <h2 id="feed-h">${t('officer.feed')} <span class=${`link link-${link}`}>${t(`link.${link}`)}</span></h2>
      <${ErrorBox} error=${error} />
      ${alerts.length === 0 ? html`<p class="muted">${t('officer.noAlerts')}</p>` : html`<ul class="events alerts">
        ${alerts.map((a) => html`<${EventRow} key=${a.event.id} event=${a.event} cameraName=${a.cameraName || name(a.event.cameraId)} onOpen=${() => setOpen(a.event.id)}>
          <${ActionList} actions=${a.actions} />
        </${EventRow}>`)}
      </ul>`}
    </section>
    <section aria-labelledby="board-h">
      <h2 id="board-h">${t('officer.board')}</h2>
      <${ErrorBox} error=${cams.error} />
      <${CameraBoard} cameras=${cams.cameras} seen=${lastMotionSeen(alerts)} />
    </section>
    <section aria-labelledby="plan-h">
      <h2 id="plan-h">${t('plan.title')}</h2>
      <${VillagePlan} cameras=${cams.cameras} zones=${cams.zones} />
    </section>
    ${opened && html`<${Modal} onClose=${() => setOpen(null)}>
      <${EventDetail} id=${open} canAct=${user.role === 'officer' || user.role === 'admin'} cameraName=${opened.cameraName || name(opened.event.cameraId)} liveActions=${opened.actions} />
    </${Modal}>`}
  </div>`;
}
