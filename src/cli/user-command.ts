// `mat-than user add|passwd|disable|enable|list`: accounts from scripts. Passwords only ever come on
// standard input (--password-stdin), never as an argument a process list would show.

import type { Role } from '../auth/viewer.js';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/database.js';
import { isMatThanError, type ErrorCode } from '../errors.js';
import { createLogger } from '../logger.js';
import { accountsFor } from '../main.js';

export interface UserArgs {
  username?: string;
  role?: string;
  household?: string;
  'password-stdin'?: boolean;
  json?: boolean;
}

export const USER_USAGE = `  user add     --username U --role admin|officer|household|police [--household H] --password-stdin
  user passwd  --username U --password-stdin     (signs the user out everywhere)
  user disable --username U                      (signs the user out everywhere)
  user enable  --username U
  user list    [--json]
`;

class UsageError extends Error {}

async function readPassword(args: UserArgs, stdin: NodeJS.ReadableStream): Promise<string> {
  if (!args['password-stdin']) throw new UsageError('give the password on standard input with --password-stdin');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > 4096) throw new UsageError('password on standard input is too long');
    chunks.push(b);
  }
  // One trailing newline is the echo's or the file's, not the password's.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

function need(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') throw new UsageError(`--${flag} is required`);
  return value;
}

/** Exit codes: 0 done, 2 bad arguments or refused input (a weak password, a taken name), 1 anything else. */
export async function userCommand(action: string | undefined, args: UserArgs, stdin: NodeJS.ReadableStream = process.stdin): Promise<number> {
  const config = loadConfig();
  const db = openDatabase(config.databaseUrl, config.dataDir);
  try {
    await db.start();
    const accounts = accountsFor(config, db, createLogger({ level: 'warn', pretty: false, destination: process.stderr }));
    if (action === 'add') {
      const user = await accounts.create({
        username: need(args.username, 'username'), role: need(args.role, 'role') as Role, householdId: args.household ?? null,
        password: await readPassword(args, stdin),
      });
      process.stdout.write(`user ${user.username} (${user.role}${user.householdId ? `, household ${user.householdId}` : ''}) created\n`);
    } else if (action === 'passwd') {
      const username = need(args.username, 'username');
      await accounts.setPassword(username, await readPassword(args, stdin));
      process.stdout.write(`password of ${username} changed; its sessions are revoked\n`);
    } else if (action === 'disable' || action === 'enable') {
      const username = need(args.username, 'username');
      await accounts.setDisabled(username, action === 'disable');
      process.stdout.write(`user ${username} ${action}d\n`);
    } else if (action === 'list') {
      const users = await accounts.list();
      process.stdout.write(args.json ? `${JSON.stringify(users, null, 2)}\n`
        : users.map((u) => `${u.username}\t${u.role}\t${u.householdId ?? '-'}\t${u.disabled ? 'disabled' : 'enabled'}\n`).join(''));
    } else {
      throw new UsageError(`unknown user command '${action ?? ''}'\n${USER_USAGE}`);
    }
    return 0;
  } catch (err) {
    process.stderr.write(`mat-than user: ${(err as Error).message}\n`);
    const refused: ErrorCode[] = ['VALIDATION_FAILED', 'PASSWORD_WEAK', 'USER_EXISTS', 'USER_NOT_FOUND'];
    return err instanceof UsageError || (isMatThanError(err) && refused.includes(err.code)) ? 2 : 1;
  } finally {
    await db.close();
  }
}
