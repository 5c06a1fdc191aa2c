/**
 * @module order-export
 * R5–R7, R20, R24, B1: brings ONE store order into MoySklad and keeps it in step, as a
 * reconciliation of the store's state against MoySklad's (never a replay of events), so that any
 * number of retries, crashes and coalesced outbox rows converge on the same result.
 *
 * - Not yet in MoySklad: the counterparty is ensured (R24), products resolved/created (R20), and the
 *   order is created with its stable `orders.sync_id` (B1) and `?expand=positions`, so a create
 *   costs ONE request and returns the position ids; a re-sent create (crash after MoySklad accepted
 *   it but before the store recorded it) returns the same order. Rejected/withdrawn lines are left
 *   out. More than 1000 lines: the first 1000 in the create, the rest via `/positions` in chunks.
 * - Already in MoySklad: one GET (`?expand=positions`), then position by position: new lines are
 *   POSTed to `/positions`, changed quantity/price/product PUT to that position, rejected/withdrawn
 *   ones DELETEd by id when the integration's option is on (R7). The order's positions array is
 *   never PUT (MoySklad would replace the whole list). MoySklad positions the store does not know
 *   (added by a person in MoySklad) are left alone.
 * - Store → MoySklad ids of the order and of every position are recorded (`ms_order_id`,
 *   `ms_position_id`, `ms_product_id`), each right after the request that produced it.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { BrandSynonyms } from '../../domain/brand-synonyms.js';
import { noBrandSynonyms } from '../../domain/brand-synonyms.js';
import type { OrderType } from '../../moysklad/client.js';
import { MoySkladNotFoundError } from '../../moysklad/errors.js';
import { idFromHref } from '../../moysklad/schemas/meta.js';
import {
  customerOrderSchema,
  purchaseOrderSchema,
  type MsCustomerOrder,
  type MsOrderCreate,
  type MsPosition,
  type MsPositionCreate,
} from '../../moysklad/schemas/order.js';
import type { Database, OrderPositionRow, OrderRow, PositionSyncState } from '../../store/schema.js';
import { CounterpartyCache, ensureCounterparty, type EnsuredCounterparty } from '../counterparties/counterparty-export.js';
import type { IntegrationContext } from '../integration-context.js';
import { ExportDeferred, ExportError } from '../outbox/export-error.js';
import { resolveProducts, type ResolveReport } from './product-resolver.js';
import { orderExportedEvent, positionDeletedEvent } from './order-events.js';
import type { PlatformEvent } from '../../domain/platform-events.js';
import { recordPlatformEvent } from '../../store/repositories/platform-event-recorder.js';

/** MoySklad accepts at most 1000 positions in one create or one `/positions` POST. */
export const MAX_POSITIONS_PER_REQUEST = 1000;

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', message: string, details?: unknown) => Promise<void> | void;

/** Memory shared by the orders of one drain run (per MoySklad account). */
export class ExportCaches {
  readonly #counterparties = new Map<number, CounterpartyCache>();
  readonly #products = new Map<number, Map<string, string>>();
  counterparties(msAccountId: number): CounterpartyCache {
    let c = this.#counterparties.get(msAccountId);
    if (!c) this.#counterparties.set(msAccountId, (c = new CounterpartyCache()));
    return c;
  }
  products(msAccountId: number): Map<string, string> {
    let c = this.#products.get(msAccountId);
    if (!c) this.#products.set(msAccountId, (c = new Map()));
    return c;
  }
}

export interface OrderExportHooks {
  /**
   * Test seam for crash safety: called after MoySklad accepted the create and before the store
   * records it. Throwing here simulates a crash between the two steps.
   */
  afterOrderCreated?: (info: { orderId: number; msOrderId: string }) => void | Promise<void>;
}

export interface OrderExportDeps {
  db: Kysely<Database>;
  clock: Clock;
  ctx: IntegrationContext;
  brandSynonyms?: BrandSynonyms;
  caches?: ExportCaches;
  log?: LogFn;
  hooks?: OrderExportHooks;
}

export interface OrderExportResult {
  orderId: number;
  msOrderId: string;
  /** `empty`: not in MoySklad yet and every line is rejected or withdrawn — nothing is sent (no empty order). */
  action: 'created' | 'updated' | 'unchanged' | 'empty';
  counterparty: EnsuredCounterparty['action'];
  positionsAdded: number;
  positionsUpdated: number;
  positionsDeleted: number;
  productsCreated: number;
}

type MsOrder = MsCustomerOrder;

const ref = (base: string, type: string, id: string) => ({ meta: { href: `${base}/entity/${type}/${id}`, type, mediaType: 'application/json' } });

const orderTypeOf = (o: Pick<OrderRow, 'kind'>): OrderType => (o.kind === 'customer' ? 'customerorder' : 'purchaseorder');

