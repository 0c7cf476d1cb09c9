// Small shared pieces: status badges, error boxes, event rows with their thumbnail.
import { html } from './html.js';
import { formatDate, t } from './i18n.js';
import { localUrl } from './api.js';

/** What the board shows for a camera: picture trouble first, then the stream's state. */
export function cameraState(cam) {
  if (cam.stream?.covered || cam.status === 'covered') return 'covered';
  if (cam.stream?.frozen || cam.status === 'frozen') return 'frozen';
  if (cam.status === 'online' || cam.status === 'offline') return cam.status;
  return 'error';
}

export const StatusBadge = ({ state }) => html`<span class=${`badge s-${state}`}>${t(`status.${state}`)}</span>`;

export function ErrorBox({ error }) {
  if (!error) return null;
  return html`<p class="error" role="alert">${error.message || String(error)}</p>`;
}

export const Thumb = ({ event, reason, onOpen }) => {
  const src = localUrl(event.thumbnailUrl, reason);
  const body = src
    ? html`<img class="thumb" src=${src} alt=${t('event.thumbnail')} loading="lazy" width="192" height="108" />`
    : html`<span class="thumb none">${t(`type.${event.type}`)}</span>`;
  return onOpen ? html`<button type="button" class="thumb-btn" onClick=${onOpen} aria-label=${t('event.open')}>${body}</button>` : body;
};

export function EventRow({ event, cameraName, reason, onOpen, children }) {
  return html`<li class=${`event t-${event.type}`} data-event-id=${event.id}>
    <${Thumb} event=${event} reason=${reason} onOpen=${onOpen} />
    <div class="event-text">
      <strong>${cameraName || event.cameraId}</strong>
      <span class="muted">${t(`type.${event.type}`)} · ${t('event.zone')} ${event.zone}</span>
      <time datetime=${event.startedAt}>${formatDate(event.startedAt)}</time>
      <span class="muted">${event.endedAt ? t('event.ended', { at: formatDate(event.endedAt) }) : t('event.ongoing')}</span>
      ${children}
    </div>
  </li>`;
}

export function Modal({ onClose, children }) {
  return html`<div class="modal" role="dialog" aria-modal="true" onClick=${(e) => e.target === e.currentTarget && onClose()}>
    <div class="modal-body">
      <button type="button" class="close" onClick=${onClose} aria-label=${t('common.close')}>×</button>
      ${children}
    </div>
  </div>`;
}
