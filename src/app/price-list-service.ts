/**
 * @module price-list-service
 * Price lists (R11–R13) as the REST API writes them: creation in an existing region, updates, and
 * the forced stock sync (R13). R12: a sync frequency needs a bound MoySklad store — asking for one
 * without a store is refused (422 `price_list_unbound`); unbinding the store stops the schedule.
 * The rows are written by the stock sync only (`PriceListRepository`).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { NotFoundError, UnprocessableError } from '../core/errors.js';
import type { EnqueueResult, JobEnqueuer } from '../queue/types.js';
import { IntegrationRepository } from '../store/repositories/integration-repository.js';
import { PriceListRepository, type PriceListInput } from '../store/repositories/price-list-repository.js';
import { RegionRepository } from '../store/repositories/region-repository.js';
import type { Database, PriceListRow } from '../store/schema.js';

/** The sync kind a forced price-list sync enqueues (the stock sync, R4/R13). */
export const PRICE_LIST_SYNC_KIND = 'stock.full';

export interface PriceListServiceDeps {
  db: Kysely<Database>;
  clock: Clock;
}

export type PriceListPatch = Partial<Omit<PriceListInput, 'regionId'>>;

const unbound = (message: string, details?: unknown): UnprocessableError => new UnprocessableError('price_list_unbound', message, details);

const UNBOUND_INTERVAL = [{ path: 'syncIntervalMinutes', message: 'bind the price list to a store first' }];

/** The price list or 404 `not_found`. */
export async function loadPriceList(deps: PriceListServiceDeps, id: number): Promise<PriceListRow> {
  const row = await new PriceListRepository(deps.db, deps.clock).find(id);
  if (!row) throw new NotFoundError('price list', id);
  return row;
}

/** Creates a price list in an existing region (404 otherwise); stock type `quantity` and 0 delivery days unless given. */
export async function createPriceList(deps: PriceListServiceDeps, input: PriceListInput): Promise<PriceListRow> {
  await new RegionRepository(deps.db, deps.clock).get(input.regionId);
  if (input.syncIntervalMinutes != null && !input.msStoreId) throw unbound('a sync frequency needs a bound MoySklad store (msStoreId)', UNBOUND_INTERVAL);
  return new PriceListRepository(deps.db, deps.clock).create({
    ...input,
    stockType: input.stockType ?? 'quantity',
    deliveryDays: input.deliveryDays ?? 0,
  });
}

/** Updates a price list; a list left without a store loses its sync frequency (R12). */
export async function updatePriceList(deps: PriceListServiceDeps, id: number, patch: PriceListPatch): Promise<PriceListRow> {
  const current = await loadPriceList(deps, id);
  const msStoreId = patch.msStoreId !== undefined ? patch.msStoreId : current.msStoreId;
  let syncIntervalMinutes = patch.syncIntervalMinutes !== undefined ? patch.syncIntervalMinutes : current.syncIntervalMinutes;
  if (!msStoreId) {
    if (patch.syncIntervalMinutes != null) throw unbound('a sync frequency needs a bound MoySklad store (msStoreId)', UNBOUND_INTERVAL);
    syncIntervalMinutes = null; // unbinding stops the schedule
  }
  return new PriceListRepository(deps.db, deps.clock).update(id, { ...patch, msStoreId: msStoreId ?? null, syncIntervalMinutes });
}

/** R13: enqueues a stock sync of one bound price list (merged with one already waiting). */
export async function forcePriceListSync(deps: PriceListServiceDeps & { enqueuer: JobEnqueuer }, id: number): Promise<EnqueueResult & { kind: typeof PRICE_LIST_SYNC_KIND }> {
  const pl = await loadPriceList(deps, id);
  if (!pl.msStoreId) throw unbound(`price list ${id} is not bound to a MoySklad store`);
  const integration = await new IntegrationRepository(deps.db, deps.clock).findByRegion(Number(pl.regionId));
  const res = await deps.enqueuer.enqueue({
    kind: PRICE_LIST_SYNC_KIND,
    priceListId: id,
    ...(integration ? { integrationId: integration.id } : {}),
    trigger: 'api',
  });
  return { ...res, kind: PRICE_LIST_SYNC_KIND };
}
