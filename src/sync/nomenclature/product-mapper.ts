/**
 * @module product-mapper
 * R15/R16: turns a MoySklad product or variant into the store's product row, or into a
 * data-quality issue (B5) when its brand cannot be determined from Code and Article.
 *
 * Variants (modifications) are mapped as products of their own: since 2026-06-26 a variant has
 * its own `code` and `article`, and an auto-parts variant is a separately sold part number. The
 * R16 rule is applied to the variant's OWN Code and Article; a variant without them goes to the
 * data-quality report like a product would. A variant takes its folder from its parent product.
 */
import { parseMoscow } from '../../core/moscow-time.js';
import { normalizeArticle, normalizeBrand } from '../../core/normalize.js';
import { idFromHref } from '../../moysklad/schemas/meta.js';
import type { MsProductRow, MsVariantRow } from '../../moysklad/schemas/nomenclature-row.js';
import { splitProductCode } from '../../domain/product-code.js';
import { searchTextOf } from '../../domain/search-text.js';
import { salePricesJson } from '../stock/product-prices.js';

/** Reason keys of the data-quality report (B5). */
export const DATA_QUALITY_REASONS = ['empty-code', 'empty-article', 'empty-brand', 'article-not-at-end', 'duplicate-brand-article'] as const;
export type DataQualityReason = (typeof DATA_QUALITY_REASONS)[number];

/** The fields the nomenclature sync writes for one MoySklad item. */
export interface MappedProduct {
  msId: string;
  kind: 'product' | 'variant';
  /** For variants: the parent product's MoySklad id. */
  parentMsId: string | null;
  brand: string;
  brandNorm: string;
  article: string;
  articleNorm: string;
  code: string | null;
  name: string;
  description: string | null;
  /** Folder id; for variants resolved from the parent later (null here). */
  msFolderId: string | null;
  archived: boolean;
  /** MoySklad `updated` as ISO UTC. */
  msUpdated: string | null;
  /** MoySklad `updated` as MoySklad wrote it (Moscow, ms precision) — the incremental cursor. */
  msUpdatedRaw: string | null;
  msImageCount: number;
  salePrices: string;
  /** E6: the folded search column (name, code, brand, article). */
  searchText: string;
}

export interface MappedIssue {
  msId: string;
  kind: 'product' | 'variant';
  parentMsId: string | null;
  code: string | null;
  article: string | null;
  name: string;
  archived: boolean;
  msUpdated: string | null;
  msUpdatedRaw: string | null;
  reason: DataQualityReason;
  message: string;
}

export type MappedItem = { ok: true; product: MappedProduct } | { ok: false; issue: MappedIssue };

/** MoySklad `updated` (`yyyy-MM-dd HH:mm:ss.SSS`, Moscow) as ISO UTC; null when absent or unreadable. */
export function msTimeToIso(text: string | undefined | null): string | null {
  if (!text) return null;
  const ms = parseMoscow(text);
  return ms === null ? null : new Date(ms).toISOString();
}

function map(
  kind: 'product' | 'variant',
  item: { id: string; name: string; code?: string | undefined; article?: string | undefined; archived?: boolean | undefined; updated?: string | undefined; images?: { meta: { size?: number | undefined } } | undefined },
  extra: { description: string | null; msFolderId: string | null; parentMsId: string | null; salePrices: string },
): MappedItem {
  const split = splitProductCode(item.code, item.article);
  const msUpdatedRaw = item.updated ?? null;
  const msUpdated = msTimeToIso(msUpdatedRaw);
  if (!split.ok) {
    return {
      ok: false,
      issue: {
        msId: item.id,
        kind,
        parentMsId: extra.parentMsId,
        code: item.code ?? null,
        article: item.article ?? null,
        name: item.name,
        archived: item.archived === true,
        msUpdated,
        msUpdatedRaw,
        reason: split.reason,
        message: kind === 'variant' ? `variant: ${split.message}` : split.message,
      },
    };
  }
  return {
    ok: true,
    product: {
      msId: item.id,
      kind,
      parentMsId: extra.parentMsId,
      brand: split.brand,
      brandNorm: normalizeBrand(split.brand),
      article: split.article,
      articleNorm: normalizeArticle(split.article),
      code: item.code ?? null,
      name: item.name,
      description: extra.description,
      msFolderId: extra.msFolderId,
      archived: item.archived === true,
      msUpdated,
      msUpdatedRaw,
      msImageCount: item.images?.meta.size ?? 0,
      salePrices: extra.salePrices,
      searchText: searchTextOf(item.name, item.code, split.brand, split.article),
    },
  };
}

/** Maps one MoySklad product (R16 split of Code/Article). */
export function mapMsProduct(p: MsProductRow): MappedItem {
  return map('product', p, {
    description: p.description ?? null,
    msFolderId: p.productFolder ? idFromHref(p.productFolder.meta.href) : null,
    parentMsId: null,
    salePrices: salePricesJson(p),
  });
}

/** Maps one MoySklad variant as a product of its own (see the module note). */
export function mapMsVariant(v: MsVariantRow): MappedItem {
  return map('variant', v, {
    description: null,
    msFolderId: null,
    parentMsId: idFromHref(v.product.meta.href),
    salePrices: salePricesJson(v),
  });
}
