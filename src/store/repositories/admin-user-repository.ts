/**
 * @module admin-user-repository
 * B8 admin panel logins (`admin_users`) and their server-side sessions (`admin_sessions`). The
 * session id itself never reaches the database: callers pass its SHA-256 hash. Times are ISO
 * strings (lexical order = time order).
 */
import type { Kysely } from 'kysely';
import type { Database } from '../schema.js';

export interface AdminUserRow {
  id: number;
  login: string;
  passwordHash: string;
}

export interface AdminSessionRow {
  id: number;
  userId: number;
  login: string;
  csrfToken: string;
  expiresAt: string;
}

export interface NewAdminSession {
  idHash: string;
  userId: number;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
}

export class AdminUserRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** The login with exactly this name, or undefined. */
  async findByLogin(login: string): Promise<AdminUserRow | undefined> {
    const row = await this.db.selectFrom('adminUsers').select(['id', 'login', 'passwordHash']).where('login', '=', login).executeTakeFirst();
    return row ? { id: Number(row.id), login: row.login, passwordHash: row.passwordHash } : undefined;
  }

  /**
   * Sets a login's password hash, creating the login when it does not exist. A changed password
   * ends every session of that login.
   */
  async setPasswordHash(login: string, passwordHash: string, nowIso: string): Promise<'created' | 'updated'> {
    const res = await this.db.updateTable('adminUsers').set({ passwordHash, updatedAt: nowIso }).where('login', '=', login).executeTakeFirst();
    if (Number(res.numUpdatedRows) > 0) {
      await this.db.deleteFrom('adminSessions').where('userId', 'in', this.db.selectFrom('adminUsers').select('id').where('login', '=', login)).execute();
      return 'updated';
    }
    await this.db.insertInto('adminUsers').values({ login, passwordHash, createdAt: nowIso, updatedAt: nowIso }).execute();
    return 'created';
  }

  /** Stores a new session; returns its row id. */
  async openSession(session: NewAdminSession): Promise<number> {
    const row = await this.db.insertInto('adminSessions').values(session).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  /** The session whose cookie hashes to `idHash`, with its user's login (expired or not), or undefined. */
  async sessionByHash(idHash: string): Promise<AdminSessionRow | undefined> {
    const row = await this.db
      .selectFrom('adminSessions as s')
      .innerJoin('adminUsers as u', 'u.id', 's.userId')
      .select(['s.id', 's.userId', 's.csrfToken', 's.expiresAt', 'u.login'])
      .where('s.idHash', '=', idHash)
      .executeTakeFirst();
    return row ? { id: Number(row.id), userId: Number(row.userId), login: row.login, csrfToken: row.csrfToken, expiresAt: row.expiresAt } : undefined;
  }

  async deleteSession(id: number): Promise<void> {
    await this.db.deleteFrom('adminSessions').where('id', '=', id).execute();
  }

  async deleteSessionByHash(idHash: string): Promise<void> {
    await this.db.deleteFrom('adminSessions').where('idHash', '=', idHash).execute();
  }

  /** Removes sessions that expired at or before `nowIso`; returns how many. */
  async purgeExpiredSessions(nowIso: string): Promise<number> {
    const r = await this.db.deleteFrom('adminSessions').where('expiresAt', '<=', nowIso).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