/** Exports (or brings up to date) one store order. Throws `ExportError` / `ExportDeferred` / MoySklad errors. */
export async function exportOrder(deps: OrderExportDeps, orderId: number): Promise<OrderExportResult> {
  const { db, clock, ctx } = deps;
  const { integration, msAccount, client } = ctx;
  const msAccountId = Number(msAccount.id);
  const caches = deps.caches ?? new ExportCaches();
  const synonyms = deps.brandSynonyms ?? noBrandSynonyms;
  const log: LogFn = deps.log ?? (() => undefined);

  const order = await db.selectFrom('orders').selectAll().where('id', '=', orderId).executeTakeFirst();
  if (!order) throw new ExportError('order_missing', `order ${orderId} no longer exists in the store`);
  const type = orderTypeOf(order);
  const cp = await db.selectFrom('counterparties').select(['id', 'kind', 'externalId']).where('id', '=', order.counterpartyId).executeTakeFirst();
  if (!cp) throw new ExportError('counterparty_missing', `order ${order.externalId}: counterparty ${order.counterpartyId} not found`);
  // R27, checked again at export time (the API refuses it at creation already).
  if (order.kind === 'customer' && cp.kind !== 'client') {
    throw new ExportError('supplier_not_client', `customer order ${order.externalId} is placed on supplier ${cp.externalId}; a supplier is never a client (R27)`);
  }
  if (order.kind === 'supplier' && cp.kind !== 'supplier') {
    throw new ExportError('client_not_supplier', `supplier order ${order.externalId} is placed on client ${cp.externalId}; a supplier order needs a supplier (R27)`);
  }
  if (order.kind === 'supplier' && integration.exportPurchaseOrders !== 1) {
    throw new ExportDeferred('purchase_orders_off', 'skipped: export of supplier orders is off for this integration (R6); the order waits until it is switched on');
  }
  if (!integration.organizationMsId) {
    throw new ExportDeferred('organization_missing', 'the integration has no MoySklad organization chosen yet (R9); the order waits');
  }
  if (order.msOrderId && order.msAccountId !== null && Number(order.msAccountId) !== msAccountId) {
    throw new ExportError('ms_account_changed', `order ${order.externalId} was exported to another MoySklad account (${order.msAccountId}); the region's integration changed account`);
  }

  const positions = await db.selectFrom('orderPositions').selectAll().where('orderId', '=', orderId).orderBy('id').execute();
  const active = positions.filter((p) => p.status === 'active');
  if (!order.msOrderId && active.length === 0) {
    // Never create an order without lines in MoySklad; a later new line queues the export again.
    await db
      .updateTable('orders')
      .set({ exportState: 'pending', exportError: 'nothing to send: every line is rejected or withdrawn', updatedAt: clock.now().toISOString() })
      .where('id', '=', orderId)
      .execute();
    return { orderId, msOrderId: '', action: 'empty', counterparty: 'linked', positionsAdded: 0, positionsUpdated: 0, positionsDeleted: 0, productsCreated: 0 };
  }
  const ensured = await ensureCounterparty(
    { db, clock, client, msAccountId, cache: caches.counterparties(msAccountId), log },
    Number(order.counterpartyId),
  );
  const report: ResolveReport = { fromTable: 0, fromMoySklad: 0, created: 0 };
  // R20 the product of every active line (table first; one lookup/one batch create for the rest).
  const productOf = await productIds(deps, active, synonyms, caches, report);
  /** Records a position's MoySklad link/state; with `event`, the platform's webhook event in the same transaction (E3). */
  const setPosition = async (p: OrderPositionRow, values: { msProductId?: string | null; msPositionId?: string | null; syncState: PositionSyncState }, event?: PlatformEvent): Promise<void> => {
    Object.assign(p, values);
    const write = (tx: Kysely<Database>) => tx.updateTable('orderPositions').set({ ...values, updatedAt: clock.now().toISOString() }).where('id', '=', p.id).execute();
    if (!event) await write(db);
    else
      await db.transaction().execute(async (tx) => {
        await write(tx);
        await recordPlatformEvent(tx, clock, event);
      });
  };
  for (const p of active) {
    const pid = productOf.get(p.id)!;
    if (p.msProductId !== pid) await setPosition(p, { msProductId: pid, syncState: p.syncState });
  }
  const positionBody = (p: OrderPositionRow): MsPositionCreate => ({
    assortment: ref(client.baseUrl, 'product', productOf.get(p.id)!),
    quantity: p.quantity,
    price: p.price,
  });

  const schema = type === 'customerorder' ? customerOrderSchema : purchaseOrderSchema;
  let msOrder: MsOrder;
  let action: OrderExportResult['action'];
  let freshlyCreated = false;
  if (!order.msOrderId) {
    const body: MsOrderCreate = {
      organization: ref(client.baseUrl, 'organization', integration.organizationMsId),
      agent: ref(client.baseUrl, 'counterparty', ensured.msId),
      externalCode: order.externalId.slice(0, 255),
      syncId: order.syncId,
      positions: active.slice(0, MAX_POSITIONS_PER_REQUEST).map(positionBody),
    };
    const storeId = await storeFor(db, order, active, integration.defaultStoreMsId);
    if (storeId) body.store = ref(client.baseUrl, 'store', storeId);
    if (order.comment) body.description = order.comment;
    // B1: the syncId makes this POST idempotent (the client retries it on 5xx/timeouts too).
    const raw = await client.request('POST', `entity/${type}`, { query: { expand: 'positions' }, body, idempotent: true });
    msOrder = schema.parse(raw) as MsOrder;
    await deps.hooks?.afterOrderCreated?.({ orderId, msOrderId: msOrder.id });
    await db
      .updateTable('orders')
      .set({ msOrderId: msOrder.id, msAccountId, updatedAt: clock.now().toISOString() })
      .where('id', '=', orderId)
      .execute();
    order.msOrderId = msOrder.id;
    action = 'created';
    freshlyCreated = true;
  } else {
    try {
      msOrder = (await client.getOrder(type, order.msOrderId, { expand: 'positions' })) as MsOrder;
    } catch (e) {
      if (e instanceof MoySkladNotFoundError) {
        throw new ExportError('ms_order_deleted', `order ${order.externalId}: MoySklad ${type} ${order.msOrderId} was deleted in MoySklad; not re-created automatically`, { cause: e });
      }
      throw e;
    }
    action = 'unchanged';
  }
  const msOrderId = msOrder.id;

  let msPositions: MsPosition[] = msOrder.positions?.rows ?? [];
  const size = msOrder.positions?.meta.size;
  if (size !== undefined && size > msPositions.length) msPositions = await client.orderPositions(type, msOrderId);

  // Link what is linked, adopt what MoySklad already holds (a create re-sent after a crash, or an
  // add whose answer was lost), then act position by position.
  const msById = new Map(msPositions.map((m) => [m.id, m]));
  const claimed = new Set<string>();
  for (const p of positions) {
    if (!p.msPositionId) continue;
    if (msById.has(p.msPositionId) && !claimed.has(p.msPositionId)) {
      if (p.status === 'active' || p.syncState !== 'deleted') claimed.add(p.msPositionId);
      continue;
    }
    if (p.status === 'active') {
      if (!freshlyCreated) await log('warn', `order ${order.externalId}: MoySklad position ${p.msPositionId} (line ${p.externalId}) is gone; adding the line again`);
      await setPosition(p, { msPositionId: null, syncState: 'pending' });
    } else if (p.syncState !== 'deleted') {
      await setPosition(p, { syncState: 'deleted' });
    }
  }
  const unlinked = () => active.filter((p) => !p.msPositionId);
  const assortmentId = (m: MsPosition): string => idFromHref(m.assortment.meta.href);
  const adopt = async (candidates: MsPosition[]): Promise<void> => {
    for (const strict of [true, false]) {
      for (const p of unlinked()) {
        const pid = productOf.get(p.id);
        const m = candidates.find(
          (x) => !claimed.has(x.id) && assortmentId(x) === pid && (!strict || (x.quantity === p.quantity && Math.round(x.price) === p.price)),
        );
        if (!m) continue;
        claimed.add(m.id);
        await setPosition(p, { msPositionId: m.id, syncState: 'synced' });
      }
    }
  };
  await adopt(msPositions);

  let added = 0;
  const toAdd = unlinked();
  for (let i = 0; i < toAdd.length; i += MAX_POSITIONS_PER_REQUEST) {
    const chunk = toAdd.slice(i, i + MAX_POSITIONS_PER_REQUEST);
    const answer = await client.addPositions(type, msOrderId, chunk.map(positionBody));
    for (const m of answer) msById.set(m.id, m);
    await adopt(answer);
    added += chunk.length;
  }

  let updated = 0;
  for (const p of active) {
    if (!p.msPositionId) continue;
    const m = msById.get(p.msPositionId);
    if (!m) continue;
    const pid = productOf.get(p.id)!;
    const patch: Partial<MsPositionCreate> = {};
    if (m.quantity !== p.quantity) patch.quantity = p.quantity;
    if (Math.round(m.price) !== p.price) patch.price = p.price;
    if (assortmentId(m) !== pid) patch.assortment = ref(client.baseUrl, 'product', pid);
    if (Object.keys(patch).length) {
      await client.updatePosition(type, msOrderId, p.msPositionId, patch);
      updated += 1;
    }
    if (p.syncState !== 'synced') await setPosition(p, { syncState: 'synced' });
  }

  // R7: a rejected or withdrawn line → delete exactly that position, by its id.
  let deleted = 0;
  for (const p of positions) {
    if (p.status === 'active' || !p.msPositionId || p.syncState === 'deleted' || !msById.has(p.msPositionId)) continue;
    if (integration.deleteRejectedPositions !== 1) continue;
    await client.deletePosition(type, msOrderId, p.msPositionId);
    await setPosition(p, { syncState: 'deleted' }, positionDeletedEvent(order, p, p.msPositionId));
    deleted += 1;
  }

  if (!freshlyCreated && (order.comment ?? '') !== (msOrder.description ?? '')) {
    await client.request('PUT', `entity/${type}/${encodeURIComponent(msOrderId)}`, { body: { description: order.comment ?? '' } });
    updated += 1;
  }
  if (!freshlyCreated && (added || updated || deleted)) action = 'updated';

  const at = clock.now().toISOString();
  await db.transaction().execute(async (tx) => {
    await tx.updateTable('orders').set({ msOrderId, msAccountId, exportState: 'sent', exportError: null, exportedAt: at, updatedAt: at }).where('id', '=', orderId).execute();
    // E3: the platform hears that the order reached MoySklad (a no-op run of a sent order says nothing).
    if (action !== 'unchanged' || order.exportState !== 'sent') await recordPlatformEvent(tx, clock, orderExportedEvent(order, msOrderId, action, at));
  });
  return {
    orderId,
    msOrderId,
    action,
    counterparty: ensured.action,
    positionsAdded: freshlyCreated ? Math.min(active.length, MAX_POSITIONS_PER_REQUEST) + added : added,
    positionsUpdated: updated,
    positionsDeleted: deleted,
    productsCreated: report.created,
  };
}

