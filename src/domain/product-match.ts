/**
 * @module product-match
 * C1: which MoySklad card an order line goes to, among cards that carry its article. Pure.
 *
 * 1. A card whose normalized brand AND normalized article both equal the line's (`exact`).
 * 2. Only when no such card exists: a card of a brand in the same synonym group (`synonym`), so
 *    `KNECHT OC 90` still finds `MAHLE OC90` when no KNECHT card exists — but never another
 *    brand's card over an existing exact one.
 * Among several cards of one step: the one named as the line is (a variant catalogued from its
 * parent's Code shares the parent's brand and article; its name tells them apart), then not
 * archived before archived, cleanly synced before one the nomenclature skipped (a duplicate), then
 * the caller's order (the oldest card first).
 *
 * The price-list row's card (the line came from a price list) is step 0 and is decided by the
 * caller with the same function over that list's rows (see `product-resolver.ts`).
 */
import { normalizeArticle, normalizeBrand } from '../core/normalize.js';
import type { BrandSynonyms } from './brand-synonyms.js';

/** What a catalog item is in MoySklad (`entity/product` or `entity/variant`, C2). */
export type CardKind = 'product' | 'variant';

export interface CardCandidate {
  msId: string;
  brand: string;
  article: string;
  /** The card's (or price-list row's) name, for telling cards of one brand and article apart. */
  name?: string;
  kind: CardKind;
  archived: boolean;
  /** False for a card the nomenclature skipped (duplicate brand+article, broken Code). */
  clean: boolean;
}

export type MatchVia = 'price_list' | 'exact' | 'synonym';

export interface CardChoice {
  msId: string;
  kind: CardKind;
  via: MatchVia;
}

export interface LinePart {
  brand: string;
  article: string;
  name?: string;
}

/** Name match key: NFC, trimmed, white space collapsed, lower case. */
const nameKey = (name: string | undefined): string => (name ?? '').normalize('NFC').replace(/\s+/gu, ' ').trim().toLowerCase();

function best(cards: readonly CardCandidate[], name: string): CardCandidate | undefined {
  const rank = (c: CardCandidate): number => (name && nameKey(c.name) === name ? 0 : 4) + (c.archived ? 2 : 0) + (c.clean ? 0 : 1);
  let out: CardCandidate | undefined;
  for (const c of cards) if (!out || rank(c) < rank(out)) out = c;
  return out;
}

/** The card for `line` among `candidates` (any article; others are ignored), or null. */
export function chooseCard(line: LinePart, candidates: readonly CardCandidate[], synonyms: BrandSynonyms): { msId: string; kind: CardKind; via: 'exact' | 'synonym' } | null {
  const article = normalizeArticle(line.article);
  const sameArticle = candidates.filter((c) => normalizeArticle(c.article) === article);
  const brand = normalizeBrand(line.brand);
  const name = nameKey(line.name);
  const exact = best(sameArticle.filter((c) => normalizeBrand(c.brand) === brand), name);
  if (exact) return { msId: exact.msId, kind: exact.kind, via: 'exact' };
  const key = synonyms.brandKey(line.brand);
  const synonym = best(sameArticle.filter((c) => synonyms.brandKey(c.brand) === key), name);
  return synonym ? { msId: synonym.msId, kind: synonym.kind, via: 'synonym' } : null;
}

/** The identity of a line for caching its resolution: its price list, exact brand, article and name. */
export function lineKey(line: LinePart & { priceListId?: number | null }): string {
  return `${line.priceListId ?? ''}|${normalizeBrand(line.brand)}|${normalizeArticle(line.article)}|${nameKey(line.name)}`;
}
