// Sign-in. The service sets an HttpOnly session cookie; the page never sees or stores the token.
import { useState } from 'preact/hooks';
import { html } from './html.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { ErrorBox } from './ui.js';

export function Login({ onSignedIn }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api('POST', '/api/auth/login', { username, password });
      onSignedIn(r.user);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return html`<form class="login" onSubmit=${submit}>
    <h2>${t('login.title')}</h2>
    <label class="field">${t('login.username')}<input name="username" required autocomplete="username" autocapitalize="off" value=${username} onInput=${(e) => setUsername(e.currentTarget.value)} /></label>
    <label class="field">${t('login.password')}<input name="password" type="password" required autocomplete="current-password" value=${password} onInput=${(e) => setPassword(e.currentTarget.value)} /></label>
    <${ErrorBox} error=${error} />
    <button type="submit" disabled=${busy}>${t('login.submit')}</button>
  </form>`;
}
