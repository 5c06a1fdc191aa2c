/**
 * @module stock-rows
 * What a stock sync maps report lines with: the products of the synced nomenclature, each joined
 * with its row in the price list's current generation (read through `StockRepository`, one query
 * per page; R4, R11). The sale price of the list's price type is picked here, so only numbers and
 * the row's text are kept.
 */
import { inSubtree } from '../../domain/folder-tree.js';
import type { CurrentRow, ProductWithRow, UnusableReason } from '../../domain/stock-plan.js';
import type { StockListRef, StockProductRecord, StockRepository } from '../../store/repositories/stock-repository.js';
import type { PriceListRow } from '../../store/schema.js';
import { parseSalePrices, pickPrice } from './product-prices.js';

export type { CurrentRow, OldRow, ProductWithRow, UnusableReason } from '../../domain/stock-plan.js';

/** The price list as the reads need it, with its integration's root folder (C5: null = all folders). */
export type Pl = StockListRef & Pick<PriceListRow, 'priceTypeMsId'>;

function toProduct(r: StockProductRecord, priceTypeId: string | null, rootFolderMsId: string | null | undefined): ProductWithRow {
  const outside = rootFolderMsId ? !inSubtree(r.folderPath, rootFolderMsId) : false;
  const reason: UnusableReason | null = r.deleted === 1 ? 'deleted' : outside ? 'outside-root' : r.archived === 1 ? 'archived' : r.syncState !== 'ok' ? 'skipped' : null;
  return {
    id: Number(r.id),
    msId: r.msId,
    brand: r.brand,
    article: r.article,
    articleNorm: r.articleNorm,
    name: r.name,
    reason,
    price: reason === null ? pickPrice(parseSalePrices(r.salePrices), priceTypeId) : undefined,
    updatedAt: r.updatedAt,
    old:
      r.oldQuantity === null || r.oldQuantity === undefined
        ? null
        : { quantity: Number(r.oldQuantity), price: r.oldPrice === null || r.oldPrice === undefined ? null : Number(r.oldPrice), name: r.oldName ?? '', brand: r.oldBrand ?? '', article: r.oldArticle ?? '' },
  };
}

/** Lets pending I/O (the MoySklad request in flight) progress between synchronous SQLite pages. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Every product of the account in keyset pages (flat memory on 100 000 products). */
export async function* productPages(store: StockRepository, msAccountId: number, pl: Pl, pageSize = 5000): AsyncGenerator<ProductWithRow[]> {
  for (let afterId = 0; ; ) {
    const page = await store.productPage(msAccountId, pl, afterId, pageSize);
    if (page.length > 0) yield page.map((r) => toProduct(r, pl.priceTypeMsId, pl.rootFolderMsId));
    if (page.length < pageSize) return;
    afterId = Number(page[page.length - 1]!.id);
    await yieldToEventLoop();
  }
}

/** The products with these MoySklad ids (absent ones are left out). */
export async function productsByMsIds(store: StockRepository, msAccountId: number, pl: Pl, msIds: readonly string[]): Promise<Map<string, ProductWithRow>> {
  const out = new Map<string, ProductWithRow>();
  for (let i = 0; i < msIds.length; i += 1000) {
    for (const r of await store.productsByMsIds(msAccountId, pl, msIds.slice(i, i + 1000))) out.set(r.msId, toProduct(r, pl.priceTypeMsId, pl.rootFolderMsId));
  }
  return out;
}

/**
 * Products whose card was written at or after `sinceIso` (price, name, archive… changed locally),
 * in keyset pages on (updated_at, id) — the event loop gets a turn between pages, so a MoySklad
 * request started just before is sent and read meanwhile.
 */
export async function productsUpdatedSince(
  store: StockRepository,
  msAccountId: number,
  pl: Pl,
  sinceIso: string,
  options: { strictlyAfter?: boolean; pageSize?: number } = {},
): Promise<ProductWithRow[]> {
  const pageSize = options.pageSize ?? 2000;
  const out: ProductWithRow[] = [];
  let after: { at: string; id: number } | null = null;
  for (;;) {
    const page = await store.productsUpdatedPage(msAccountId, pl, { sinceIso, strictlyAfter: options.strictlyAfter === true, after }, pageSize);
    for (const r of page) out.push(toProduct(r, pl.priceTypeMsId, pl.rootFolderMsId));
    if (page.length < pageSize) return out;
    const last = page[page.length - 1]!;
    after = { at: last.updatedAt, id: Number(last.id) };
    await yieldToEventLoop();
  }
}

/** Rows of the current generation by MoySklad product id (no product read: the row's own figures). */
export async function rowsByMsIds(store: StockRepository, pl: Pl, msIds: readonly string[]): Promise<Map<string, CurrentRow>> {
  const out = new Map<string, CurrentRow>();
  for (let i = 0; i < msIds.length; i += 1000) {
    for (const r of await store.rowsByMsIds(pl, msIds.slice(i, i + 1000))) out.set(r.msProductId, { id: r.id, quantity: r.quantity, price: r.price });
  }
  return out;
}

/**
 * A digest of a set of product cards (id + `updated_at`), independent of order: the count, the
 * sum and the xor of a 32-bit FNV-1a hash of each. Two runs that saw the same cards in a window
 * get the same digest; a card written late into the window (stamped before, committed after the
 * previous run read the products) changes it.
 */
export class CardDigest {
  #count = 0;
  #sum = 0;
  #xor = 0;

  add(id: number, updatedAt: string): void {
    let h = 0x811c9dc5;
    const text = `${id}|${updatedAt}`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    this.#count += 1;
    this.#sum = (this.#sum + h) >>> 0;
    this.#xor = (this.#xor ^ h) >>> 0;
  }

  toString(): string {
    return `${this.#count}:${this.#sum.toString(16)}:${this.#xor.toString(16)}`;
  }
}

/** The digest of the cards with a stamp in [fromIso, toIso]; for one id the latest stamp counts. */
export function digestOf(cards: Iterable<{ id: number; updatedAt: string }>, fromIso: string, toIso: string): string {
  const latest = new Map<number, string>();
  for (const c of cards) {
    const prev = latest.get(c.id);
    if (prev === undefined || c.updatedAt > prev) latest.set(c.id, c.updatedAt);
  }
  const d = new CardDigest();
  for (const [id, at] of latest) if (at >= fromIso && at <= toIso) d.add(id, at);
  return d.toString();
}
