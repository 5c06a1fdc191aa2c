/**
 * @module deletion-check
 * B3/R15: products and variants that a MoySklad DELETE webhook named are checked BY ID against
 * MoySklad before anything is marked deleted — a notification is only a hint (it can be late, out
 * of order, or about ids this account never had). Same lookup as the full pass's deletion check:
 * `entity/<type>?filter=id=…;id=…;archived=true;archived=false` in batches of at most 80 ids (the URL
 * stays short; archived rows count as present). Only ids that are live rows of THIS account's product
 * directory are asked about; those MoySklad does not return get the full pass's deletion:
 * `products.deleted = 1` with `updated_at` = now (so the next stock run of every price list drops
 * their rows, exactly as after the nightly pass), and their data-quality issues go.
 */
import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { MoySkladClient } from '../../moysklad/client.js';
import { listOf } from '../../moysklad/schemas/list.js';
import { chunk } from '../../store/database.js';
import { ProductRepository } from '../../store/repositories/product-repository.js';
import type { Database } from '../../store/schema.js';

/** The MoySklad lists a deletion can be about (the product directory holds both). */
export type DeletableType = 'product' | 'variant';
export const DELETABLE_TYPES: readonly DeletableType[] = ['product', 'variant'];

/** MoySklad ids per list, as DELETE events named them. */
export type DeletionCandidates = Record<DeletableType, string[]>;

export interface DeletionCheckDeps {
  db: Kysely<Database>;
  clock: Clock;
}

export interface DeletionCheckTarget {
  msAccountId: number;
  client: MoySkladClient;
}

export interface DeletionCheckOptions {
  /** Ids per lookup (default and maximum 80, as the full pass). */
  batch?: number;
  signal?: AbortSignal;
}

export interface DeletionCheckResult {
  /** Distinct ids the events named. */
  named: number;
  /** Of those, not a live product of this account (unknown, another account's, already deleted): nothing asked, nothing done. */
  notLocal: number;
  /** Asked MoySklad about. */
  checked: number;
  /** MoySklad still returned them (re-created, restored, a stale event): kept. */
  stillPresent: number;
  /** Marked deleted. */
  deleted: string[];
  /** Lookups made (one per batch). */
  lookups: number;
}

export const MAX_DELETION_BATCH = 80;
const ALL_ARCHIVE_STATES = 'archived=true;archived=false';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const idRowSchema = listOf(z.looseObject({ id: z.string() }));

/** The MoySklad id at the end of an entity href (`…/entity/product/<uuid>`), or undefined when it is not one. */
export function entityIdOfHref(href: string, type: string): string | undefined {
  let path: string;
  try {
    path = new URL(href).pathname;
  } catch {
    return undefined;
  }
  const segs = path.split('/').filter(Boolean);
  const id = segs[segs.length - 1];
  if (segs[segs.length - 2] !== type || !id || !UUID.test(id)) return undefined;
  return id.toLowerCase();
}

export const emptyCandidates = (): DeletionCandidates => ({ product: [], variant: [] });

/**
 * Checks the named ids against MoySklad and marks those it no longer has deleted. Throws only when
 * MoySklad cannot be asked (the caller's job is then retried; nothing was marked for that batch).
 */
export async function checkDeletedItems(
  deps: DeletionCheckDeps,
  target: DeletionCheckTarget,
  candidates: DeletionCandidates,
  options: DeletionCheckOptions = {},
): Promise<DeletionCheckResult> {
  const batch = Math.max(1, Math.min(options.batch ?? MAX_DELETION_BATCH, MAX_DELETION_BATCH));
  const result: DeletionCheckResult = { named: 0, notLocal: 0, checked: 0, stillPresent: 0, deleted: [], lookups: 0 };
  const seen = new Set<string>();
  const gone: string[] = [];
  for (const type of DELETABLE_TYPES) {
    const named = [...new Set(candidates[type].map((id) => id.toLowerCase()))].filter((id) => UUID.test(id) && !seen.has(id));
    for (const id of named) seen.add(id);
    result.named += named.length;
    const local = await new ProductRepository(deps.db, deps.clock).liveMsIds(target.msAccountId, named);
    result.notLocal += named.length - local.length;
    for (const ids of chunk(local, batch)) {
      options.signal?.throwIfAborted();
      const filter = `${ids.map((id) => `id=${id}`).join(';')};${ALL_ARCHIVE_STATES}`;
      const page = await target.client.get(`entity/${type}`, idRowSchema, { filter, limit: 1000 }, options.signal);
      result.lookups += 1;
      result.checked += ids.length;
      const present = new Set(page.rows.map((r) => r.id.toLowerCase()));
      for (const id of ids) {
        if (present.has(id)) result.stillPresent += 1;
        else gone.push(id);
      }
    }
  }
  result.deleted = await markProductsDeleted(deps, target.msAccountId, gone);
  return result;
}

/**
 * The one way products leave the store (R19): deleted = 1, updated_at = now; their data-quality issues go
 * (`ProductRepository.markDeleted`). Used by the full pass for what it did not see and by this check;
 * returns the ids it marked.
 */
export function markProductsDeleted(deps: DeletionCheckDeps, msAccountId: number, ids: readonly string[]): Promise<string[]> {
  return new ProductRepository(deps.db, deps.clock).markDeleted(msAccountId, ids);
}
