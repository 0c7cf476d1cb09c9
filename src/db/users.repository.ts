// SQL for accounts (users) and their bearer tokens (sessions); no decisions here (auth/accounts.ts makes them).

import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Db } from './database.js';
import type { SessionsTable, UsersTable } from './schema.js';

export type UserRow = Selectable<UsersTable>;
export type NewUserRow = Insertable<UsersTable>;

export class UsersRepository {
  constructor(private readonly db: Db) {}

  async insert(row: NewUserRow): Promise<void> {
    await this.db.insertInto('users').values(row).execute();
  }

  async findByUsername(username: string): Promise<UserRow | undefined> {
    return this.db.selectFrom('users').selectAll().where('username', '=', username).executeTakeFirst();
  }

  async list(): Promise<UserRow[]> {
    return this.db.selectFrom('users').selectAll().orderBy('username').execute();
  }

  async update(id: string, patch: Updateable<Omit<UsersTable, 'id' | 'created_at'>>): Promise<boolean> {
    const r = await this.db.updateTable('users').set(patch).where('id', '=', id).executeTakeFirst();
    return r.numUpdatedRows > 0n;
  }

  /** Counts a failed sign-in; returns the new count. */
  async addFailedLogin(id: string, at: number): Promise<number> {
    const r = await this.db.updateTable('users').set((eb) => ({ failed_logins: eb('failed_logins', '+', 1), updated_at: at }))
      .where('id', '=', id).returning('failed_logins').executeTakeFirst();
    return r?.failed_logins ?? 0;
  }

  /** Whether an enabled admin exists (other than `exceptId`, when given). */
  async hasEnabledAdmin(exceptId?: string): Promise<boolean> {
    let q = this.db.selectFrom('users').select('id').where('role', '=', 'admin').where('disabled', '=', 0);
    if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
    return (await q.executeTakeFirst()) !== undefined;
  }

  async addSession(row: Insertable<SessionsTable>): Promise<void> {
    await this.db.insertInto('sessions').values(row).execute();
  }

  /** The user behind a token hash, if the token has not expired and the account is enabled. */
  async userOfSession(tokenHash: string, now: number): Promise<UserRow | undefined> {
    return this.db.selectFrom('sessions').innerJoin('users', 'users.id', 'sessions.user_id').selectAll('users')
      .where('sessions.token_hash', '=', tokenHash).where('sessions.expires_at', '>', now).where('users.disabled', '=', 0)
      .executeTakeFirst();
  }

  async deleteSession(tokenHash: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('token_hash', '=', tokenHash).execute();
  }

  /** Signs the user out everywhere (password changed, account disabled). */
  async deleteSessionsOf(userId: string): Promise<void> {
    await this.db.deleteFrom('sessions').where('user_id', '=', userId).execute();
  }

  async deleteExpiredSessions(now: number): Promise<void> {
    await this.db.deleteFrom('sessions').where('expires_at', '<=', now).execute();
  }
}
