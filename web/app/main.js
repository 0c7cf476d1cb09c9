// The dashboard: sign-in, then the view of the account's role, chosen by the URL's hash
// (#/officer, #/household, #/household/new, #/camera/<id>, #/police). Language: Vietnamese by default.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { html } from './html.js';
import { api, setApiLanguage } from './api.js';
import { CameraForm } from './camera-form.js';
import { CameraPage } from './camera-page.js';
import { HouseholdView } from './household.js';
import { currentLanguage, loadLanguage, storedLanguage, t } from './i18n.js';
import { Login } from './login.js';
import { OfficerView } from './officer.js';
import { PoliceView } from './police.js';

const HOME = { officer: 'officer', household: 'household', police: 'police', admin: 'officer' };
const VIEWS = { officer: ['officer', 'admin'], household: ['household', 'admin'], police: ['police', 'admin'] };

function useHash() {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Page({ user, hash }) {
  const [, view, arg] = /^#\/([a-z]+)(?:\/(.+))?$/.exec(hash) ?? [];
  if (view === 'camera' && arg) return html`<${CameraPage} id=${decodeURIComponent(arg)} />`;
  if (view === 'household' && arg === 'new' && VIEWS.household.includes(user.role)) return html`<${CameraForm} />`;
  const target = VIEWS[view]?.includes(user.role) ? view : HOME[user.role];
  if (target === 'officer') return html`<${OfficerView} user=${user} />`;
  if (target === 'household') return html`<${HouseholdView} />`;
  return html`<${PoliceView} />`;
}

function Header({ user, lang, onLanguage, onSignOut }) {
  const other = lang === 'vi' ? 'en' : 'vi';
  const links = Object.keys(VIEWS).filter((v) => user && VIEWS[v].includes(user.role));
  return html`<header class="top">
    <h1><a href="#/">${t('app.title')}</a></h1>
    <nav>
      ${links.length > 1 && links.map((v) => html`<a href=${`#/${v}`}>${t(`nav.${v}`)}</a>`)}
      <button type="button" class="link-button" lang=${other} onClick=${() => onLanguage(other)}>${t('app.otherLanguage')}</button>
      ${user && html`<span class="who">${user.username} · ${t(`role.${user.role}`)}</span>
        <button type="button" class="link-button" onClick=${onSignOut}>${t('login.signOut')}</button>`}
    </nav>
  </header>`;
}

function App() {
  const [user, setUser] = useState(undefined);
  const [lang, setLang] = useState(null);
  const hash = useHash();
  const changeLanguage = async (l) => {
    await loadLanguage(l);
    setApiLanguage(l);
    setLang(l);
  };
  useEffect(() => {
    changeLanguage(storedLanguage()).then(() => api('GET', '/api/auth/me')).then((r) => setUser(r.user), () => setUser(null));
    const out = () => setUser(null);
    addEventListener('mt-signed-out', out);
    return () => removeEventListener('mt-signed-out', out);
  }, []);
  const signOut = async () => {
    await api('POST', '/api/auth/logout').catch(() => {});
    setUser(null);
    location.hash = '';
  };
  if (!lang || user === undefined) return html`<p class="loading">Mắt Thần…</p>`;
  return html`<${Header} user=${user} lang=${currentLanguage()} onLanguage=${changeLanguage} onSignOut=${signOut} />
    <main>${user ? html`<${Page} user=${user} hash=${hash} />` : html`<${Login} onSignedIn=${setUser} />`}</main>`;
}

render(html`<${App} />`, document.getElementById('app'));
