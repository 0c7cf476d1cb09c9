// `mat-than user …` as a script would run it: the real CLI in a child process (no shell), the password
// on standard input, against the database a running service uses.

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { Accounts } from '../../src/auth/accounts.js';
import { buildConfig } from '../../src/config.js';
import { Database } from '../../src/db/database.js';
import { UsersRepository } from '../../src/db/users.repository.js';
import { createLogger } from '../../src/logger.js';

// The compiled CLI, as installed (package.json `bin`; npm test builds dist/ first).
const cli = fileURLToPath(new URL('../../dist/cli/mat-than.js', import.meta.url));
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'mt-cli-user-'));
t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));

function mt(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [cli, ...args], { env: { ...process.env, DATA_DIR: dataDir, MATTHAN_CONFIG: '' }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  child.stdin.end(stdin);
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

async function accounts() {
  const db = new Database(path.join(dataDir, 'matthan.db'));
  await db.start();
  t.teardown(() => db.close());
  return new Accounts(new UsersRepository(db.db), buildConfig({}).auth, createLogger({ level: 'silent' }));
}

t.test('add, passwd, disable, enable, list', async (t) => {
  const add = await mt(['user', 'add', '--username', 'chief', '--role', 'admin', '--password-stdin'], 'chief password 1\n');
  t.equal(add.code, 0, add.stderr);
  t.match(add.stdout, /user chief \(admin\) created/);
  const ho = await mt(['user', 'add', '--username', 'ho-17', '--role', 'household', '--household', 'ho-17', '--password-stdin'], 'household pw 17');
  t.equal(ho.code, 0, ho.stderr);

  const acc = await accounts();
  const { result } = await acc.login('chief', 'chief password 1', '127.0.0.1');
  t.ok(result.token, 'the trailing newline was not part of the password');
  t.ok(await acc.authenticate(result.token));

  t.equal((await mt(['user', 'passwd', '--username', 'chief', '--password-stdin'], 'chief password 2\n')).code, 0);
  t.equal(await acc.authenticate(result.token), null, 'passwd revokes the tokens');
  await t.rejects(acc.login('chief', 'chief password 1', '127.0.0.1'), { code: 'LOGIN_FAILED' });
  const again = (await acc.login('chief', 'chief password 2', '127.0.0.1')).result.token;

  const last = await mt(['user', 'disable', '--username', 'chief']);
  t.equal(last.code, 2, 'the last enabled admin cannot be disabled');
  t.match(last.stderr, /last enabled admin/);
  t.ok(await acc.authenticate(again), 'and its tokens still work');
  t.equal((await mt(['user', 'add', '--username', 'deputy', '--role', 'admin', '--password-stdin'], 'deputy password 1')).code, 0);
  t.equal((await mt(['user', 'disable', '--username', 'chief'])).code, 0);
  t.equal(await acc.authenticate(again), null, 'disable revokes the tokens');
  await t.rejects(acc.login('chief', 'chief password 2', '127.0.0.1'), { code: 'LOGIN_FAILED' });
  t.equal((await mt(['user', 'enable', '--username', 'chief'])).code, 0);

  const list = await mt(['user', 'list', '--json']);
  t.match(JSON.parse(list.stdout), [
    { username: 'chief', role: 'admin', disabled: false }, { username: 'deputy', role: 'admin' }, { username: 'ho-17', role: 'household', householdId: 'ho-17' },
  ]);
  t.notMatch(list.stdout, /scrypt|password/);
});

t.test('refusals: exit code 2 and a clear message', async (t) => {
  const cases: Array<[string[], string, RegExp]> = [
    [['user', 'add', '--username', 'x1', '--role', 'admin'], 'long enough pw', /--password-stdin/],
    [['user', 'add', '--username', 'x2', '--role', 'admin', '--password-stdin'], 'short', /at least|10 to 256/],
    [['user', 'add', '--username', 'x3', '--role', 'household', '--password-stdin'], 'long enough pw', /household/],
    [['user', 'add', '--username', 'chief', '--role', 'admin', '--password-stdin'], 'long enough pw', /already exists/],
    [['user', 'passwd', '--username', 'ghost', '--password-stdin'], 'long enough pw', /User not found/],
    [['user', 'frobnicate'], '', /unknown user command/],
  ];
  for (const [args, stdin, message] of cases) {
    const r = await mt(args, stdin);
    t.equal(r.code, 2, args.join(' '));
    t.match(r.stderr, message, args.join(' '));
    t.notMatch(r.stderr + r.stdout, stdin.length >= 10 ? stdin : '\u0000', 'the password is never echoed');
  }
});
