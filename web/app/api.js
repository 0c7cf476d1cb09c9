// The one way the pages talk to the service: same-origin fetch with the session cookie. Writes carry
// `x-matthan-request: 1`, which a cross-site form cannot send (CSRF); errors keep the server's stable code.

let language = 'vi';

export function setApiLanguage(lang) {
  language = lang;
}

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export async function api(method, path, body) {
  const headers = { accept: 'application/json', 'accept-language': language };
  if (method !== 'GET') headers['x-matthan-request'] = '1';
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(path, { method, headers, credentials: 'same-origin', body: body === undefined ? undefined : JSON.stringify(body) });
  if (res.status === 204) return null;
  const data = await res.json().catch(() => null);
  if (!res.ok) {
    const err = new ApiError(res.status, data?.error?.code ?? `HTTP_${res.status}`, data?.error?.message ?? res.statusText);
    if (res.status === 401) window.dispatchEvent(new CustomEvent('mt-signed-out'));
    throw err;
  }
  return data;
}

/** A query string from the given values, leaving out empty ones. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The server builds absolute image URLs from its public address; the browser may know it by another name. */
export function localUrl(url, reason) {
  if (!url) return null;
  const u = new URL(url, location.href);
  if (reason) u.searchParams.set('reason', reason);
  return u.pathname + u.search;
}
