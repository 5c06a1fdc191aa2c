/**
 * @module api-token-repository
 * B8: the rows of `api_tokens` (SHA-256 hashes of bearer tokens; the token itself is never stored).
 */
import type { Db } from '../db.js';

export interface ApiTokenRecord {
  id: number;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export class ApiTokenRepository {
  constructor(private readonly db: Db) {}

  async insert(values: { name: string; tokenHash: string; prefix: string; createdAt: string }): Promise<number> {
    const row = await this.db.insertInto('apiTokens').values(values).returning('id').executeTakeFirstOrThrow();
    return Number(row.id);
  }

  async list(): Promise<ApiTokenRecord[]> {
    const rows = await this.db.selectFrom('apiTokens').select(['id', 'name', 'prefix', 'createdAt', 'lastUsedAt', 'revokedAt']).orderBy('id').execute();
    return rows.map((r) => ({ ...r, id: Number(r.id) }));
  }

  /** Stamps `revoked_at` on an unrevoked token; false when there is none with that id. */
  async revoke(id: number, at: string): Promise<boolean> {
    const res = await this.db.updateTable('apiTokens').set({ revokedAt: at }).where('id', '=', id).where('revokedAt', 'is', null).executeTakeFirst();
    return Number(res.numUpdatedRows) > 0;
  }

  /** The unrevoked token with this hash. */
  async findActiveByHash(tokenHash: string): Promise<{ id: number; lastUsedAt: string | null } | null> {
    const row = await this.db.selectFrom('apiTokens').select(['id', 'lastUsedAt']).where('tokenHash', '=', tokenHash).where('revokedAt', 'is', null).executeTakeFirst();
    return row ? { id: Number(row.id), lastUsedAt: row.lastUsedAt } : null;
  }

  async stampUsed(id: number, at: string): Promise<void> {
    await this.db.updateTable('apiTokens').set({ lastUsedAt: at }).where('id', '=', id).execute();
  }
}
