// Registering a camera: its ONVIF address and credentials, "test connection" (the camera's live
// snapshot comes back), masks drawn on that snapshot, sharing consent, then save.
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { MaskEditor } from './mask-editor.js';
import { ErrorBox } from './ui.js';

const field = (label, props) => html`<label class="field">${label}<input ...${props} /></label>`;
const num = (v) => (v === '' || v === undefined ? null : Number(v));

export function ConsentFields({ value, onChange }) {
  return html`<fieldset class="consent"><legend>${t('consent.title')}</legend>
    <label><input type="checkbox" name="shareWithOfficers" checked=${value.shareWithOfficers} onChange=${(e) => onChange({ ...value, shareWithOfficers: e.currentTarget.checked })} /> ${t('consent.officers')}</label>
    <label><input type="checkbox" name="policeMayView" checked=${value.policeMayView} onChange=${(e) => onChange({ ...value, policeMayView: e.currentTarget.checked })} /> ${t('consent.police')}</label>
  </fieldset>`;
}

export function CameraForm() {
  const [f, setF] = useState({ name: '', zone: '', host: '', port: '80', username: '', password: '', address: '', lat: '', lon: '' });
  const [zones, setZones] = useState([]);
  const [tested, setTested] = useState(null);
  const [masks, setMasks] = useState([]);
  const [consent, setConsent] = useState({ shareWithOfficers: false, policeMayView: false });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState(null);
  useEffect(() => { api('GET', '/api/zones').then((r) => setZones(Array.isArray(r) ? r : r.zones ?? []), () => {}); }, []);
  const set = (k) => (e) => { setF({ ...f, [k]: e.currentTarget.value }); if (['host', 'port', 'username', 'password'].includes(k)) setTested(null); };
  const onvif = () => ({ host: f.host.trim(), port: Number(f.port) || 80, ...(f.username ? { username: f.username } : {}), ...(f.password ? { password: f.password } : {}) });
  const run = async (fn) => {
    setBusy(true);
    setError(null);
    try { await fn(); } catch (err) { setError(err); } finally { setBusy(false); }
  };
  const test = () => run(async () => setTested(await api('POST', '/api/cameras/test', { onvif: onvif() })));
  const save = (e) => {
    e.preventDefault();
    return run(async () => {
      const place = { lat: num(f.lat), lon: num(f.lon), address: f.address || null };
      const body = { name: f.name.trim(), onvif: onvif(), location: place, motion: { masks }, ...consent, ...(f.zone ? { zone: f.zone } : {}) };
      const { camera } = await api('POST', '/api/cameras', body);
      window.location.hash = `#/camera/${encodeURIComponent(camera.id)}`;
    });
  };
  return html`<form class="camera-form" onSubmit=${save}>
    <h2>${t('register.title')}</h2>
    ${field(t('register.name'), { name: 'name', required: true, maxlength: 200, value: f.name, onInput: set('name') })}
    <fieldset><legend>${t('register.onvif')}</legend>
      ${field(t('register.host'), { name: 'host', required: true, maxlength: 253, value: f.host, onInput: set('host'), autocapitalize: 'off', inputmode: 'url' })}
      ${field(t('register.port'), { name: 'port', type: 'number', min: 1, max: 65535, value: f.port, onInput: set('port') })}
      ${field(t('register.username'), { name: 'username', maxlength: 128, value: f.username, onInput: set('username'), autocomplete: 'off', autocapitalize: 'off' })}
      ${field(t('register.password'), { name: 'password', type: 'password', maxlength: 128, value: f.password, onInput: set('password'), autocomplete: 'new-password' })}
      <button type="button" onClick=${test} disabled=${busy || !f.host}>${t('register.test')}</button>
    </fieldset>
    <${ErrorBox} error=${error} />
    ${tested && html`<section class="tested">
      <p class="ok" role="status">${t('register.testOk', { model: [tested.probe?.deviceInfo?.manufacturer, tested.probe?.deviceInfo?.model].filter(Boolean).join(' ') || '—' })}</p>
      <h3>${t('mask.title')}</h3>
      <${MaskEditor} image=${tested.snapshot} width=${tested.width || 16} height=${tested.height || 9} masks=${masks} onChange=${setMasks} />
    </section>`}
    <fieldset><legend>${t('register.place')}</legend>
      <label class="field">${t('register.zone')}<select name="zone" value=${f.zone} onChange=${set('zone')}>
        <option value="">${t('register.zoneDefault')}</option>
        ${zones.map((z) => html`<option value=${z.id}>${z.id}</option>`)}
      </select></label>
      ${field(t('register.address'), { name: 'address', maxlength: 300, value: f.address, onInput: set('address') })}
      <div class="row">
        ${field(t('register.lat'), { name: 'lat', type: 'number', step: 'any', min: -90, max: 90, value: f.lat, onInput: set('lat') })}
        ${field(t('register.lon'), { name: 'lon', type: 'number', step: 'any', min: -180, max: 180, value: f.lon, onInput: set('lon') })}
      </div>
    </fieldset>
    <${ConsentFields} value=${consent} onChange=${setConsent} />
    <button type="submit" disabled=${busy || !tested}>${t('register.save')}</button>
    ${!tested && html`<p class="hint">${t('register.testFirst')}</p>`}
  </form>`;
}
