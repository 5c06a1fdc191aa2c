/**
 * @module moysklad/endpoints/counterparties
 * Counterparties: search, paging, create and the partial update of C11.
 */
import { listAll, pages } from '../lists.js';
import type { Filter } from '../query.js';
import { counterpartySchema, type MsCounterparty, type MsCounterpartyCreate, type MsCounterpartyUpdate } from '../schemas/counterparty.js';
import { hasSyncId, type MoySkladTransport } from '../transport.js';

/** Counterparties matching a filter, e.g. `[['inn','=','7736570901']]` or `[['phone','~','9123456789']]`. */
export function findCounterparties(t: MoySkladTransport, filter: Filter, signal?: AbortSignal): Promise<MsCounterparty[]> {
  return listAll(t, 'entity/counterparty', { filter }, counterpartySchema, signal);
}

export function counterpartyPages(t: MoySkladTransport, options: { filter?: Filter; search?: string; order?: string; signal?: AbortSignal } = {}): AsyncGenerator<MsCounterparty[]> {
  return pages(t, 'entity/counterparty', { filter: options.filter, search: options.search, order: options.order }, counterpartySchema, options.signal);
}

export async function createCounterparty(t: MoySkladTransport, counterparty: MsCounterpartyCreate, signal?: AbortSignal): Promise<MsCounterparty> {
  const body = await t.request('POST', 'entity/counterparty', { body: counterparty, signal, idempotent: hasSyncId(counterparty) });
  return t.parse(counterpartySchema, body, 'POST', 'entity/counterparty');
}

/** C11 `PUT entity/counterparty/{id}` with only the named fields (a partial update; safe to repeat). */
export async function updateCounterparty(t: MoySkladTransport, id: string, patch: MsCounterpartyUpdate, signal?: AbortSignal): Promise<MsCounterparty> {
  const path = `entity/counterparty/${encodeURIComponent(id)}`;
  const body = await t.request('PUT', path, { body: patch, signal, idempotent: true });
  return t.parse(counterpartySchema, body, 'PUT', path);
}
