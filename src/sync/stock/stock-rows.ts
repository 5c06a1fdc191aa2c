/**
 * @module stock-rows
 * What a stock sync maps report lines with: the products of the synced nomenclature, each joined
 * with its row in the price list's current generation (one query per page; R4, R11). The sale
 * price of the list's price type is picked here, so only numbers and the row's text are kept.
 */
import type { Kysely } from 'kysely';
import { inSubtree } from '../../domain/folder-tree.js';
import type { Database, PriceListRow } from '../../store/schema.js';
import { parseSalePrices, pickPrice } from './product-prices.js';

/** The row a product has in the price list's current generation. */
export interface OldRow {
  quantity: number;
  /** Null: published without a price (C3). */
  price: number | null;
  name: string;
  brand: string;
  article: string;
}

/** Why a product cannot be a row; `outside-root`: not in the integration's root folder (C5, not reported). */
export type UnusableReason = 'archived' | 'deleted' | 'skipped' | 'outside-root';

/** A product of the nomenclature with its current price-list row (null when it has none). */
export interface ProductWithRow {
  id: number;
  msId: string;
  brand: string;
  article: string;
  articleNorm: string;
  name: string;
  /** Why the product cannot be a row (R16), or null when it can. */
  reason: UnusableReason | null;
  /** Price (kopecks) of the list's price type; undefined when the product has none. */
  price: number | undefined;
  updatedAt: string;
  old: OldRow | null;
}

/** The price list as the queries need it, with its integration's root folder (C5: null = all folders). */
export type Pl = Pick<PriceListRow, 'id' | 'generation' | 'priceTypeMsId'> & { rootFolderMsId?: string | null };

function query(db: Kysely<Database>, msAccountId: number, pl: Pl) {
  return db
    .selectFrom('products as p')
    .leftJoin('priceListRows as r', (j) => j.onRef('r.msProductId', '=', 'p.msId').on('r.priceListId', '=', pl.id).on('r.generation', '=', pl.generation))
    // C5: the product's folder path, only when the integration has a root folder (an index probe per product).
    .$if(Boolean(pl.rootFolderMsId), (q) => q.leftJoin('msFolders as f', (j) => j.onRef('f.msAccountId', '=', 'p.msAccountId').onRef('f.msId', '=', 'p.msFolderId')).select('f.path as folderPath'))
    .select([
      'p.id',
      'p.msId',
      'p.brand',
      'p.article',
      'p.articleNorm',
      'p.name',
      'p.archived',
      'p.deleted',
      'p.syncState',
      'p.salePrices',
      'p.updatedAt',
      'r.quantity as oldQuantity',
      'r.price as oldPrice',
      'r.name as oldName',
      'r.brand as oldBrand',
      'r.article as oldArticle',
    ])
    .where('p.msAccountId', '=', msAccountId);
}

type Raw = Awaited<ReturnType<ReturnType<typeof query>['execute']>>[number];

