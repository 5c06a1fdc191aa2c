/**
 * @module product-resolver
 * R20: order lines → MoySklad products by brand + normalized article (brand synonyms count as one
 * brand). Order of lookups, cheapest first:
 * 1. the synced `products` table of this MoySklad account (no request);
 * 2. MoySklad by article (`filter=article=A;article=B…`, one request for all still-unknown lines of
 *    the order; repeated `=` means OR), then by Code `BRAND ARTICLE` the same way;
 * 3. create the rest in ONE batch (Code `BRAND ARTICLE`, Article `ARTICLE`, the line's name), each
 *    with a `syncId` derived from the part identity, so a product is created once even when two
 *    orders, two workers or a retry ask for it (R20, B1).
 * Products found or created in MoySklad are added to the `products` table (insert only, never
 * overwriting what the nomenclature sync wrote) so the next order finds them without a request.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { normalizeArticle, normalizeBrand } from '../../core/normalize.js';
import { noBrandSynonyms, type BrandSynonyms } from '../../domain/brand-synonyms.js';
import { composeProductCode, splitProductCode } from '../../domain/product-code.js';
import { searchTextOf } from '../../domain/search-text.js';
import type { MoySkladClient } from '../../moysklad/client.js';
import { productSchema, type MsProduct, type MsProductCreate } from '../../moysklad/schemas/product.js';
import type { Database } from '../../store/schema.js';
import { derivedSyncId } from '../outbox/derived-sync-id.js';
import { ExportError } from '../outbox/export-error.js';

export interface PartRef {
  brand: string;
  article: string;
  name: string;
}

export interface ProductResolverDeps {
  db: Kysely<Database>;
  clock: Clock;
  client: MoySkladClient;
  msAccountId: number;
  brandSynonyms?: BrandSynonyms;
  /** partKey → MoySklad product id, shared by the orders of one drain run. */
  cache?: Map<string, string>;
}

export interface ResolveReport {
  fromTable: number;
  fromMoySklad: number;
  created: number;
}

const LOOKUP_CHUNK = 50;

/** The syncId of the MoySklad product created for a part (brand synonyms share it). */
export const productSyncId = (synonyms: BrandSynonyms, brand: string, article: string): string =>
  derivedSyncId('product', synonyms.partKey(brand, article));

/** Resolves every part to a MoySklad product id (creating missing products). Keys of the result are `partKey`s. */
export async function resolveProducts(deps: ProductResolverDeps, parts: readonly PartRef[], report?: ResolveReport): Promise<Map<string, string>> {
  const synonyms = deps.brandSynonyms ?? noBrandSynonyms;
  const cache = deps.cache ?? new Map<string, string>();
  const out = new Map<string, string>();
  const wanted = new Map<string, PartRef>();
  for (const p of parts) {
    const key = synonyms.partKey(p.brand, p.article);
    const hit = cache.get(key);
    if (hit) out.set(key, hit);
    else if (!wanted.has(key)) wanted.set(key, p);
  }
  if (wanted.size === 0) return out;

  // 1. The synced directory.
  const articles = [...new Set([...wanted.values()].map((p) => normalizeArticle(p.article)))];
  for (let i = 0; i < articles.length; i += 500) {
    const rows = await deps.db
      .selectFrom('products')
      .select(['msId', 'brand', 'article', 'archived'])
      .where('msAccountId', '=', deps.msAccountId)
      .where('articleNorm', 'in', articles.slice(i, i + 500))
      .where('deleted', '=', 0)
      .orderBy('archived')
      // A card the nomenclature skipped (duplicate brand+article, broken Code) is used only when no
      // cleanly synced card names the part: 'ok' sorts before 'skipped'.
      .orderBy('syncState')
      .orderBy('id')
      .execute();
    for (const r of rows) {
      const key = synonyms.partKey(r.brand, r.article);
      if (wanted.has(key) && !out.has(key)) {
        out.set(key, r.msId);
        if (report) report.fromTable += 1;
      }
    }
  }
  for (const k of out.keys()) wanted.delete(k);

  // 2. MoySklad, by article then by code.
  const found: MsProduct[] = [];
  if (wanted.size) {
    const take = (products: MsProduct[]): void => {
      for (const pr of products) {
        const split = splitProductCode(pr.code, pr.article);
        const keys = new Set<string>();
        if (split.ok) keys.add(synonyms.partKey(split.brand, split.article));
        for (const [key, part] of wanted) {
          if (pr.syncId && pr.syncId === productSyncId(synonyms, part.brand, part.article)) keys.add(key);
        }
        for (const key of keys) {
          if (wanted.has(key) && !out.has(key)) {
            out.set(key, pr.id);
            found.push(pr);
            if (report) report.fromMoySklad += 1;
          }
        }
      }
      for (const k of out.keys()) wanted.delete(k);
    };
    const lookup = async (field: 'article' | 'code', values: string[]): Promise<void> => {
      for (let i = 0; i < values.length; i += LOOKUP_CHUNK) {
        const filter = values.slice(i, i + LOOKUP_CHUNK).map((v) => [field, '=', v] as const);
        take(await deps.client.listAll('entity/product', { filter }, productSchema));
      }
    };
    await lookup('article', [...new Set([...wanted.values()].map((p) => p.article.trim()))]);
    if (wanted.size) await lookup('code', [...new Set([...wanted.values()].map((p) => composeProductCode(p.brand, p.article)))]);
  }

  // 3. Create what is still missing, once.
  const created: MsProduct[] = [];
  if (wanted.size) {
    const entries = [...wanted.entries()];
    const bodies: MsProductCreate[] = entries.map(([, p]) => ({
      name: (p.name || composeProductCode(p.brand, p.article)).slice(0, 255),
      code: composeProductCode(p.brand, p.article),
      article: p.article.trim(),
      syncId: productSyncId(synonyms, p.brand, p.article),
    }));
    const results = await deps.client.createProducts(bodies);
    const failures: string[] = [];
    for (const r of results) {
      const [key, part] = entries[r.index]!;
      if (r.ok) {
        out.set(key, r.entity.id);
        created.push(r.entity);
        if (report) report.created += 1;
      } else {
        failures.push(`${composeProductCode(part.brand, part.article)}: ${r.errors.map((e) => e.error).join('; ')}`);
      }
    }
    if (failures.length) {
      throw new ExportError('product_create_failed', `MoySklad refused to create ${failures.length} product(s): ${failures.join(' | ')}`, {
        details: { failures },
      });
    }
  }

  await remember(deps, [...found, ...created]);
  for (const [k, v] of out) cache.set(k, v);
  return out;
}

/** Adds products to the local directory without touching rows the nomenclature sync owns. */
async function remember(deps: ProductResolverDeps, products: MsProduct[]): Promise<void> {
  const now = deps.clock.now().toISOString();
  for (const pr of products) {
    const split = splitProductCode(pr.code, pr.article);
    if (!split.ok) continue;
    await deps.db
      .insertInto('products')
      .values({
        msAccountId: deps.msAccountId,
        msId: pr.id,
        brand: split.brand,
        brandNorm: normalizeBrand(split.brand),
        article: split.article,
        articleNorm: normalizeArticle(split.article),
        code: pr.code ?? null,
        name: pr.name,
        description: pr.description ?? null,
        categoryId: null,
        msFolderId: null,
        msUpdated: null,
        skipReason: null,
        searchText: searchTextOf(split.brand, split.article, pr.code, pr.name),
        createdAt: now,
        updatedAt: now,
      })
      .onConflict((oc) => oc.columns(['msAccountId', 'msId']).doNothing())
      .execute();
  }
}
