/**
 * @module product-fields
 * The state API's product input (`ProductInput`) → stored product fields, as the API would store
 * them: on create (`productFields`) and as a partial patch of an existing product (`productPatch`).
 */

import type { IdSource } from './ids.js';
import type { PriceType, ProductInput } from './account-types.js';
import { ref, isRef, type Entity, type Fields, type ImageRec } from './types.js';

/** What of an account the product fields need: its ids, price types, currency and unit. */
export interface ProductFieldsContext {
  ids: IdSource;
  priceTypes: PriceType[];
  readonly currencyId: string;
  readonly uomId: string;
}

export function productFields(a: ProductFieldsContext, input: ProductInput): Fields {
  const f: Fields = { name: input.name, externalCode: input.externalCode ?? a.ids().replace(/-/g, '').slice(0, 22) };
  if (input.code !== undefined && input.code !== '') f.code = input.code;
  if (input.article !== undefined && input.article !== '') f.article = input.article;
  if (input.description) f.description = input.description;
  if (input.folderId) f.productFolder = ref('productfolder', input.folderId);
  f.archived = input.archived ?? false;
  f.shared = false;
  f.uom = ref('uom', a.uomId);
  const [sale, wholesale] = a.priceTypes;
  const salePrices: Fields[] = [];
  if (sale) salePrices.push({ value: input.salePrice ?? 0, currency: ref('currency', a.currencyId), priceType: ref('pricetype', sale.id) });
  if (wholesale && input.wholesalePrice !== undefined)
    salePrices.push({ value: input.wholesalePrice, currency: ref('currency', a.currencyId), priceType: ref('pricetype', wholesale.id) });
  f.salePrices = salePrices;
  f.buyPrice = { value: input.buyPrice ?? 0, currency: ref('currency', a.currencyId) };
  if (input.weight !== undefined) f.weight = input.weight;
  if (input.syncId) f.syncId = input.syncId;
  f.images = [] as ImageRec[];
  f.vatEnabled = false;
  f.useParentVat = true;
  f.paymentItemType = 'GOOD';
  f.trackingType = 'NOT_TRACKED';
  return f;
}

/** The field patch that applies `patch` to product `e` (code uniqueness is the caller's). */
export function productPatch(a: ProductFieldsContext, e: Entity, patch: Partial<ProductInput>): Fields {
  const full = productFields(a, { name: String(e.f.name), ...patch });
  const apply: Fields = {};
  for (const k of Object.keys(patch) as (keyof ProductInput)[]) {
    if (k === 'folderId') apply.productFolder = patch.folderId ? full.productFolder : undefined;
    else if (k === 'salePrice' || k === 'wholesalePrice') {
      // Both prices in one patch: start from the one already applied, so neither is lost.
      const prices = (((apply.salePrices ?? e.f.salePrices) as Fields[] | undefined) ?? []).map((p) => ({ ...p }));
      const pt = k === 'salePrice' ? a.priceTypes[0] : a.priceTypes[1];
      const value = patch[k] ?? 0;
      const existing = prices.find((p) => isRef(p.priceType) && p.priceType.$ref.id === pt?.id);
      if (existing) existing.value = value;
      else if (pt) prices.push({ value, currency: ref('currency', a.currencyId), priceType: ref('pricetype', pt.id) });
      apply.salePrices = prices;
    } else if (k === 'buyPrice') apply.buyPrice = full.buyPrice;
    else if (k === 'code' || k === 'article' || k === 'description') apply[k] = patch[k] === '' ? undefined : patch[k];
    else if (k !== 'id') apply[k] = patch[k];
  }
  return apply;
}
