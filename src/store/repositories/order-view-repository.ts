/**
 * @module order-view-repository
 * The reads of the admin panel's Заказы pages: the order list (filter by export state, E6 search
 * by number or counterparty), the open ambiguous counterparty matches, and what an order page
 * shows besides the order itself (its counterparty, the open match of that counterparty).
 */
import type { Db } from '../db.js';
import type { ExportState, OrderKind } from '../schema.js';
import { searchTextContains } from '../search-filter.js';

export interface OrderListItem {
  id: number;
  externalId: string;
  exportState: ExportState;
  exportError: string | null;
  msOrderId: string | null;
  msDeletedAt: string | null;
  msStateName: string | null;
  createdAt: string;
  exportedAt: string | null;
  counterparty: string;
}

export interface OpenMatchIssue {
  id: number;
  counterpartyId: number;
  msAccountId: number;
  reason: string;
  candidates: string;
  detectedAt: string;
  name: string;
  externalId: string;
  kind: string;
}

export class OrderViewRepository {
  constructor(private readonly db: Db) {}

  async ordersPage(q: { kind: OrderKind; state?: ExportState; search: string; page: number; size: number }): Promise<{ total: number; items: OrderListItem[] }> {
    let base = this.db.selectFrom('orders as o').where('o.kind', '=', q.kind);
    if (q.state) base = base.where('o.exportState', '=', q.state);
    const number = searchTextContains('o.searchText', q.search);
    const party = searchTextContains('cps.searchText', q.search);
    if (number && party) {
      // E6: the order number or the counterparty (name, INN, e-mail, phone), in any case.
      base = base.where((eb) => eb.or([number, eb('o.counterpartyId', 'in', eb.selectFrom('counterparties as cps').select('cps.id').where(party))]));
    }
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = await base
      .innerJoin('counterparties as cp', 'cp.id', 'o.counterpartyId')
      .select(['o.id', 'o.externalId', 'o.exportState', 'o.exportError', 'o.msOrderId', 'o.msDeletedAt', 'o.msStateName', 'o.createdAt', 'o.exportedAt', 'cp.name as counterparty'])
      .orderBy('o.id', 'desc')
      .limit(q.size)
      .offset((q.page - 1) * q.size)
      .execute();
    return { total: Number(total), items: rows.map((o) => ({ ...o, id: Number(o.id) })) };
  }

  /** R25: ambiguous counterparty matches not resolved yet, newest first. */
  async openMatchIssues(limit = 200): Promise<OpenMatchIssue[]> {
    const rows = await this.openMatches().orderBy('m.id', 'desc').limit(limit).execute();
    return rows.map(toIssue);
  }

  async openMatchIssue(id: number): Promise<OpenMatchIssue | null> {
    const row = await this.openMatches().where('m.id', '=', id).executeTakeFirst();
    return row ? toIssue(row) : null;
  }

  /** The open ambiguous match of a counterparty (an order of it waits for it), if any. */
  async openMatchIssueOf(counterpartyId: number): Promise<OpenMatchIssue | null> {
    const row = await this.openMatches().where('m.counterpartyId', '=', counterpartyId).orderBy('m.id', 'desc').executeTakeFirst();
    return row ? toIssue(row) : null;
  }

  /** A counterparty's name and its MoySklad card in the account, when linked. */
  async counterparty(id: number, msAccountId: number | null): Promise<{ name: string; msCounterpartyId: string | null } | null> {
    const row = await this.db.selectFrom('counterparties').select('name').where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const link =
      msAccountId === null
        ? undefined
        : await this.db.selectFrom('counterpartyLinks').select('msCounterpartyId').where('counterpartyId', '=', id).where('msAccountId', '=', msAccountId).executeTakeFirst();
    return { name: row.name, msCounterpartyId: link?.msCounterpartyId ?? null };
  }

  private openMatches() {
    return this.db
      .selectFrom('counterpartyMatchIssues as m')
      .innerJoin('counterparties as cp', 'cp.id', 'm.counterpartyId')
      .select(['m.id', 'm.counterpartyId', 'm.msAccountId', 'm.reason', 'm.candidates', 'm.detectedAt', 'cp.name', 'cp.externalId', 'cp.kind'])
      .where('m.resolvedAt', 'is', null);
  }
}

const toIssue = (r: { id: number | string; counterpartyId: number | string; msAccountId: number | string; reason: string; candidates: string; detectedAt: string; name: string; externalId: string; kind: string }): OpenMatchIssue => ({
  ...r,
  id: Number(r.id),
  counterpartyId: Number(r.counterpartyId),
  msAccountId: Number(r.msAccountId),
});
