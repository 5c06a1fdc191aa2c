/**
 * @module product-resolver
 * R20, C1, C2: order lines → MoySklad cards (a product or a variant). For each line, first hit wins:
 * 0. the line came from a price list (`priceListId`): that list's row for the line's brand and
 *    article (current generation) — the card the customer saw;
 * 1. the synced `products` directory of this MoySklad account, by `chooseCard` (domain/product-match):
 *    the card whose normalized brand AND article match; a synonym brand's card only when no card of
 *    the line's own brand exists — never another brand's card over an existing exact one;
 * 2. MoySklad by article (`filter=article=A;article=B…`, one request for all still-unknown lines of
 *    the order; repeated `=` means OR), then by Code `BRAND ARTICLE` for lines that found no exact
 *    card yet, with the same choice rule;
 * 3. create the rest in ONE batch (Code `BRAND ARTICLE`, Article `ARTICLE`, the line's name), each
 *    with a `syncId` derived from the part identity (synonym group + normalized article), so a
 *    product is created once even when two orders, two workers, a retry or two spellings ask for it
 *    (R20, B1).
 * Products found or created in MoySklad are added to the directory (insert only, never overwriting
 * what the nomenclature sync wrote) so the next order finds them without a request.
 */
import type { Clock } from '../../core/clock.js';
import { noBrandSynonyms, type BrandSynonyms } from '../../domain/brand-synonyms.js';
import { chooseCard, lineKey, type CardCandidate, type CardKind, type MatchVia } from '../../domain/product-match.js';
import { composeProductCode, splitProductCode } from '../../domain/product-code.js';
import { normalizeArticle } from '../../core/normalize.js';
import type { MoySkladClient } from '../../moysklad/client.js';
import { productSchema, type MsProduct, type MsProductCreate } from '../../moysklad/schemas/product.js';
import type { Db } from '../../store/db.js';
import { OrderCatalogRepository, type RememberedProduct } from '../../store/repositories/order-catalog-repository.js';
import { derivedSyncId } from '../outbox/derived-sync-id.js';
import { ExportError } from '../outbox/export-error.js';

export interface PartRef {
  brand: string;
  article: string;
  name: string;
  /** The price list the line was ordered from (step 0). */
  priceListId?: number | null;
}

/** The card an order line goes to. */
export interface ResolvedCard {
  msId: string;
  kind: CardKind;
  via: MatchVia | 'moysklad' | 'created';
}

export interface ProductResolverDeps {
  db: Db;
  clock: Clock;
  client: MoySkladClient;
  msAccountId: number;
  brandSynonyms?: BrandSynonyms;
  /** `lineKey` → card, shared by the orders of one drain run. */
  cache?: Map<string, ResolvedCard>;
}

export interface ResolveReport {
  fromPriceList: number;
  fromTable: number;
  fromMoySklad: number;
  created: number;
}

export const emptyResolveReport = (): ResolveReport => ({ fromPriceList: 0, fromTable: 0, fromMoySklad: 0, created: 0 });

const LOOKUP_CHUNK = 50;

/** The syncId of the MoySklad product created for a part (brand synonyms share it). */
export const productSyncId = (synonyms: BrandSynonyms, brand: string, article: string): string =>
  derivedSyncId('product', synonyms.partKey(brand, article));

/** Resolves every part to a card (creating missing products). Keys of the result are `lineKey`s. */
export async function resolveProducts(deps: ProductResolverDeps, parts: readonly PartRef[], report: ResolveReport = emptyResolveReport()): Promise<Map<string, ResolvedCard>> {
  const synonyms = deps.brandSynonyms ?? noBrandSynonyms;
  const cache = deps.cache ?? new Map<string, ResolvedCard>();
  const repo = new OrderCatalogRepository(deps.db, deps.clock);
  const out = new Map<string, ResolvedCard>();
  const wanted = new Map<string, PartRef>();
  for (const p of parts) {
    const key = lineKey(p);
    const hit = cache.get(key);
    if (hit) out.set(key, hit);
    else wanted.set(key, p);
  }
  const settle = (key: string, card: ResolvedCard, counter: keyof ResolveReport): void => {
    out.set(key, card);
    wanted.delete(key);
    report[counter] += 1;
  };

  // 0. The price list the line came from.
  const fromLists = [...wanted].filter(([, p]) => p.priceListId != null);
  if (fromLists.length) {
    const cards = await repo.priceListCards(deps.msAccountId, fromLists.map(([, p]) => Number(p.priceListId)), fromLists.map(([, p]) => normalizeArticle(p.article)));
    for (const [key, p] of fromLists) {
      const c = chooseCard(p, cards.filter((x) => x.priceListId === Number(p.priceListId)), synonyms);
      if (c) settle(key, { msId: c.msId, kind: c.kind, via: 'price_list' }, 'fromPriceList');
    }
  }

  // 1. The synced directory.
  if (wanted.size) {
    const cards = await repo.cardsByArticles(deps.msAccountId, [...wanted.values()].map((p) => normalizeArticle(p.article)));
    for (const [key, p] of [...wanted]) {
      const c = chooseCard(p, cards, synonyms);
      if (c) settle(key, { ...c }, 'fromTable');
    }
  }

  // 2. MoySklad, by article, then by Code for lines without an exact card yet.
  const found = new Map<string, RememberedProduct>();
  if (wanted.size) await lookUpInMoySklad(deps, synonyms, wanted, found, (key, card) => settle(key, card, 'fromMoySklad'));

  // 3. Create what is still missing, once per part.
  const created = wanted.size ? await createMissing(deps, synonyms, wanted, (key, card) => settle(key, card, 'created')) : [];

  await repo.remember(deps.msAccountId, [...found.values(), ...created]);
  for (const [k, v] of out) cache.set(k, v);
  return out;
}