async function productIds(
  deps: OrderExportDeps,
  active: OrderPositionRow[],
  synonyms: BrandSynonyms,
  caches: ExportCaches,
  report: ResolveReport,
): Promise<Map<number, string>> {
  const msAccountId = Number(deps.ctx.msAccount.id);
  const out = new Map<number, string>();
  // A line that already has its product keeps it while its brand + article still name that
  // product (a duplicate product appearing later in MoySklad must not move exported positions).
  const linked = active.filter((p) => p.msProductId);
  if (linked.length) {
    const ids = [...new Set(linked.map((p) => p.msProductId!))];
    const keyOf = new Map<string, string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await deps.db
        .selectFrom('products')
        .select(['msId', 'brand', 'article'])
        .where('msAccountId', '=', msAccountId)
        .where('msId', 'in', ids.slice(i, i + 500))
        .where('deleted', '=', 0)
        .execute();
      for (const r of rows) keyOf.set(r.msId, synonyms.partKey(r.brand, r.article));
    }
    for (const p of linked) {
      if (keyOf.get(p.msProductId!) === synonyms.partKey(p.brand, p.article)) out.set(p.id, p.msProductId!);
    }
  }
  const rest = active.filter((p) => !out.has(p.id));
  if (rest.length === 0) return out;
  const byKey = await resolveProducts(
    {
      db: deps.db,
      clock: deps.clock,
      client: deps.ctx.client,
      msAccountId,
      brandSynonyms: synonyms,
      cache: caches.products(msAccountId),
    },
    rest.map((p) => ({ brand: p.brand, article: p.article, name: p.name })),
    report,
  );
  for (const p of rest) {
    const id = byKey.get(synonyms.partKey(p.brand, p.article));
    if (!id) throw new ExportError('product_unresolved', `line ${p.externalId} (${p.brand} ${p.article}) has no MoySklad product`);
    out.set(p.id, id);
  }
  return out;
}

/** The MoySklad store: the order's price list's, else the one most lines came from, else the integration's default. */
async function storeFor(db: Kysely<Database>, order: OrderRow, active: OrderPositionRow[], fallback: string | null): Promise<string | null> {
  const counts = new Map<number, number>();
  if (order.priceListId !== null) counts.set(Number(order.priceListId), Number.MAX_SAFE_INTEGER);
  for (const p of active) if (p.priceListId !== null) counts.set(Number(p.priceListId), (counts.get(Number(p.priceListId)) ?? 0) + 1);
  if (counts.size) {
    const rows = await db.selectFrom('priceLists').select(['id', 'msStoreId']).where('id', 'in', [...counts.keys()]).execute();
    const bound = rows.filter((r) => r.msStoreId).sort((a, b) => (counts.get(Number(b.id)) ?? 0) - (counts.get(Number(a.id)) ?? 0));
    if (bound[0]?.msStoreId) return bound[0].msStoreId;
  }
  return fallback;
}
