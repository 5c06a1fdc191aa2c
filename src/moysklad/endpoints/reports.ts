/**
 * @module moysklad/endpoints/reports
 * The counterparty report (CRM balances; CRM tariffs only).
 */
import { MAX_BATCH_ITEMS, pages } from '../lists.js';
import type { ListQuery } from '../query.js';
import { counterpartyReportRowSchema, type MsCounterpartyReportRow } from '../schemas/counterparty-report.js';
import { listOf } from '../schemas/list.js';
import type { MoySkladTransport } from '../transport.js';

/** Balances of a set of counterparties: `POST report/counterparty`, split by 1000 ids. */
export async function counterpartyReport(t: MoySkladTransport, counterpartyIds: readonly string[], signal?: AbortSignal): Promise<MsCounterpartyReportRow[]> {
  const out: MsCounterpartyReportRow[] = [];
  for (let i = 0; i < counterpartyIds.length; i += MAX_BATCH_ITEMS) {
    const ids = counterpartyIds.slice(i, i + MAX_BATCH_ITEMS);
    const body = await t.request('POST', 'report/counterparty', {
      body: { counterparties: ids.map((id) => ({ counterparty: { meta: { href: `${t.baseUrl}/entity/counterparty/${id}`, type: 'counterparty', mediaType: 'application/json' } } })) },
      signal,
      idempotent: true,
    });
    const rows = Array.isArray(body) ? body : t.parse(listOf(counterpartyReportRowSchema), body, 'POST', 'report/counterparty').rows;
    for (const row of rows) out.push(t.parse(counterpartyReportRowSchema, row, 'POST', 'report/counterparty'));
  }
  return out;
}

export function counterpartyReportById(t: MoySkladTransport, counterpartyId: string, signal?: AbortSignal): Promise<MsCounterpartyReportRow> {
  return t.get(`report/counterparty/${encodeURIComponent(counterpartyId)}`, counterpartyReportRowSchema, undefined, signal);
}

export function counterpartyReportPages(t: MoySkladTransport, query: ListQuery = {}, signal?: AbortSignal): AsyncGenerator<MsCounterpartyReportRow[]> {
  return pages(t, 'report/counterparty', query, counterpartyReportRowSchema, signal);
}
