// Camera credentials at rest: AES-256-GCM, a fresh random 12-byte IV per value, and the camera id
// as additional data, so a ciphertext copied onto another camera's row does not decrypt there.
// Stored form: "v1." + base64url(iv ‖ tag ‖ ciphertext).

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MatThanError } from '../errors.js';

export interface Credentials {
  username: string;
  password: string;
}

const VERSION = 'v1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_BYTES = 32;

/** Accepts 32 bytes written as 64 hex digits or as base64/base64url; anything else is refused. */
export function parseSecretKey(text: string): Buffer {
  const t = text.trim();
  if (/^[0-9a-fA-F]{64}$/.test(t)) return Buffer.from(t, 'hex');
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(t)) {
    const key = Buffer.from(t, t.includes('-') || t.includes('_') ? 'base64url' : 'base64');
    if (key.length === KEY_BYTES) return key;
  }
  throw new MatThanError('SECRET_KEY_INVALID', `got ${t.length} characters; generate one with: openssl rand -base64 32`);
}

export function newSecretKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

export class CredentialCipher {
  readonly #key: Buffer;

  constructor(key: Buffer | string) {
    this.#key = typeof key === 'string' ? parseSecretKey(key) : Buffer.from(key);
    if (this.#key.length !== KEY_BYTES) throw new MatThanError('SECRET_KEY_INVALID', `got ${this.#key.length} bytes`);
  }

  encrypt(plain: string, context: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return VERSION + Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  /** Throws CREDENTIALS_UNREADABLE for a wrong key, another camera's value or any tampering. */
  decrypt(stored: string, context: string): string {
    const raw = stored.startsWith(VERSION) ? Buffer.from(stored.slice(VERSION.length), 'base64url') : null;
    if (!raw || raw.length < IV_BYTES + TAG_BYTES) throw new MatThanError('CREDENTIALS_UNREADABLE', `camera '${context}': not a stored credential`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(0, IV_BYTES));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new MatThanError('CREDENTIALS_UNREADABLE', `camera '${context}'`);
    }
  }

  encryptCredentials(creds: Credentials, cameraId: string): string {
    return this.encrypt(JSON.stringify({ u: creds.username, p: creds.password }), cameraId);
  }

  decryptCredentials(stored: string, cameraId: string): Credentials {
    const v = JSON.parse(this.decrypt(stored, cameraId)) as { u?: unknown; p?: unknown };
    return { username: String(v.u ?? ''), password: String(v.p ?? '') };
  }
}
