/**
 * @module price-list-issue-repository
 * C3: products a price list left out, with the reason (`no-price`: no value for the list's price
 * type), for the data-quality report. Written by the stock sync only: a full run replaces the set
 * of its price list, an incremental run records and clears entries for the products it evaluated.
 * Product text comes from `products` (one insert … select per 500 ids), so callers pass ids only.
 */
import { sql } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { chunk, nowIso } from '../database.js';
import { withTransaction, type Db } from '../db.js';
import type { PriceListIssueReason, PriceListIssueRow, ProductKind } from '../schema.js';

const PART = 500;

export class PriceListIssueRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** The price list's issues become exactly `msProductIds` (products of `msAccountId`) with `reason`. */
  async replace(priceListId: number, msAccountId: number, reason: PriceListIssueReason, msProductIds: readonly string[]): Promise<void> {
    await withTransaction(this.db, async (tx) => {
      await tx.deleteFrom('priceListIssues').where('priceListId', '=', priceListId).execute();
      await new PriceListIssueRepository(tx, this.clock).record(priceListId, msAccountId, reason, msProductIds);
    });
  }

  /** Adds (or refreshes) issues of these products. */
  async record(priceListId: number, msAccountId: number, reason: PriceListIssueReason, msProductIds: readonly string[]): Promise<void> {
    const at = nowIso(this.clock);
    for (const part of chunk([...new Set(msProductIds)], PART)) {
      await sql`insert into price_list_issues (price_list_id, product_id, ms_product_id, brand, article, name, reason, detected_at)
        select ${priceListId}, p.id, p.ms_id, p.brand, p.article, p.name, ${reason}, ${at} from products p
        where p.ms_account_id = ${msAccountId} and p.ms_id in (${sql.join(part)})
        on conflict (price_list_id, ms_product_id) do update set product_id = excluded.product_id, brand = excluded.brand,
          article = excluded.article, name = excluded.name, reason = excluded.reason, detected_at = excluded.detected_at`.execute(this.db);
    }
  }

  /** Removes the issues of these products (they got a row, or left the nomenclature). */
  async clear(priceListId: number, msProductIds: readonly string[]): Promise<void> {
    for (const part of chunk([...new Set(msProductIds)], PART)) {
      await this.db.deleteFrom('priceListIssues').where('priceListId', '=', priceListId).where('msProductId', 'in', part).execute();
    }
  }

  async list(options: { priceListId?: number; limit?: number } = {}): Promise<PriceListIssueRow[]> {
    let q = this.db.selectFrom('priceListIssues').selectAll().orderBy('priceListId').orderBy('id');
    if (options.priceListId !== undefined) q = q.where('priceListId', '=', options.priceListId);
    return q.limit(options.limit ?? 1000).execute();
  }

  /** Issues per price list (the admin's counts). */
  async counts(): Promise<Map<number, number>> {
    const rows = await this.db.selectFrom('priceListIssues').select(['priceListId', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('priceListId').execute();
    return new Map(rows.map((r) => [Number(r.priceListId), Number(r.n)]));
  }

  /**
   * E4 the price-list part of the report: newest first, optionally one price list, one region's lists, one reason.
   * `msType` is the kind of the MoySklad item (a variant's card is another form); `product` when the
   * store no longer has the item.
   */
  async page(q: { priceListId?: number; regionId?: number; reason?: string; limit: number; offset: number }): Promise<{ items: Array<PriceListIssueRow & { msType: ProductKind }>; total: number }> {
    let base = this.db.selectFrom('priceListIssues as i').innerJoin('priceLists as l', 'l.id', 'i.priceListId');
    if (q.priceListId !== undefined) base = base.where('i.priceListId', '=', q.priceListId);
    if (q.regionId !== undefined) base = base.where('l.regionId', '=', q.regionId);
    if (q.reason !== undefined) base = base.where('i.reason', '=', q.reason as PriceListIssueRow['reason']);
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = await base
      .leftJoin('products as p', 'p.id', 'i.productId')
      .selectAll('i')
      .select('p.kind as kind')
      .orderBy('i.detectedAt', 'desc')
      .orderBy('i.id', 'desc')
      .limit(q.limit)
      .offset(q.offset)
      .execute();
    const items = rows.map(({ kind, ...r }) => ({ ...r, msType: kind === 'variant' ? ('variant' as const) : ('product' as const) }));
    return { items, total: Number(total) };
  }
}
