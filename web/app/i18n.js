// Message catalogues (i18n/vi.js, i18n/en.js: the same keys) and dates in the village's time zone.
// Vietnamese by default; the choice is kept on the device. Only the chosen catalogue is downloaded.

export const LANGUAGES = ['vi', 'en'];
export const TIME_ZONE = 'Asia/Ho_Chi_Minh';
let lang = 'vi';
let messages = {};

export function storedLanguage() {
  const l = localStorage.getItem('mt-lang');
  return LANGUAGES.includes(l) ? l : 'vi';
}

export async function loadLanguage(l) {
  messages = (await import(`./i18n/${l}.js`)).default;
  lang = l;
  document.documentElement.lang = l;
  localStorage.setItem('mt-lang', l);
}

export const currentLanguage = () => lang;

/** The message for key, with {name} placeholders filled in; the key itself if missing (visible, not silent). */
export function t(key, params) {
  const s = messages[key] ?? key;
  return params ? s.replace(/\{(\w+)\}/g, (_, k) => String(params[k] ?? '')) : s;
}

export function formatDate(iso) {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(lang === 'vi' ? 'vi-VN' : 'en-GB', { timeZone: TIME_ZONE, dateStyle: 'short', timeStyle: 'medium' }).format(new Date(iso));
}

/** A datetime-local value (wall clock in Vietnam, UTC+7 all year) as an ISO instant. */
export function vietnamLocalToIso(value) {
  return value ? new Date(`${value}:00+07:00`).toISOString() : '';
}