function toProduct(r: Raw, priceTypeId: string | null, rootFolderMsId: string | null | undefined): ProductWithRow {
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
export async function* productPages(db: Kysely<Database>, msAccountId: number, pl: Pl, pageSize = 5000): AsyncGenerator<ProductWithRow[]> {
  for (let afterId = 0; ; ) {
    const page = await query(db, msAccountId, pl).where('p.id', '>', afterId).orderBy('p.id').limit(pageSize).execute();
    if (page.length > 0) yield page.map((r) => toProduct(r, pl.priceTypeMsId, pl.rootFolderMsId));
    if (page.length < pageSize) return;
    afterId = Number(page[page.length - 1]!.id);
    await yieldToEventLoop();
  }
}

/** The products with these MoySklad ids (absent ones are left out). */
export async function productsByMsIds(db: Kysely<Database>, msAccountId: number, pl: Pl, msIds: readonly string[]): Promise<Map<string, ProductWithRow>> {
  const out = new Map<string, ProductWithRow>();
  for (let i = 0; i < msIds.length; i += 1000) {
    for (const r of await query(db, msAccountId, pl).where('p.msId', 'in', msIds.slice(i, i + 1000)).execute()) out.set(r.msId, toProduct(r, pl.priceTypeMsId, pl.rootFolderMsId));
  }
  return out;
}

/**
 * Products whose card was written at or after `sinceIso` (price, name, archive… changed locally),
 * in keyset pages on (updated_at, id) — the event loop gets a turn between pages, so a MoySklad
 * request started just before is sent and read meanwhile.
 */
export async function productsUpdatedSince(
  db: Kysely<Database>,
  msAccountId: number,
  pl: Pl,
  sinceIso: string,
  options: { strictlyAfter?: boolean; pageSize?: number } = {},
): Promise<ProductWithRow[]> {
  const pageSize = options.pageSize ?? 2000;
  const out: ProductWithRow[] = [];
  let after: { at: string; id: number } | null = null;
  for (;;) {
    const a: { at: string; id: number } | null = after;
    const page: Raw[] = await query(db, msAccountId, pl)
      .where((eb) => (a ? eb.or([eb('p.updatedAt', '>', a.at), eb.and([eb('p.updatedAt', '=', a.at), eb('p.id', '>', a.id)])]) : eb('p.updatedAt', options.strictlyAfter ? '>' : '>=', sinceIso)))
      .orderBy('p.updatedAt')
      .orderBy('p.id')
      .limit(pageSize)
      .execute();
    for (const r of page) out.push(toProduct(r, pl.priceTypeMsId, pl.rootFolderMsId));
    if (page.length < pageSize) return out;
    const last: Raw = page[page.length - 1]!;
    after = { at: last.updatedAt, id: Number(last.id) };
    await yieldToEventLoop();
  }
}

/** A row of the current generation: its id and the figures a stock change can touch. */
export interface CurrentRow {
  id: number;
  quantity: number;
  price: number | null;
}

/** Rows of the current generation by MoySklad product id (no product read: the row's own figures). */
export async function rowsByMsIds(db: Kysely<Database>, pl: Pl, msIds: readonly string[]): Promise<Map<string, CurrentRow>> {
  const out = new Map<string, CurrentRow>();
  for (let i = 0; i < msIds.length; i += 1000) {
    const rows = await db
      .selectFrom('priceListRows')
      .select(['id', 'msProductId', 'quantity', 'price'])
      .where('priceListId', '=', pl.id)
      .where('generation', '=', pl.generation)
      .where('msProductId', 'in', msIds.slice(i, i + 1000))
      .execute();
    for (const r of rows) out.set(r.msProductId, { id: Number(r.id), quantity: Number(r.quantity), price: r.price === null ? null : Number(r.price) });
  }
  return out;
}

/** Rows of the price list's current generation. */
export async function currentRowCount(db: Kysely<Database>, pl: Pl): Promise<number> {
  const r = await db
    .selectFrom('priceListRows')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('priceListId', '=', pl.id)
    .where('generation', '=', pl.generation)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Whether a row built from `p` would differ from `old` in anything but the quantity. */
export function differsBesidesQuantity(p: ProductWithRow, old: OldRow): boolean {
  return (p.price ?? null) !== old.price || p.name !== old.name || p.brand !== old.brand || p.article !== old.article;
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

/** The account's product cards with `fromIso <= updated_at <= toIso`: id and stamp only (an index-only read). */
export async function cardsBetween(db: Kysely<Database>, msAccountId: number, fromIso: string, toIso: string): Promise<Array<{ id: number; updatedAt: string }>> {
  const rows = await db.selectFrom('products').select(['id', 'updatedAt']).where('msAccountId', '=', msAccountId).where('updatedAt', '>=', fromIso).where('updatedAt', '<=', toIso).execute();
  return rows.map((r) => ({ id: Number(r.id), updatedAt: r.updatedAt }));
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
