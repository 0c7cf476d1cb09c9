import t from 'tap';
import { LoginThrottle } from '../../../src/auth/login-throttle.js';
import { checkPasswordStrength, hashPassword, verifyPassword } from '../../../src/auth/password-hash.js';
import { errorMessage, ErrorCodes, languageFrom } from '../../../src/errors.js';
import { csvCell, sha256sums } from '../../../src/events/history-view.js';

t.test('throttle: a window of attempts per key', async (t) => {
  let now = 0;
  const th = new LoginThrottle(2, 60_000, () => now);
  t.equal(th.take('a'), 0);
  t.equal(th.take('a'), 0);
  t.equal(th.take('a'), 60_000, 'third within the minute waits for the oldest to leave the window');
  t.equal(th.take('b'), 0, 'other keys unaffected');
  now = 60_001;
  t.equal(th.take('a'), 0);
});

t.test('scrypt hashes: salted, verified, foreign formats refused', async (t) => {
  const a = await hashPassword('correct horse battery');
  const b = await hashPassword('correct horse battery');
  t.match(a, /^scrypt\$32768\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
  t.not(a, b, 'salted');
  t.ok(await verifyPassword('correct horse battery', a));
  t.notOk(await verifyPassword('correct horse batterY', a));
  t.notOk(await verifyPassword('x', 'md5$abc'));
  t.notOk(await verifyPassword('x', 'scrypt$99999999$8$1$AAAA$AAAA'), 'absurd parameters are not run');
  t.throws(() => checkPasswordStrength('short'), { code: 'PASSWORD_WEAK' });
  t.doesNotThrow(() => checkPasswordStrength('mười ký tự đủ rồi'));
});

t.test('every error code has a Vietnamese message; Accept-Language picks it', async (t) => {
  for (const [code, e] of Object.entries(ErrorCodes)) t.ok(e.vi.length > 0 && (e.vi as string) !== e.message, code);
  t.equal(languageFrom(undefined), 'en');
  t.equal(languageFrom('vi'), 'vi');
  t.equal(languageFrom('vi-VN,vi;q=0.9,en-US;q=0.8'), 'vi');
  t.equal(languageFrom('en-US,en;q=0.9,vi;q=0.8'), 'en');
  t.equal(languageFrom('fr-FR'), 'en');
  t.equal(errorMessage('EVENT_NOT_FOUND', 'vi', 'abc'), 'Không tìm thấy sự kiện: abc');
});

t.test('csv cells and the SHA256SUMS format', async (t) => {
  t.equal(csvCell('plain'), 'plain');
  t.equal(csvCell('a,b'), '"a,b"');
  t.equal(csvCell('say "hi"'), '"say ""hi"""');
  t.equal(csvCell('=1+1'), `"'=1+1"`);
  t.equal(csvCell('@cmd'), `"'@cmd"`);
  t.equal(csvCell(-0.5), '-0.5', 'numbers are not defused');
  t.equal(csvCell(null), '');
  t.equal(sha256sums([{ path: 'a.jpg', sha256: 'ab' }]), 'ab  a.jpg\n');
});
