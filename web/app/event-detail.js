// One event: the full snapshot, its facts, what officers did about it, and (for officers) acknowledge
// and escalate. Police pass their case reference, which every request then carries.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, localUrl, query } from './api.js';
import { formatDate, t } from './i18n.js';
import { ErrorBox } from './ui.js';

export function ActionList({ actions }) {
  if (!actions?.length) return null;
  return html`<ul class="actions">${actions.map((a) => html`<li>
    <strong>${t(`action.${a.action}`)}</strong> · ${a.username} · <time>${formatDate(a.at)}</time>${a.note ? html` — ${a.note}` : ''}
  </li>`)}</ul>`;
}

export function AlertActions({ eventId, onDone }) {
  const [note, setNote] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const act = async (action) => {
    setBusy(true);
    setError(null);
    try {
      await api('POST', `/api/events/${eventId}/${action}`, note ? { note } : {});
      setNote('');
      onDone?.(action);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="alert-actions">
    <input type="text" maxlength="500" placeholder=${t('action.notePlaceholder')} value=${note} onInput=${(e) => setNote(e.currentTarget.value)} aria-label=${t('action.note')} />
    <button type="button" disabled=${busy} onClick=${() => act('ack')}>${t('action.ackButton')}</button>
    <button type="button" class="warn" disabled=${busy} onClick=${() => act('escalate')}>${t('action.escalateButton')}</button>
    <${ErrorBox} error=${error} />
  </div>`;
}

export function EventDetail({ id, reason, canAct, cameraName, liveActions = [] }) {
  const [event, setEvent] = useState(null);
  const [error, setError] = useState(null);
  const load = () => api('GET', `/api/events/${id}${query({ reason })}`).then((r) => setEvent(r.event), setError);
  useEffect(() => { load(); }, [id, reason, liveActions.length]);
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!event) return html`<p class="loading">${t('common.loading')}</p>`;
  const snap = localUrl(event.snapshotUrl, reason);
  return html`<article class="event-detail">
    <h2>${cameraName || event.cameraId} · ${t(`type.${event.type}`)}</h2>
    ${snap ? html`<img class="snapshot" src=${snap} alt=${t('event.snapshot')} />` : html`<p class="muted">${t('event.noSnapshot')}</p>`}
    <dl>
      <dt>${t('event.started')}</dt><dd><time datetime=${event.startedAt}>${formatDate(event.startedAt)}</time></dd>
      <dt>${t('event.endedLabel')}</dt><dd>${event.endedAt ? formatDate(event.endedAt) : t('event.ongoing')}</dd>
      <dt>${t('event.zone')}</dt><dd>${event.zone}</dd>
      <dt>${t('event.score')}</dt><dd>${event.score?.toFixed?.(3) ?? '—'}</dd>
      <dt>${t('event.sha256')}</dt><dd class="mono">${event.snapshotSha256 ?? '—'}</dd>
      <dt>${t('event.legalHold')}</dt><dd>${event.legalHold ? t('common.yes') : t('common.no')}</dd>
    </dl>
    <h3>${t('action.history')}</h3>
    ${event.actions?.length ? html`<${ActionList} actions=${event.actions} />` : html`<p class="muted">${t('action.none')}</p>`}
    ${canAct && html`<${AlertActions} eventId=${id} onDone=${load} />`}
  </article>`;
}
