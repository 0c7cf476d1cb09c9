// Accounts: creation, passwords, disabling, sign-in with lockout, and bearer tokens. Tokens are random
// and opaque; only their SHA-256 is stored, with an expiry, and every token of a user is revoked when the
// password changes or the account is disabled.

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { UserRow, UsersRepository } from '../db/users.repository.js';
import { MatThanError } from '../errors.js';
import type { Logger } from '../logger.js';
import { LoginThrottle } from './login-throttle.js';
import { DUMMY_HASH, checkPasswordStrength, hashPassword, verifyPassword } from './password-hash.js';
import { ROLES, type Role, type Viewer } from './viewer.js';

export const USERNAME = /^[a-z0-9][a-z0-9._-]{1,63}$/;
export const HOUSEHOLD_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export interface AccountsOptions {
  tokenTtlHours: number;
  maxFailedLogins: number;
  lockoutMinutes: number;
  loginAttemptsPerMinute: number;
}

export interface NewUser {
  username: string;
  role: Role;
  householdId?: string | null;
  password: string;
}

export interface PublicUser {
  id: string;
  username: string;
  role: Role;
  householdId: string | null;
  disabled: boolean;
  createdAt: string;
}

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: PublicUser;
}

export const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

export function toViewer(u: UserRow): Viewer {
  return { userId: u.id, username: u.username, role: u.role as Role, householdId: u.household_id };
}

export function toPublicUser(u: UserRow): PublicUser {
  return { id: u.id, username: u.username, role: u.role as Role, householdId: u.household_id, disabled: u.disabled === 1, createdAt: new Date(u.created_at).toISOString() };
}

export class Accounts {
  readonly #repo: UsersRepository;
  readonly #o: AccountsOptions;
  readonly #logger: Logger;
  readonly #throttle: LoginThrottle;
  readonly #now: () => number;

  constructor(repo: UsersRepository, opts: AccountsOptions, logger: Logger, now: () => number = Date.now) {
    this.#repo = repo;
    this.#o = opts;
    this.#logger = logger;
    this.#now = now;
    this.#throttle = new LoginThrottle(opts.loginAttemptsPerMinute, 60_000, now);
  }

