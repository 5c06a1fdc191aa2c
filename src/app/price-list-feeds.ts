/**
 * @module price-list-feeds (use case)
 * E5 a price list's secret feed URL for platforms that import by URL and cannot send an
 * Authorization header: `{base}/feeds/{token}/price-list.csv` and `….json`. The token (`msf_` and
 * 256 random bits) is the only secret: shown once when generated, stored as its SHA-256 like API
 * tokens, revocable and regenerable (the old URL stops working at once). Used by the API and the
 * admin panel.
 */
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { hashToken } from '../core/token-hash.js';
import { PriceListFeedRepository, type FeedInfo } from '../store/repositories/price-list-feed-repository.js';
import type { Database } from '../store/schema.js';

export const FEED_TOKEN_PREFIX = 'msf_';

/** The URLs of a feed token (`base` is PUBLIC_BASE_URL). */
export function feedUrls(base: string, token: string): { csvUrl: string; jsonUrl: string } {
  const root = `${base.replace(/\/$/, '')}/feeds/${token}`;
  return { csvUrl: `${root}/price-list.csv`, jsonUrl: `${root}/price-list.json` };
}

export class PriceListFeedService {
  readonly #repo: PriceListFeedRepository;

  constructor(deps: { db: Kysely<Database>; clock: Clock }) {
    this.#repo = new PriceListFeedRepository(deps.db, deps.clock);
  }

  /** A new token for the list (the previous one, if any, stops working); returned once. */
  async generate(priceListId: number): Promise<{ token: string; info: FeedInfo }> {
    const token = FEED_TOKEN_PREFIX + randomBytes(32).toString('base64url');
    const info = await this.#repo.replace(priceListId, hashToken(token), token.slice(0, 10));
    return { token, info };
  }

  revoke(priceListId: number): Promise<boolean> {
    return this.#repo.delete(priceListId);
  }

  info(priceListId: number): Promise<FeedInfo | null> {
    return this.#repo.find(priceListId);
  }

  /** The price list the token opens, or null (unknown or revoked). */
  resolve(token: string): Promise<number | null> {
    return this.#repo.resolve(hashToken(token));
  }
}
