/**
 * @module product-mapper
 * R15/R16: turns a MoySklad product or variant into the store's product row, or into a
 * data-quality issue (B5) when its brand cannot be determined from Code and Article.
 *
 * Variants (modifications) are catalog items of their own (C2, `src/domain/variant-catalog.ts`):
 * one with its own Code AND Article is split by R16 on them (since 2026-06-26 a variant may carry
 * its own part number); one without is marked `pendingParent` here and catalogued by the writer
 * with its parent product's brand and article once the parent is known (or reported
 * `parent-not-synced`). The writer also gives variants their parent's folder and their catalog
 * name (the parent's name with the characteristics).
 */
import { parseMoscow } from '../../core/moscow-time.js';
import { normalizeArticle, normalizeBrand } from '../../core/normalize.js';
import { idFromHref } from '../../moysklad/schemas/meta.js';
import type { MsProductRow, MsVariantRow } from '../../moysklad/schemas/nomenclature-row.js';
import { splitProductCode } from '../../domain/product-code.js';
import { searchTextOf } from '../../domain/search-text.js';
import { hasOwnCodeAndArticle, variantName, type Characteristic } from '../../domain/variant-catalog.js';
import { salePricesJson } from '../stock/product-prices.js';
import type { ProductFields } from '../../store/repositories/nomenclature-page-repository.js';

/** Reason keys of the data-quality report (B5). */
export const DATA_QUALITY_REASONS = ['empty-code', 'empty-article', 'empty-brand', 'article-not-at-end', 'duplicate-brand-article', 'parent-not-synced'] as const;
export type DataQualityReason = (typeof DATA_QUALITY_REASONS)[number];

/** What the writer needs of a variant beyond the row: its characteristics and MoySklad's own name. */
export interface VariantFacts {
  characteristics: Characteristic[];
  ownName: string;
}

/** The fields the nomenclature sync writes for one MoySklad item. */
/** A mapped MoySklad item: the product columns the store writes, plus the incremental cursor and C2 facts. */
export interface MappedProduct extends ProductFields {
  /** MoySklad `updated` as MoySklad wrote it (Moscow, ms precision) — the incremental cursor. */
  msUpdatedRaw: string | null;
  variant?: VariantFacts;
}

export interface MappedIssue {
  msId: string;
  kind: 'product' | 'variant';
  parentMsId: string | null;
  code: string | null;
  article: string | null;
  name: string;
  /** Folder id (a variant's: its parent's, resolved by the writer); the report of an integration shows only its subtree (C5). */
  msFolderId: string | null;
  archived: boolean;
  msUpdated: string | null;
  msUpdatedRaw: string | null;
  reason: DataQualityReason;
  message: string;
  /** C2: a variant without its own Code/Article; the writer catalogues it from its parent when it can. */
  pendingParent?: boolean;
  variant?: VariantFacts;
  /** The rest of the row, for a pending variant the writer turns into a product. */
  salePrices?: string;
  msImageCount?: number;
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
  extra: { description: string | null; msFolderId: string | null; parentMsId: string | null; salePrices: string; variant?: VariantFacts },
): MappedItem {
  const msUpdatedRaw = item.updated ?? null;
  const msUpdated = msTimeToIso(msUpdatedRaw);
  const base = {
    msId: item.id,
    kind,
    parentMsId: extra.parentMsId,
    code: item.code ?? null,
    article: item.article ?? null,
    name: item.name,
    msFolderId: extra.msFolderId,
    archived: item.archived === true,
    msUpdated,
    msUpdatedRaw,
    ...(extra.variant ? { variant: extra.variant } : {}),
  };
  if (kind === 'variant' && !hasOwnCodeAndArticle(item.code, item.article)) {
    const message = `variant: no own Code and Article, and its product ${extra.parentMsId ?? '?'} is not synced`;
    return { ok: false, issue: { ...base, reason: 'parent-not-synced', message, pendingParent: true, salePrices: extra.salePrices, msImageCount: item.images?.meta.size ?? 0 } };
  }
  const split = splitProductCode(item.code, item.article);
  if (!split.ok) {
    return { ok: false, issue: { ...base, reason: split.reason, message: kind === 'variant' ? `variant: ${split.message}` : split.message } };
  }
  return {
    ok: true,
    product: {
      msId: item.id,
      kind,
      parentMsId: extra.parentMsId,
      keyFromParent: false,
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
      ...(extra.variant ? { variant: extra.variant } : {}),
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

/** Maps one MoySklad variant as a catalog item of its own (see the module note). */
export function mapMsVariant(v: MsVariantRow): MappedItem {
  const characteristics = (v.characteristics ?? []).map((c) => ({ name: c.name ?? '', value: c.value ?? '' }));
  return map('variant', v, {
    description: null,
    msFolderId: null,
    parentMsId: idFromHref(v.product.meta.href),
    salePrices: salePricesJson(v),
    variant: { characteristics, ownName: v.name },
  });
}

/** The parent product of a variant as the writer reads it from the store. */
export interface VariantParent {
  name: string;
  brand: string;
  article: string;
  brandNorm: string;
  articleNorm: string;
  msFolderId: string | null;
  /** Synced (`sync_state='ok'`) and not deleted: its brand and article can be inherited. */
  usable: boolean;
}

/**
 * C2: a variant item completed with its parent (folder, catalog name, and — for a variant without
 * its own Code/Article — the parent's brand and article). Products pass through unchanged.
 */
export function withParent(item: MappedItem, parent: VariantParent | undefined): MappedItem {
  if (item.ok) {
    const p = item.product;
    if (p.kind !== 'variant') return item;
    const name = variantName(parent?.name, p.variant?.characteristics ?? [], p.name);
    return { ok: true, product: { ...p, msFolderId: parent?.msFolderId ?? null, name, searchText: searchTextOf(name, p.code, p.brand, p.article) } };
  }
  const i = item.issue;
  if (i.kind !== 'variant') return item;
  if (!i.pendingParent || !parent?.usable) return { ok: false, issue: { ...i, msFolderId: parent?.msFolderId ?? null } };
  const name = variantName(parent.name, i.variant?.characteristics ?? [], i.name);
  return {
    ok: true,
    product: {
      msId: i.msId,
      kind: 'variant',
      parentMsId: i.parentMsId,
      keyFromParent: true,
      brand: parent.brand,
      brandNorm: parent.brandNorm,
      article: parent.article,
      articleNorm: parent.articleNorm,
      code: i.code,
      name,
      description: null,
      msFolderId: parent.msFolderId,
      archived: i.archived,
      msUpdated: i.msUpdated,
      msUpdatedRaw: i.msUpdatedRaw,
      msImageCount: i.msImageCount ?? 0,
      salePrices: i.salePrices ?? '[]',
      searchText: searchTextOf(name, i.code, parent.brand, parent.article),
      ...(i.variant ? { variant: i.variant } : {}),
    },
  };
}
