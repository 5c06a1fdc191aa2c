/**
 * @module admin-user-repository
 * The admin panel's logins (`admin_users`) as the CLI and the quick start manage them: existence
 * and password. A new password ends every session of that login.
 */
import type { Db } from '../db.js';

export class AdminUserRepository {
  constructor(private readonly db: Db) {}

  async exists(login: string): Promise<boolean> {
    const row = await this.db.selectFrom('adminUsers').select('id').where('login', '=', login).executeTakeFirst();
    return row !== undefined;
  }

  /** Sets the hash of an existing login and ends its sessions; false when there is no such login. */
  async updatePassword(login: string, passwordHash: string, at: string): Promise<boolean> {
    const res = await this.db.updateTable('adminUsers').set({ passwordHash, updatedAt: at }).where('login', '=', login).executeTakeFirst();
    if (Number(res.numUpdatedRows) === 0) return false;
    await this.db.deleteFrom('adminSessions').where('userId', 'in', this.db.selectFrom('adminUsers').select('id').where('login', '=', login)).execute();
    return true;
  }

  async create(login: string, passwordHash: string, at: string): Promise<void> {
    await this.db.insertInto('adminUsers').values({ login, passwordHash, createdAt: at, updatedAt: at }).execute();
  }
}
