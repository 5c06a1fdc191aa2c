/**
 * @module price-list-feed-repository
 * E5 the secret feed tokens of price lists (migration 0025): one per price list, stored as a
 * SHA-256 hash with a short prefix for display; replaced when regenerated, deleted when revoked.
 */
import type { Clock } from '../../core/clock.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';

export interface FeedInfo {
  priceListId: number;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

export class PriceListFeedRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Stores a new token hash for the list, replacing the previous token (which stops working at once). */
  async replace(priceListId: number, tokenHash: string, prefix: string): Promise<FeedInfo> {
    const at = nowIso(this.clock);
    await this.db
      .insertInto('priceListFeeds')
      .values({ priceListId, tokenHash, prefix, createdAt: at, lastUsedAt: null })
      .onConflict((oc) => oc.column('priceListId').doUpdateSet({ tokenHash, prefix, createdAt: at, lastUsedAt: null }))
      .execute();
    return { priceListId, prefix, createdAt: at, lastUsedAt: null };
  }

  /** Revokes the list's token; false when it had none. */
  async delete(priceListId: number): Promise<boolean> {
    const res = await this.db.deleteFrom('priceListFeeds').where('priceListId', '=', priceListId).executeTakeFirst();
    return Number(res.numDeletedRows) > 0;
  }

  async find(priceListId: number): Promise<FeedInfo | null> {
    const row = await this.db.selectFrom('priceListFeeds').select(['priceListId', 'prefix', 'createdAt', 'lastUsedAt']).where('priceListId', '=', priceListId).executeTakeFirst();
    return row ? { ...row, priceListId: Number(row.priceListId) } : null;
  }

  /** The price list a token hash opens, or null; stamps `last_used_at` at most once a minute. */
  async resolve(tokenHash: string): Promise<number | null> {
    const row = await this.db.selectFrom('priceListFeeds').select(['priceListId', 'lastUsedAt']).where('tokenHash', '=', tokenHash).executeTakeFirst();
    if (!row) return null;
    const now = this.clock.nowMs();
    if (!row.lastUsedAt || now - Date.parse(row.lastUsedAt) > 60_000) {
      await this.db.updateTable('priceListFeeds').set({ lastUsedAt: new Date(now).toISOString() }).where('priceListId', '=', row.priceListId).execute();
    }
    return Number(row.priceListId);
  }
}