/** Step 2: finds MoySklad products for the wanted lines (article lookup, then Code) and settles them. */
async function lookUpInMoySklad(
  deps: ProductResolverDeps,
  synonyms: BrandSynonyms,
  wanted: Map<string, PartRef>,
  found: Map<string, RememberedProduct>,
  settle: (key: string, card: ResolvedCard) => void,
): Promise<void> {
  const candidates: CardCandidate[] = [];
  const bySyncId = new Map([...wanted.values()].map((p) => [productSyncId(synonyms, p.brand, p.article), p]));
  const take = (products: MsProduct[]): void => {
    for (const pr of products) {
      const split = splitProductCode(pr.code, pr.article);
      // A product this module created has the part's syncId: it names the part whatever its Code.
      const owner = pr.syncId !== undefined ? bySyncId.get(pr.syncId) : undefined;
      const brand = split.ok ? split.brand : owner?.brand;
      const article = split.ok ? split.article : owner?.article;
      if (brand === undefined || article === undefined || candidates.some((c) => c.msId === pr.id)) continue;
      candidates.push({ msId: pr.id, brand, article, name: pr.name, kind: 'product', archived: pr.archived === true, clean: true });
      found.set(pr.id, { msId: pr.id, brand, article, code: pr.code ?? null, name: pr.name, description: pr.description ?? null });
    }
  };
  const lookup = async (field: 'article' | 'code', values: string[]): Promise<void> => {
    for (let i = 0; i < values.length; i += LOOKUP_CHUNK) {
      const filter = values.slice(i, i + LOOKUP_CHUNK).map((v) => [field, '=', v] as const);
      take(await deps.client.listAll('entity/product', { filter }, productSchema));
    }
  };
  await lookup('article', [...new Set([...wanted.values()].map((p) => p.article.trim()))]);
  const noExact = [...wanted.values()].filter((p) => chooseCard(p, candidates, synonyms)?.via !== 'exact');
  if (noExact.length) await lookup('code', [...new Set(noExact.map((p) => composeProductCode(p.brand, p.article)))]);
  const chosen = new Set<string>();
  for (const [key, p] of [...wanted]) {
    const c = chooseCard(p, candidates, synonyms);
    if (!c) continue;
    settle(key, { msId: c.msId, kind: c.kind, via: 'moysklad' });
    chosen.add(c.msId);
  }
  // Only the products some line took are remembered.
  for (const id of [...found.keys()]) if (!chosen.has(id)) found.delete(id);
}

/** Step 3: creates one product per part still wanted (one batch request) and settles every line of it. */
async function createMissing(
  deps: ProductResolverDeps,
  synonyms: BrandSynonyms,
  wanted: Map<string, PartRef>,
  settle: (key: string, card: ResolvedCard) => void,
): Promise<RememberedProduct[]> {
  const byPart = new Map<string, Array<[string, PartRef]>>();
  for (const [key, p] of wanted) {
    const part = synonyms.partKey(p.brand, p.article);
    byPart.set(part, [...(byPart.get(part) ?? []), [key, p]]);
  }
  const groups = [...byPart.values()];
  const bodies: MsProductCreate[] = groups.map((g) => {
    const p = g[0]![1];
    return {
      name: (p.name || composeProductCode(p.brand, p.article)).slice(0, 255),
      code: composeProductCode(p.brand, p.article),
      article: p.article.trim(),
      syncId: productSyncId(synonyms, p.brand, p.article),
    };
  });
  const results = await deps.client.createProducts(bodies);
  const failures: string[] = [];
  const created: RememberedProduct[] = [];
  for (const r of results) {
    const group = groups[r.index]!;
    const first = group[0]![1];
    if (!r.ok) {
      failures.push(`${composeProductCode(first.brand, first.article)}: ${r.errors.map((e) => e.error).join('; ')}`);
      continue;
    }
    for (const [key] of group) settle(key, { msId: r.entity.id, kind: 'product', via: 'created' });
    const split = splitProductCode(r.entity.code, r.entity.article);
    created.push({
      msId: r.entity.id,
      brand: split.ok ? split.brand : first.brand,
      article: split.ok ? split.article : first.article.trim(),
      code: r.entity.code ?? null,
      name: r.entity.name,
      description: r.entity.description ?? null,
    });
  }
  if (failures.length) {
    throw new ExportError('product_create_failed', `MoySklad refused to create ${failures.length} product(s): ${failures.join(' | ')}`, {
      details: { failures },
    });
  }
  return created;
}
