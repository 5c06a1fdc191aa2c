/**
 * @module stock-fixture (test helper)
 * Fills the store's product directory from the emulator over HTTP (the part of the nomenclature
 * sync the stock sync depends on: ms id, brand/article by R16, name, archived, sale prices), and
 * creates price lists. Kept independent of the nomenclature module so stock tests fail only for
 * stock reasons.
 */
import { normalizeArticle, normalizeBrand } from '../../src/core/normalize.js';
import { splitProductCode } from '../../src/domain/product-code.js';
import type { StockType } from '../../src/store/schema.js';
import { salePricesJson } from '../../src/sync/stock/product-prices.js';
import type { SyncFixture } from '../helpers/sync-fixture.js';

/** Reads every product of the integration's account (1000 per request) into `products`. */
export async function loadNomenclature(fx: SyncFixture): Promise<{ ok: number; skipped: number }> {
  const ctx = await fx.integrationContext();
  const now = fx.clock.now().toISOString();
  let ok = 0;
  let skipped = 0;
  for await (const page of ctx.client.productPages()) {
    const values = page.map((p) => {
      const split = splitProductCode(p.code, p.article);
      if (split.ok) ok += 1;
      else skipped += 1;
      const brand = split.ok ? split.brand : '';
      const article = split.ok ? split.article : (p.article ?? '');
      return {
        msAccountId: fx.msAccountId,
        msId: p.id,
        brand,
        brandNorm: normalizeBrand(brand),
        article,
        articleNorm: normalizeArticle(article),
        code: p.code ?? null,
        name: p.name,
        description: null,
        categoryId: null,
        msFolderId: null,
        archived: p.archived ? (1 as const) : (0 as const),
        deleted: 0 as const,
        msUpdated: null,
        syncState: split.ok ? ('ok' as const) : ('skipped' as const),
        skipReason: split.ok ? null : split.reason,
        salePrices: salePricesJson(p),
        createdAt: now,
        updatedAt: now,
      };
    });
    for (let i = 0; i < values.length; i += 500) {
      await fx.db
        .insertInto('products')
        .values(values.slice(i, i + 500))
        .onConflict((oc) =>
          oc.columns(['msAccountId', 'msId']).doUpdateSet((eb) => ({
            brand: eb.ref('excluded.brand'),
            article: eb.ref('excluded.article'),
            articleNorm: eb.ref('excluded.articleNorm'),
            name: eb.ref('excluded.name'),
            archived: eb.ref('excluded.archived'),
            syncState: eb.ref('excluded.syncState'),
            salePrices: eb.ref('excluded.salePrices'),
            updatedAt: eb.ref('excluded.updatedAt'),
          })),
        )
        .execute();
    }
  }
  return { ok, skipped };
}

export async function createPriceList(
  fx: SyncFixture,
  options: { name: string; msStoreId: string | null; stockType?: StockType; priceTypeMsId?: string | null; syncIntervalMinutes?: number | null; publishWithoutPrice?: boolean },
): Promise<number> {
  const now = fx.clock.now().toISOString();
  const row = await fx.db
    .insertInto('priceLists')
    .values({
      regionId: fx.regionId,
      name: options.name,
      msStoreId: options.msStoreId,
      ...(options.stockType ? { stockType: options.stockType } : {}),
      priceTypeMsId: options.priceTypeMsId ?? null,
      syncIntervalMinutes: options.syncIntervalMinutes ?? null,
      publishWithoutPrice: options.publishWithoutPrice ? 1 : 0,
      deliveryDays: 1,
      lastSyncAt: null,
      stockCursor: null,
      createdAt: now,
      updatedAt: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The rows readers see (current generation), keyed by MoySklad product id. */
export async function currentRows(fx: Pick<SyncFixture, 'db'>, priceListId: number): Promise<Map<string, { quantity: number; price: number | null; name: string; brand: string; article: string }>> {
  const rows = await fx.db
    .selectFrom('priceListRows as r')
    .innerJoin('priceLists as p', (j) => j.onRef('p.id', '=', 'r.priceListId').onRef('p.generation', '=', 'r.generation'))
    .select(['r.msProductId', 'r.quantity', 'r.price', 'r.name', 'r.brand', 'r.article'])
    .where('r.priceListId', '=', priceListId)
    .execute();
  return new Map(rows.map((r) => [r.msProductId, { quantity: Number(r.quantity), price: r.price === null ? null : Number(r.price), name: r.name, brand: r.brand, article: r.article }]));
}

/** Log entries tagged with the price list (its R14 log). */
export async function priceListLog(fx: SyncFixture, priceListId: number) {
  return fx.log.entries.filter((e) => e.priceListId === priceListId);
}
