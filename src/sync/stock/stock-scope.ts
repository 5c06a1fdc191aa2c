/**
 * @module stock-scope
 * C5: a price list holds only the goods of its integration's root folder subtree. The scope a run
 * used is kept in the stock cursor (the root and a key of the subtree's folder ids); when either
 * changed — the root folder was changed, or folders moved in or out of the subtree — the next
 * incremental run is a full one, so rows of goods that left the subtree go and new ones come.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { CatalogScopeRepository } from '../../store/repositories/catalog-scope-repository.js';
import type { Database } from '../../store/schema.js';

export interface StockScope {
  /** The integration's root folder; null = every folder. */
  rootFolderMsId: string | null;
  /** A key of the subtree's folder ids (null without a root). */
  key: string | null;
}

export async function stockScopeOf(db: Kysely<Database>, clock: Clock, msAccountId: number, rootFolderMsId: string | null): Promise<StockScope> {
  if (rootFolderMsId === null) return { rootFolderMsId: null, key: null };
  const ids = [...(await new CatalogScopeRepository(db, clock).subtree(msAccountId, rootFolderMsId))].sort();
  return { rootFolderMsId, key: `${ids.length}:${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16)}` };
}
