/**
 * @module settings-repository
 * Key/value settings (e.g. the secret key check value, demo flags).
 */
import type { Clock } from '../../core/clock.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';

export class SettingsRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async get(key: string): Promise<string | null> {
    const row = await this.db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
    return row?.value ?? null;
  }

  async set(key: string, value: string): Promise<void> {
    const at = nowIso(this.clock);
    await this.db
      .insertInto('settings')
      .values({ key, value, updatedAt: at })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value, updatedAt: at }))
      .execute();
  }

  async delete(key: string): Promise<void> {
    await this.db.deleteFrom('settings').where('key', '=', key).execute();
  }
}
