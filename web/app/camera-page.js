// One of the household's cameras: status, sharing consent and masks (drawn over its latest snapshot,
// or a fresh one taken with the camera's password), and its events. Another household's camera is
// "not found": the service answers 404 and the page shows nothing of it.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, localUrl } from './api.js';
import { ConsentFields } from './camera-form.js';
import { EventList } from './household.js';
import { t } from './i18n.js';
import { MaskEditor } from './mask-editor.js';
import { cameraState, ErrorBox, StatusBadge } from './ui.js';

function useSnapshot(camera) {
  const [snap, setSnap] = useState(null);
  useEffect(() => {
    if (!camera) return;
    api('GET', `/api/events?cameraId=${encodeURIComponent(camera.id)}&type=motion&limit=1`)
      .then((r) => r.events[0]?.snapshotUrl && setSnap({ src: localUrl(r.events[0].snapshotUrl) }), () => {});
  }, [camera?.id]);
  return [snap, setSnap];
}

function FreshSnapshot({ camera, onSnapshot }) {
  const [password, setPassword] = useState('');
  const [username, setUsername] = useState('');
  const [error, setError] = useState(null);
  if (!camera.onvif) return null;
  const take = async () => {
    setError(null);
    try {
      const r = await api('POST', '/api/cameras/test', { onvif: { ...camera.onvif, ...(username ? { username } : {}), ...(password ? { password } : {}) } });
      onSnapshot({ src: r.snapshot, width: r.width, height: r.height });
    } catch (err) { setError(err); }
  };
  return html`<details class="fresh"><summary>${t('camera.freshSnapshot')}</summary>
    <label class="field">${t('register.username')}<input value=${username} onInput=${(e) => setUsername(e.currentTarget.value)} autocomplete="off" /></label>
    <label class="field">${t('register.password')}<input type="password" value=${password} onInput=${(e) => setPassword(e.currentTarget.value)} autocomplete="current-password" /></label>
    <button type="button" onClick=${take}>${t('register.test')}</button>
    <${ErrorBox} error=${error} />
  </details>`;
}

export function CameraPage({ id }) {
  const [camera, setCamera] = useState(null);
  const [error, setError] = useState(null);
  const [masks, setMasks] = useState([]);
  const [saved, setSaved] = useState(null);
  const [snap, setSnap] = useSnapshot(camera);
  useEffect(() => {
    setCamera(null);
    setError(null);
    api('GET', `/api/cameras/${encodeURIComponent(id)}`).then((r) => { setCamera(r.camera); setMasks(r.camera.motion?.masks ?? []); }, setError);
  }, [id]);
  if (error?.status === 404) return html`<section class="not-found"><h2>${t('camera.notFound')}</h2><p>${t('camera.notFoundHint')}</p><a href="#/household">${t('nav.household')}</a></section>`;
  if (error) return html`<${ErrorBox} error=${error} />`;
  if (!camera) return html`<p class="loading">${t('common.loading')}</p>`;
  const patch = async (body, what) => {
    setSaved(null);
    try {
      const r = await api('PATCH', `/api/cameras/${encodeURIComponent(id)}`, body);
      setCamera(r.camera);
      setSaved(what);
    } catch (err) { setError(err); }
  };
  const consent = { shareWithOfficers: camera.shareWithOfficers, policeMayView: camera.policeMayView };
  return html`<div class="camera-page" data-camera-id=${camera.id}>
    <h2>${camera.name} <${StatusBadge} state=${cameraState(camera)} /></h2>
    <p class="muted">${t('event.zone')} ${camera.zone}${camera.location?.address ? ` · ${camera.location.address}` : ''}</p>
    <${ConsentFields} value=${consent} onChange=${(v) => patch(v, 'consent')} />
    ${saved === 'consent' && html`<p class="ok" role="status">${t('camera.saved')}</p>`}
    <section><h3>${t('mask.title')}</h3>
      <${MaskEditor} image=${snap?.src} width=${snap?.width || camera.profile?.width || 16} height=${snap?.height || camera.profile?.height || 9} masks=${masks} onChange=${setMasks} />
      <${FreshSnapshot} camera=${camera} onSnapshot=${setSnap} />
      <button type="button" onClick=${() => patch({ motion: { masks } }, 'masks')}>${t('mask.save')}</button>
      ${saved === 'masks' && html`<p class="ok" role="status">${t('mask.saved')}</p>`}
    </section>
    <section><h3>${t('household.events')}</h3><${EventList} query=${`&cameraId=${encodeURIComponent(camera.id)}`} cameras=${[camera]} /></section>
  </div>`;
}
