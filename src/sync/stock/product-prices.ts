/**
 * @module product-prices
 * Sale prices of products, kept next to the nomenclature (`products.sale_prices`, migration 0003)
 * so that a stock sync needs no product request: the price of a price-list row is looked up here.
 *
 * The nomenclature sync stores them by putting `salePricesJson(product)` into its product upsert.
 */
import { z } from 'zod';
import type { MsSalePrice } from '../../moysklad/schemas/price.js';

/** One sale price of a product; `value` in kopecks. */
export interface StoredSalePrice {
  priceTypeId: string;
  name: string | null;
  value: number;
}

const storedSchema = z.array(z.object({ priceTypeId: z.string(), name: z.string().nullable(), value: z.number() }));

/** The price type id of a MoySklad sale price: `priceType.id`, or the last segment of its href. */
export function priceTypeIdOf(price: MsSalePrice): string | null {
  const pt = price.priceType;
  if (!pt) return null;
  if (pt.id) return pt.id;
  const href = pt.meta?.href;
  if (!href) return null;
  const last = href.split('?')[0]?.split('/').pop();
  return last ? last : null;
}

/** The sale prices of a MoySklad product in storage form (MoySklad's order kept; kopecks rounded). */
export function salePricesOf(product: { salePrices?: MsSalePrice[] | undefined }): StoredSalePrice[] {
  const out: StoredSalePrice[] = [];
  for (const p of product.salePrices ?? []) {
    const id = priceTypeIdOf(p);
    if (!id) continue;
    out.push({ priceTypeId: id, name: p.priceType?.name ?? null, value: Math.round(p.value) });
  }
  return out;
}

/** `salePricesOf` as the JSON text of `products.sale_prices`. */
export function salePricesJson(product: { salePrices?: MsSalePrice[] | undefined }): string {
  return JSON.stringify(salePricesOf(product));
}

/** Parses `products.sale_prices`; null or unreadable text → null (prices unknown). */
export function parseSalePrices(text: string | null | undefined): StoredSalePrice[] | null {
  if (text === null || text === undefined || text === '') return null;
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  // Hand-checked (a stock sync parses 100 000 of these; a schema library is ~10× slower here).
  if (!Array.isArray(data)) return null;
  for (const p of data as unknown[]) {
    if (typeof p !== 'object' || p === null) return null;
    const o = p as Record<string, unknown>;
    if (typeof o.priceTypeId !== 'string' || typeof o.value !== 'number' || !(o.name === null || typeof o.name === 'string')) return null;
  }
  return data as StoredSalePrice[];
}

/** The same check as a schema (for callers that validate stored prices elsewhere). */
export const storedSalePricesSchema = storedSchema;

/**
 * C3 The price (kopecks) of the chosen price type; `priceTypeId` null = the first sale price.
 * Undefined when the product has no value for it: MoySklad lists every price type of the account
 * with `value` 0 where none was set, so 0 (or less) means "no price", exactly like an absent type.
 * Such a product is never published at 0: the stock sync leaves it out (reported «нет цены») or,
 * with the price list's option, publishes it with an empty price.
 */
export function pickPrice(prices: readonly StoredSalePrice[] | null, priceTypeId: string | null): number | undefined {
  if (!prices || prices.length === 0) return undefined;
  const value = priceTypeId === null ? prices[0]?.value : prices.find((p) => p.priceTypeId === priceTypeId)?.value;
  return value !== undefined && value > 0 ? value : undefined;
}
