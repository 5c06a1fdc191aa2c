/**
 * @module order-lines
 * The pieces `exportOrder` builds from a store order before it talks to MoySklad: the card of
 * every active line (R20, C1, C2), the MoySklad store of the order (C4), the lines and positions
 * as the pure reconciliation plan sees them, and the JSON of a position.
 */
import type { BrandSynonyms } from '../../domain/brand-synonyms.js';
import type { CardRef, MsLine, PositionPatch, StoreLine } from '../../domain/order-reconciliation.js';
import { lineKey } from '../../domain/product-match.js';
import { idFromHref } from '../../moysklad/schemas/meta.js';
import type { MsPosition, MsPositionCreate } from '../../moysklad/schemas/order.js';
import type { Db } from '../../store/db.js';
import { OrderCatalogRepository } from '../../store/repositories/order-catalog-repository.js';
import type { OrderPositionRow, OrderRow } from '../../store/schema.js';
import type { Clock } from '../../core/clock.js';
import type { MoySkladClient } from '../../moysklad/client.js';
import { ExportError } from '../outbox/export-error.js';
import { resolveProducts, type ResolvedCard, type ResolveReport } from './product-resolver.js';

export const msRef = (base: string, type: string, id: string) => ({ meta: { href: `${base}/entity/${type}/${id}`, type, mediaType: 'application/json' } });

export interface CardsDeps {
  db: Db;
  clock: Clock;
  client: MoySkladClient;
  msAccountId: number;
  synonyms: BrandSynonyms;
  /** `lineKey` → card, shared by the orders of one drain run. */
  cache: Map<string, ResolvedCard>;
}

/**
 * The card of every active line. A line already in MoySklad keeps its card while its brand +
 * article still name that card (a duplicate appearing later must not move exported positions);
 * the others are resolved (price list row, exact card, synonym card, MoySklad, created).
 */
export async function cardsOf(deps: CardsDeps, order: Pick<OrderRow, 'priceListId'>, active: readonly OrderPositionRow[], report: ResolveReport): Promise<Map<number, CardRef>> {
  const out = new Map<number, CardRef>();
  const exported = active.filter((p) => p.msProductId && p.msPositionId);
  if (exported.length) {
    const known = await new OrderCatalogRepository(deps.db, deps.clock).cardsByMsIds(deps.msAccountId, exported.map((p) => p.msProductId!));
    for (const p of exported) {
      const c = known.get(p.msProductId!);
      if (c && deps.synonyms.partKey(c.brand, c.article) === deps.synonyms.partKey(p.brand, p.article)) out.set(p.id, { msId: c.msId, kind: c.kind });
    }
  }
  const rest = active.filter((p) => !out.has(p.id));
  if (rest.length === 0) return out;
  const part = (p: OrderPositionRow) => ({ brand: p.brand, article: p.article, name: p.name, priceListId: p.priceListId ?? order.priceListId });
  const byKey = await resolveProducts(
    { db: deps.db, clock: deps.clock, client: deps.client, msAccountId: deps.msAccountId, brandSynonyms: deps.synonyms, cache: deps.cache },
    rest.map(part),
    report,
  );
  for (const p of rest) {
    const card = byKey.get(lineKey(part(p)));
    if (!card) throw new ExportError('product_unresolved', `line ${p.externalId} (${p.brand} ${p.article}) has no MoySklad product`);
    out.set(p.id, { msId: card.msId, kind: card.kind });
  }
  return out;
}

/** The MoySklad store of a new order: its price list's, else the one most lines came from, else the integration's default. */
export async function storeFor(db: Db, clock: Clock, order: Pick<OrderRow, 'priceListId'>, lines: readonly OrderPositionRow[], fallback: string | null): Promise<string | null> {
  const counts = new Map<number, number>();
  if (order.priceListId !== null) counts.set(Number(order.priceListId), Number.MAX_SAFE_INTEGER);
  for (const p of lines) if (p.priceListId !== null) counts.set(Number(p.priceListId), (counts.get(Number(p.priceListId)) ?? 0) + 1);
  if (counts.size === 0) return fallback;
  const stores = await new OrderCatalogRepository(db, clock).storesOfPriceLists([...counts.keys()]);
  const best = [...stores.keys()].sort((a, b) => (counts.get(b) ?? 0) - (counts.get(a) ?? 0))[0];
  return best !== undefined ? stores.get(best)! : fallback;
}

/** The store lines as the plan sees them; `reserve` is the reserve to send for a quantity (null: none). */
export function storeLines(positions: readonly OrderPositionRow[], cards: ReadonlyMap<number, CardRef>, reserve: (quantity: number) => number | null): StoreLine[] {
  return positions.map((p) => ({
    id: Number(p.id),
    active: p.status === 'active',
    msPositionId: p.msPositionId,
    syncState: p.syncState,
    card: cards.get(p.id) ?? null,
    quantity: p.quantity,
    price: p.price,
    reserve: p.status === 'active' ? reserve(p.quantity) : null,
  }));
}

export const msLine = (m: MsPosition): MsLine => ({ id: m.id, assortmentId: idFromHref(m.assortment.meta.href), quantity: m.quantity, price: m.price, reserve: m.reserve ?? 0 });

/** The JSON of a new position (C2: a variant is referenced as `variant`; C4: its reserve). */
export function positionBody(base: string, line: StoreLine): MsPositionCreate {
  const body: MsPositionCreate = { assortment: msRef(base, line.card!.kind, line.card!.msId), quantity: line.quantity, price: line.price };
  if (line.reserve !== null) body.reserve = line.reserve;
  return body;
}

/** The JSON of a position update. */
export function patchBody(base: string, patch: PositionPatch): Partial<MsPositionCreate> {
  const { assortment, ...rest } = patch;
  return assortment ? { ...rest, assortment: msRef(base, assortment.kind, assortment.msId) } : { ...rest };
}
