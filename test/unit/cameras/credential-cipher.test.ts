import { randomBytes } from 'node:crypto';
import t from 'tap';
import { CredentialCipher, newSecretKey, parseSecretKey } from '../../../src/cameras/credential-cipher.js';

const creds = { username: 'admin', password: 'S3cret-pw!' };

t.test('round trip; a fresh IV makes every ciphertext different', async (t) => {
  const c = new CredentialCipher(newSecretKey());
  const a = c.encryptCredentials(creds, 'cam1');
  const b = c.encryptCredentials(creds, 'cam1');
  t.not(a, b, 'same value, different ciphertext');
  t.notMatch(a, /admin|S3cret/, 'nothing readable');
  t.same(c.decryptCredentials(a, 'cam1'), creds);
  t.same(c.decryptCredentials(b, 'cam1'), creds);
});

t.test('a wrong key fails clearly', async (t) => {
  const stored = new CredentialCipher(newSecretKey()).encryptCredentials(creds, 'cam1');
  t.throws(() => new CredentialCipher(newSecretKey()).decryptCredentials(stored, 'cam1'), { code: 'CREDENTIALS_UNREADABLE' });
});

t.test('tampering, another camera\'s value and garbage are detected', async (t) => {
  const c = new CredentialCipher(newSecretKey());
  const stored = c.encryptCredentials(creds, 'cam1');
  const raw = Buffer.from(stored.slice(3), 'base64url');
  for (const i of [0, 13, raw.length - 1]) {
    const bad = Buffer.from(raw);
    bad[i]! ^= 1;
    t.throws(() => c.decrypt(`v1.${bad.toString('base64url')}`, 'cam1'), { code: 'CREDENTIALS_UNREADABLE' }, `flipped byte ${i}`);
  }
  t.throws(() => c.decrypt(stored, 'cam2'), { code: 'CREDENTIALS_UNREADABLE' }, 'bound to its camera');
  t.throws(() => c.decrypt('plain-text', 'cam1'), { code: 'CREDENTIALS_UNREADABLE' });
  t.throws(() => c.decrypt('v1.AAAA', 'cam1'), { code: 'CREDENTIALS_UNREADABLE' });
});

t.test('keys: 32 bytes as hex, base64 or base64url; anything else refused', async (t) => {
  const key = randomBytes(32);
  t.same(parseSecretKey(key.toString('hex')), key);
  t.same(parseSecretKey(key.toString('base64')), key);
  t.same(parseSecretKey(key.toString('base64url')), key);
  for (const bad of ['', 'short', randomBytes(16).toString('hex'), randomBytes(31).toString('base64'), randomBytes(33).toString('base64'), 'z'.repeat(64)]) {
    t.throws(() => parseSecretKey(bad), { code: 'SECRET_KEY_INVALID' }, JSON.stringify(bad));
  }
});
