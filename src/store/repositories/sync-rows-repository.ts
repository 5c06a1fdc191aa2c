/**
 * @module sync-rows-repository
 * The raw rows a sync acts on — an integration, its region and its MoySklad account (with the
 * encrypted credential the client pool decrypts) — read without the secret box.
 */
import type { Db } from '../db.js';
import type { IntegrationRow, MsAccountRow, RegionRow } from '../schema.js';

export class SyncRowsRepository {
  constructor(private readonly db: Db) {}

  async integration(id: number): Promise<IntegrationRow | undefined> {
    return this.db.selectFrom('integrations').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async region(id: number): Promise<RegionRow | undefined> {
    return this.db.selectFrom('regions').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async msAccount(id: number): Promise<MsAccountRow | undefined> {
    return this.db.selectFrom('msAccounts').selectAll().where('id', '=', id).executeTakeFirst();
  }
}
