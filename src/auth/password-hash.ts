// Passwords as scrypt hashes (node:crypto, no native dependency): `scrypt$N$r$p$salt$hash`, base64url.
// The parameters travel with each hash, so they can be raised later without invalidating old ones.

import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { MatThanError } from '../errors.js';

const N = 2 ** 15;
const R = 8;
const P = 1;
const KEY_LEN = 32;
/** scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is just too small for N = 2^15. */
const MAX_MEM = 64 * 1024 * 1024;

export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 256;

function derive(password: string, salt: Buffer, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password.normalize('NFC'), salt, KEY_LEN, { ...opts, maxmem: MAX_MEM }, (err, key) => (err ? reject(err) : resolve(key))));
}

/** Refuses passwords too short to resist guessing, or long enough to be a denial of service. */
export function checkPasswordStrength(password: string): void {
  const length = [...password].length;
  if (length < PASSWORD_MIN || length > PASSWORD_MAX) throw new MatThanError('PASSWORD_WEAK');
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P });
  return ['scrypt', N, R, P, salt.toString('base64url'), key.toString('base64url')].join('$');
}

/** False for a wrong password and for a hash this module did not write. Constant time in the key comparison. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![n, r, p].every((v) => Number.isInteger(v) && v > 0) || n > 2 ** 20) return false;
  const expected = Buffer.from(parts[5] as string, 'base64url');
  if (expected.length !== KEY_LEN || [...password].length > PASSWORD_MAX) return false;
  const key = await derive(password, Buffer.from(parts[4] as string, 'base64url'), { N: n, r, p });
  return timingSafeEqual(key, expected);
}

/** A hash of nothing anyone knows: unknown usernames are checked against it so they take as long as known ones. */
export const DUMMY_HASH = `scrypt$${N}$${R}$${P}$${'A'.repeat(22)}$${'A'.repeat(43)}`;