  async create(input: NewUser): Promise<PublicUser> {
    const username = input.username.toLowerCase();
    if (!USERNAME.test(username)) throw new MatThanError('VALIDATION_FAILED', 'username must be 2-64 of a-z 0-9 . _ - (starting with a letter or digit)');
    if (!(ROLES as readonly string[]).includes(input.role)) throw new MatThanError('VALIDATION_FAILED', `role must be one of ${ROLES.join(', ')}`);
    const householdId = input.householdId ?? null;
    if ((input.role === 'household') !== (householdId !== null)) throw new MatThanError('VALIDATION_FAILED', 'a household account needs --household, and only a household account takes one');
    if (householdId !== null && !HOUSEHOLD_ID.test(householdId)) throw new MatThanError('VALIDATION_FAILED', 'household id must match ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$');
    checkPasswordStrength(input.password);
    if (await this.#repo.findByUsername(username)) throw new MatThanError('USER_EXISTS', username);
    const now = this.#now();
    const row = { id: randomUUID(), username, role: input.role, household_id: householdId, password_hash: await hashPassword(input.password), locked_until: null, created_at: now, updated_at: now };
    try {
      await this.#repo.insert(row);
    } catch (err) {
      // Two creations of one name at once: the unique index decides.
      if (await this.#repo.findByUsername(username)) throw new MatThanError('USER_EXISTS', username);
      throw err;
    }
    this.#logger.info({ username, role: input.role, householdId }, 'user created');
    return toPublicUser({ ...row, disabled: 0, failed_logins: 0 });
  }

  async list(): Promise<PublicUser[]> {
    return (await this.#repo.list()).map(toPublicUser);
  }

  /** New password: the lockout is lifted and every token of the user stops working. */
  async setPassword(username: string, password: string): Promise<void> {
    checkPasswordStrength(password);
    const user = await this.#existing(username);
    await this.#repo.update(user.id, { password_hash: await hashPassword(password), failed_logins: 0, locked_until: null, updated_at: this.#now() });
    await this.#repo.deleteSessionsOf(user.id);
    this.#logger.info({ username: user.username }, 'password changed; sessions revoked');
  }

  async setDisabled(username: string, disabled: boolean): Promise<void> {
    const user = await this.#existing(username);
    // Nobody could manage accounts over the API any more (the CLI still could).
    if (disabled && user.role === 'admin' && !(await this.#repo.hasEnabledAdmin(user.id))) {
      throw new MatThanError('VALIDATION_FAILED', 'the last enabled admin cannot be disabled');
    }
    await this.#repo.update(user.id, { disabled: disabled ? 1 : 0, updated_at: this.#now() });
    if (disabled) await this.#repo.deleteSessionsOf(user.id);
    this.#logger.info({ username: user.username, disabled }, disabled ? 'user disabled; sessions revoked' : 'user enabled');
  }

  /**
   * Checks a password. The address is throttled before any hashing; an account locks after
   * maxFailedLogins wrong passwords in a row, and while locked even the right password is refused.
   */
  async login(username: string, password: string, address: string): Promise<{ result: LoginResult; viewer: Viewer }> {
    const user = await this.#checkPassword(username, password, address);
    return { result: { ...(await this.issueToken(user)), user: toPublicUser(user) }, viewer: toViewer(user) };
  }

  /** The same checks as login (throttle, lockout) without a session: for the MQTT broker's sign-in. */
  async verify(username: string, password: string, address: string): Promise<Viewer> {
    return toViewer(await this.#checkPassword(username, password, address));
  }

  async #checkPassword(username: string, password: string, address: string): Promise<UserRow> {
    const wait = this.#throttle.take(address);
    if (wait > 0) throw new MatThanError('LOGIN_RATE_LIMITED', `retry in ${Math.ceil(wait / 1000)} s`);
    const user = await this.#repo.findByUsername(username.toLowerCase());
    const ok = await verifyPassword(password, user?.password_hash ?? DUMMY_HASH);
    const now = this.#now();
    if (!user || user.disabled === 1) throw new MatThanError('LOGIN_FAILED');
    if (user.locked_until !== null && user.locked_until > now) throw new MatThanError('LOGIN_LOCKED', `retry in ${Math.ceil((user.locked_until - now) / 60_000)} min`);
    if (!ok) {
      const failures = await this.#repo.addFailedLogin(user.id, now);
      if (failures >= this.#o.maxFailedLogins) {
        await this.#repo.update(user.id, { locked_until: now + this.#o.lockoutMinutes * 60_000, failed_logins: 0 });
        this.#logger.warn({ username: user.username, failures }, 'account locked after failed sign-ins');
        throw new MatThanError('LOGIN_LOCKED', `retry in ${this.#o.lockoutMinutes} min`);
      }
      throw new MatThanError('LOGIN_FAILED');
    }
    if (user.failed_logins > 0 || user.locked_until !== null) await this.#repo.update(user.id, { failed_logins: 0, locked_until: null });
    return user;
  }

  /** A new bearer token for the user (login; tests and the CLI may call it directly). */
  async issueToken(user: Pick<UserRow, 'id'>): Promise<{ token: string; expiresAt: string }> {
    const token = `mt_${randomBytes(32).toString('base64url')}`;
    const now = this.#now();
    const expiresAt = now + this.#o.tokenTtlHours * 3_600_000;
    await this.#repo.deleteExpiredSessions(now);
    await this.#repo.addSession({ token_hash: tokenHash(token), user_id: user.id, created_at: now, expires_at: expiresAt });
    return { token, expiresAt: new Date(expiresAt).toISOString() };
  }

  async tokenFor(username: string): Promise<string> {
    return (await this.issueToken(await this.#existing(username))).token;
  }

  /** The viewer behind a bearer token, or null (unknown, expired, revoked, or the account disabled). */
  async authenticate(token: string): Promise<Viewer | null> {
    if (token.length > 200) return null;
    const user = await this.#repo.userOfSession(tokenHash(token), this.#now());
    return user ? toViewer(user) : null;
  }

  async logout(token: string): Promise<void> {
    await this.#repo.deleteSession(tokenHash(token));
  }

  hasAdmin(): Promise<boolean> {
    return this.#repo.hasEnabledAdmin();
  }

  /** The first admin, from the environment: created only while no enabled admin exists. Never a default password. */
  async ensureAdmin(username: string, password: string | null): Promise<'exists' | 'created' | 'missing'> {
    if (await this.#repo.hasEnabledAdmin()) return 'exists';
    if (password === null) return 'missing';
    await this.create({ username, role: 'admin', password });
    return 'created';
  }

  async #existing(username: string): Promise<UserRow> {
    const user = await this.#repo.findByUsername(username.toLowerCase());
    if (!user) throw new MatThanError('USER_NOT_FOUND', username);
    return user;
  }
}
