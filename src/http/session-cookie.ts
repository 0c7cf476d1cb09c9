// The browser's session: the same opaque token as the bearer one, in an HttpOnly cookie the page's
// scripts cannot read. Pure: building and reading the Set-Cookie / Cookie headers, and the CSRF rule.

export const SESSION_COOKIE = 'mt_session';
/** Header a same-origin page sets on every write; a cross-site form or image cannot set it. */
export const CSRF_HEADER = 'x-matthan-request';

const TOKEN = /^[A-Za-z0-9._~+/=-]{1,200}$/;
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export interface CookieOptions {
  /** Seconds until the browser forgets the cookie. */
  maxAgeSec: number;
  secure: boolean;
}

export function sessionCookie(token: string, o: CookieOptions): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(o.maxAgeSec))}${o.secure ? '; Secure' : ''}`;
}

export function clearedSessionCookie(secure: boolean): string {
  return sessionCookie('', { maxAgeSec: 0, secure });
}

/** The session token from a Cookie header, or null (first mt_session wins; a malformed value is none). */
export function sessionTokenFrom(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const part of cookieHeader.slice(0, 8192).split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
    const value = part.slice(eq + 1).trim();
    return TOKEN.test(value) ? value : null;
  }
  return null;
}

/** A write authenticated by cookie must carry `x-matthan-request: 1` (a bearer token needs nothing: browsers never add one by themselves). */
export function csrfRefused(method: string, byCookie: boolean, header: string | string[] | undefined): boolean {
  return byCookie && UNSAFE.has(method.toUpperCase()) && header !== '1';
}

/** Secure cookies when the client came over https (directly or, per publicUrl, through a TLS proxy). */
export function wantsSecureCookie(protocol: string, publicUrl: string | null): boolean {
  return protocol === 'https' || (publicUrl ?? '').startsWith('https://');
}
