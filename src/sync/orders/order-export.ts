/**
 * @module order-export
 * R5–R7, R20, R24, B1, C1, C2, C4, C6: brings ONE store order into MoySklad and keeps it in step, as
 * a reconciliation of the store's state against MoySklad's (never a replay of events), so that any
 * number of retries, crashes and coalesced outbox rows converge on the same result. What to do is
 * decided by the pure plans of `domain/order-reconciliation.ts`; this module loads both sides and
 * carries the plan out, recording every MoySklad id right after the request that produced it.
 *
 * - `create`: the counterparty is ensured (R24), cards resolved/created (R20, C1), and the order is
 *   created with its stable `orders.sync_id` (B1) and `?expand=positions` — ONE request that returns
 *   the position ids; a re-sent create (crash after MoySklad accepted it) returns the same order.
 *   Rejected/withdrawn lines are left out; more than 1000 lines go on through `/positions`.
 * - `reconcile`: one GET (`?expand=positions`), then position by position: new lines POSTed to
 *   `/positions`, changed quantity/price/card PUT to that position, rejected/withdrawn ones DELETEd
 *   by id when the integration's option is on (R7) or given back their reserve when it is off. The
 *   positions array is never PUT. Positions a person added in MoySklad are left alone.
 * - `delete` (C6): every line rejected or withdrawn and the R7 option on → `DELETE` of the MoySklad
 *   order; a 404 (already deleted, e.g. by a run that crashed before recording it) counts as done.
 * - Positions reference a variant as `variant` (C2); customer-order positions carry `reserve` = the
 *   quantity when the integration's option is on and the order has a store (C4), and the result
 *   names that store so that its price lists get a stock run right away.
 */
import type { Clock } from '../../core/clock.js';
import type { BrandSynonyms } from '../../domain/brand-synonyms.js';
import { noBrandSynonyms } from '../../domain/brand-synonyms.js';
import { COUNTERPARTY_KIND_OF_ORDER, orderCounterpartyProblem } from '../../domain/order-counterparty.js';
import { adoptPositions, decideOrderAction, planPositions, type CardRef, type StoreLine } from '../../domain/order-reconciliation.js';
import type { OrderType } from '../../moysklad/client.js';
import { MoySkladNotFoundError } from '../../moysklad/errors.js';
import { idFromHref } from '../../moysklad/schemas/meta.js';
import type { MsCustomerOrder, MsOrderCreate, MsPosition, MsPurchaseOrder } from '../../moysklad/schemas/order.js';
import type { Db } from '../../store/db.js';
import { OrderRepository, type Order } from '../../store/repositories/order-repository.js';
import type { OrderPositionRow, OrderRow, PositionSyncState } from '../../store/schema.js';
import { CounterpartyCache, ensureCounterparty, type EnsuredCounterparty } from '../counterparties/counterparty-export.js';
import type { IntegrationContext } from '../integration-context.js';
import { derivedSyncId } from '../outbox/derived-sync-id.js';
import { ExportDeferred, ExportError } from '../outbox/export-error.js';
import { cardsOf, msLine, msRef, patchBody, positionBody, storeFor, storeLines } from './order-lines.js';
import { emptyResolveReport, type ResolvedCard, type ResolveReport } from './product-resolver.js';
import { orderExportedEvent, positionDeletedEvent } from './order-events.js';
import type { PlatformEvent } from '../../domain/platform-events.js';
import { logMsg, type LogMessage } from '../../domain/log-messages.js';
import type { OrderBatchBuffer } from './order-batch-buffer.js';

/** MoySklad accepts at most 1000 positions in one create or one `/positions` POST. */
export const MAX_POSITIONS_PER_REQUEST = 1000;

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', message: string, details?: unknown, text?: LogMessage) => Promise<void> | void;

/** Memory shared by the orders of one drain run (per MoySklad account). */
export class ExportCaches {
  readonly #counterparties = new Map<number, CounterpartyCache>();
  readonly #products = new Map<number, Map<string, ResolvedCard>>();
  counterparties(msAccountId: number): CounterpartyCache {
    let c = this.#counterparties.get(msAccountId);
    if (!c) this.#counterparties.set(msAccountId, (c = new CounterpartyCache()));
    return c;
  }
  products(msAccountId: number): Map<string, ResolvedCard> {
    let c = this.#products.get(msAccountId);
    if (!c) this.#products.set(msAccountId, (c = new Map()));
    return c;
  }
}

type HookInfo = { orderId: number; msOrderId: string };

/** Test seams for crash safety: throwing in a hook simulates a crash at that point. */
export interface OrderExportHooks {
  /** After MoySklad accepted the create, before the store records it. */
  afterOrderCreated?: (info: HookInfo) => void | Promise<void>;
  /** P2: after MoySklad answered an array POST of orders, before the store records any of them. */
  afterBatchCreated?: (info: { orderIds: number[] }) => void | Promise<void>;
  /** C6: after the last rejection was committed, before the DELETE of the MoySklad order. */
  beforeOrderDeleted?: (info: HookInfo) => void | Promise<void>;
  /** C6: after MoySklad deleted the order, before the store records it. */
  afterOrderDeleted?: (info: HookInfo) => void | Promise<void>;
}

export interface OrderExportDeps {
  db: Db;
  clock: Clock;
  ctx: IntegrationContext;
  brandSynonyms?: BrandSynonyms;
  caches?: ExportCaches;
  log?: LogFn;
  hooks?: OrderExportHooks;
  /** P2: the batch's writes are collected here and committed together instead of one by one. */
  batch?: OrderBatchBuffer;
}

export interface OrderExportResult {
  orderId: number;
  msOrderId: string;
  /**
   * `empty`: not in MoySklad yet and every line is rejected or withdrawn — nothing is sent (no empty
   * order). `deleted`: every line is rejected or withdrawn and the MoySklad order was deleted (C6).
   */
  action: 'created' | 'updated' | 'unchanged' | 'empty' | 'deleted';
  counterparty: EnsuredCounterparty['action'];
  positionsAdded: number;
  positionsUpdated: number;
  positionsDeleted: number;
  productsCreated: number;
  /** C4: the MoySklad store whose reserves this export changed (its price lists need a stock run), or null. */
  reservesChangedAt: string | null;
}

/** A customer or purchase order as MoySklad answers it. */
export type MsOrder = MsCustomerOrder | MsPurchaseOrder;

const orderTypeOf = (o: Pick<OrderRow, 'kind'>): OrderType => (o.kind === 'customer' ? 'customerorder' : 'purchaseorder');

/** An order as the export sees it: the row, its MoySklad type, every line and the active ones. */
export interface Subject {
  order: OrderRow;
  type: OrderType;
  positions: OrderPositionRow[];
  active: OrderPositionRow[];
}

/** Exports (or brings up to date, or deletes) one store order. Throws `ExportError` / `ExportDeferred` / MoySklad errors. */
export async function exportOrder(deps: OrderExportDeps, orderId: number): Promise<OrderExportResult> {
  const s = await loadSubject(deps, orderId);
  const action = decideOrderAction({
    inMoySklad: s.order.msOrderId !== null && s.order.msDeletedAt === null,
    deletedInMoySklad: s.order.msDeletedAt !== null,
    activeLines: s.active.length,
    deleteRejected: deps.ctx.integration.deleteRejectedPositions === 1,
  });
  const nothing = { counterparty: 'linked' as const, positionsAdded: 0, positionsUpdated: 0, positionsDeleted: 0, productsCreated: 0, reservesChangedAt: null };
  switch (action) {
    case 'empty':
      // Never create an order without lines in MoySklad; a later new line queues the export again.
      await new OrderRepository(deps.db, deps.clock).markNothingToSend(orderId, 'nothing to send: every line is rejected or withdrawn');
      return { orderId, msOrderId: '', action: 'empty', ...nothing };
    case 'closed':
      // The MoySklad order is deleted and no line is active again: nothing to send.
      await new OrderRepository(deps.db, deps.clock).markNothingLeft(orderId);
      return { orderId, msOrderId: s.order.msOrderId ?? '', action: 'unchanged', ...nothing };
    case 'delete':
      return deleteMsOrder(deps, s);
    case 'create':
    case 'reconcile':
      return sendOrder(deps, s, action);
  }
}

type CounterpartyKind = Awaited<ReturnType<OrderRepository['counterpartyOf']>>;

/** Loads the order and checks what must hold before any MoySklad request (R6, R9, R27); P2 passes the order and its counterparty read for the whole batch. */
export async function loadSubject(deps: OrderExportDeps, orderId: number, loaded?: Order | null, counterparty?: CounterpartyKind): Promise<Subject> {
  const { db, ctx } = deps;
  const { integration } = ctx;
  const found = loaded ?? (await new OrderRepository(db, deps.clock).find(orderId));
  if (!found) throw new ExportError('order_missing', `order ${orderId} no longer exists in the store`);
  const { positions, ...order } = found;
  const cp = counterparty !== undefined ? counterparty : await new OrderRepository(db, deps.clock).counterpartyOf(order);
  if (!cp) throw new ExportError('counterparty_missing', `order ${order.externalId}: counterparty ${order.counterpartyId} not found`);
  // R27, checked again at export time (the order service refuses it at creation already).
  const problem = orderCounterpartyProblem(order.kind, cp.kind);
  if (problem) throw new ExportError(problem, `${order.kind} order ${order.externalId} is placed on ${cp.kind} ${cp.externalId}; a ${order.kind} order needs a ${COUNTERPARTY_KIND_OF_ORDER[order.kind]} (R27)`);
  if (order.kind === 'supplier' && integration.exportPurchaseOrders !== 1) {
    throw new ExportDeferred('purchase_orders_off', 'skipped: export of supplier orders is off for this integration (R6); the order waits until it is switched on');
  }
  if (!integration.organizationMsId) {
    throw new ExportDeferred('organization_missing', 'the integration has no MoySklad organization chosen yet (R9); the order waits');
  }
  if (order.msOrderId && order.msAccountId !== null && Number(order.msAccountId) !== Number(ctx.msAccount.id)) {
    throw new ExportError('ms_account_changed', `order ${order.externalId} was exported to another MoySklad account (${order.msAccountId}); the region's integration changed account`);
  }
  return { order, type: orderTypeOf(order), positions, active: positions.filter((p) => p.status === 'active') };
}

/** C6: deletes the MoySklad order of an order whose every line is rejected or withdrawn (404 = already done). */
async function deleteMsOrder(deps: OrderExportDeps, s: Subject): Promise<OrderExportResult> {
  const msOrderId = s.order.msOrderId!;
  const info = { orderId: Number(s.order.id), msOrderId };
  await deps.hooks?.beforeOrderDeleted?.(info);
  let alreadyGone = false;
  try {
    await deps.ctx.client.deleteOrder(s.type, msOrderId);
  } catch (e) {
    if (!(e instanceof MoySkladNotFoundError)) throw e;
    alreadyGone = true;
  }
  await deps.hooks?.afterOrderDeleted?.(info);
  // E3: each position that went with the MoySklad order is announced as deleted, in the same transaction.
  const gone = s.positions.filter((p) => p.msPositionId && p.syncState !== 'deleted');
  await new OrderRepository(deps.db, deps.clock).markMsOrderDeleted(info.orderId, gone.map((p) => positionDeletedEvent(s.order, p, p.msPositionId!)));
  if (alreadyGone) await deps.log?.('info', `order ${s.order.externalId}: MoySklad ${s.type} ${msOrderId} was already deleted; recorded as deleted`, undefined, logMsg('order_ms_already_deleted', { order: s.order.externalId }));
  const store = s.type === 'customerorder' ? await storeFor(deps.db, deps.clock, s.order, s.positions, deps.ctx.integration.defaultStoreMsId) : null;
  const deleted = s.positions.filter((p) => p.msPositionId && p.syncState !== 'deleted').length;
  return { orderId: info.orderId, msOrderId, action: 'deleted', counterparty: 'linked', positionsAdded: 0, positionsUpdated: 0, positionsDeleted: deleted, productsCreated: 0, reservesChangedAt: store };
}

/** What an order needs before its MoySklad order is created or reconciled (counterparty, cards). */
export interface PreparedSend {
  ensured: EnsuredCounterparty;
  cards: Map<number, CardRef>;
  report: ResolveReport;
}

/** The reserve of a customer-order position at `store` (C4), or none. */
const reserveIn = (deps: OrderExportDeps, s: Subject, store: string | null) => (quantity: number) =>
  s.type === 'customerorder' && deps.ctx.integration.reservePositions === 1 && store ? quantity : null;

/** R24, R20: links the counterparty and finds (or creates) the card of every active line. */
export async function prepareSend(deps: OrderExportDeps, s: Subject): Promise<PreparedSend> {
  const { db, clock, ctx } = deps;
  const msAccountId = Number(ctx.msAccount.id);
  const caches = deps.caches ?? new ExportCaches();
  const ensured = await ensureOnce(deps, Number(s.order.counterpartyId), () => ensureCounterparty({ db, clock, client: ctx.client, msAccountId, cache: caches.counterparties(msAccountId), log: deps.log ?? (() => undefined) }, Number(s.order.counterpartyId)));
  const report = emptyResolveReport();
  const synonyms = deps.brandSynonyms ?? noBrandSynonyms;
  const cards = await cardsOf({ db, clock, client: ctx.client, msAccountId, synonyms, cache: caches.products(msAccountId) }, s.order, s.active, report);
  for (const p of s.active) {
    const card = cards.get(p.id)!;
    if (p.msProductId !== card.msId) await setLine(deps, p, { msProductId: card.msId, syncState: p.syncState });
  }
  return { ensured, cards, report };
}

/** P2: a counterparty ensured earlier in the batch is linked (what `ensureCounterparty` answers the second time). */
async function ensureOnce(deps: OrderExportDeps, counterpartyId: number, ensure: () => Promise<EnsuredCounterparty>): Promise<EnsuredCounterparty> {
  const known = deps.batch?.counterparties.get(counterpartyId);
  if (known) return { ...known, action: 'linked' };
  const ensured = await ensure();
  deps.batch?.counterparties.set(counterpartyId, ensured);
  return ensured;
}

/** The create body of an order not in MoySklad yet (B1: with its syncId; at most 1000 lines). */
export async function createBody(deps: OrderExportDeps, s: Subject, prep: PreparedSend): Promise<MsOrderCreate> {
  const { client, integration } = deps.ctx;
  const store = await storeFor(deps.db, deps.clock, s.order, s.active, integration.defaultStoreMsId);
  const lines = storeLines(s.active, prep.cards, reserveIn(deps, s, store));
  // After a C6 delete the old syncId names the deleted order: a re-created one gets its own, derived
  // from the deleted order's id, so that a retry of this create still finds the same new order.
  const syncId = s.order.msDeletedAt ? derivedSyncId('order', `${s.order.syncId}:after:${s.order.msOrderId ?? ''}`) : s.order.syncId;
  const body: MsOrderCreate = {
    organization: msRef(client.baseUrl, 'organization', integration.organizationMsId!),
    agent: msRef(client.baseUrl, 'counterparty', prep.ensured.msId),
    externalCode: s.order.externalId.slice(0, 255),
    syncId,
    positions: lines.slice(0, MAX_POSITIONS_PER_REQUEST).map((l) => positionBody(client.baseUrl, l)),
  };
  if (store) body.store = msRef(client.baseUrl, 'store', store);
  if (s.order.comment) body.description = s.order.comment;
  return body;
}

/** Records a MoySklad order just created (right after the request, before anything else happens). */
export async function recordCreated(deps: OrderExportDeps, s: Subject, body: MsOrderCreate, msOrder: MsOrder): Promise<void> {
  const orderId = Number(s.order.id);
  await deps.hooks?.afterOrderCreated?.({ orderId, msOrderId: msOrder.id });
  const values = { msOrderId: msOrder.id, msAccountId: Number(deps.ctx.msAccount.id), syncId: body.syncId! };
  if (deps.batch) deps.batch.recordMsOrder(orderId, values);
  else await new OrderRepository(deps.db, deps.clock).recordMsOrder(orderId, values);
}

/** Creates or reconciles the MoySklad order of an order with lines to send (or, R7 off, none). */
async function sendOrder(deps: OrderExportDeps, s: Subject, action: 'create' | 'reconcile'): Promise<OrderExportResult> {
  const prep = await prepareSend(deps, s);
  let msOrder: MsOrder;
  if (action === 'create') {
    const body = await createBody(deps, s, prep);
    // B1: the syncId makes this POST idempotent (the client retries it on 5xx/timeouts too).
    msOrder = await deps.ctx.client.createOrder(s.type, body, undefined, { expand: 'positions' });
    await recordCreated(deps, s, body, msOrder);
  } else {
    msOrder = await fetchMsOrder(deps, s);
  }
  return finishSend(deps, s, prep, msOrder, action);
}

/** The MoySklad order of an exported order with its positions; deleted in MoySklad → `ms_order_deleted`. */
async function fetchMsOrder(deps: OrderExportDeps, s: Subject): Promise<MsOrder> {
  try {
    return await deps.ctx.client.getOrder(s.type, s.order.msOrderId!, { expand: 'positions' });
  } catch (e) {
    if (e instanceof MoySkladNotFoundError) {
      throw new ExportError('ms_order_deleted', `order ${s.order.externalId}: MoySklad ${s.type} ${s.order.msOrderId} was deleted in MoySklad; not re-created automatically`, { cause: e });
    }
    throw e;
  }
}

/**
 * After the create (or the read of an exported order): carries out the position plan, the comment,
 * and records the order as exported (E3 event). Shared by the single export and the batch (P2).
 */
export async function finishSend(deps: OrderExportDeps, s: Subject, prep: PreparedSend, msOrder: MsOrder, action: 'create' | 'reconcile'): Promise<OrderExportResult> {
  const { integration, client } = deps.ctx;
  const orderId = Number(s.order.id);
  const msAccountId = Number(deps.ctx.msAccount.id);
  const store = msOrder.store ? idFromHref(msOrder.store.meta.href) : null;
  const outcome = await applyPlan(deps, s, msOrder, storeLines(s.positions, prep.cards, reserveIn(deps, s, store)), action === 'create');
  if (action === 'reconcile' && (s.order.comment ?? '') !== (msOrder.description ?? '')) {
    await client.updateOrderDescription(s.type, msOrder.id, s.order.comment ?? '');
    outcome.updated += 1;
  }
  const created = action === 'create';
  const result = created ? 'created' : outcome.added || outcome.updated || outcome.deleted || outcome.released ? 'updated' : 'unchanged';
  // E3: the platform hears that the order reached MoySklad (a no-op run of an order already sent says nothing).
  const event = result !== 'unchanged' || s.order.exportState !== 'sent' ? (at: string) => orderExportedEvent(s.order, msOrder.id, result, at) : undefined;
  if (deps.batch) deps.batch.markExported(orderId, msAccountId, msOrder.id, event);
  else await new OrderRepository(deps.db, deps.clock).markExported(orderId, msAccountId, msOrder.id, event);
  const reservedAtCreate = created && s.type === 'customerorder' && store !== null && integration.reservePositions === 1 && s.active.length > 0;
  return {
    orderId,
    msOrderId: msOrder.id,
    action: result,
    counterparty: prep.ensured.action,
    positionsAdded: created ? Math.min(s.active.length, MAX_POSITIONS_PER_REQUEST) + outcome.added : outcome.added,
    positionsUpdated: outcome.updated,
    positionsDeleted: outcome.deleted,
    productsCreated: prep.report.created,
    reservesChangedAt: store !== null && (reservedAtCreate || outcome.reserveMoved > 0) ? store : null,
  };
}

interface PlanOutcome {
  added: number;
  updated: number;
  deleted: number;
  released: number;
  /** Requests that changed a reserve (C4). */
  reserveMoved: number;
}

/** Carries out the position plan against the MoySklad order; each MoySklad id is recorded right after its request. */
async function applyPlan(deps: OrderExportDeps, s: Subject, msOrder: MsOrder, lines: StoreLine[], freshlyCreated: boolean): Promise<PlanOutcome> {
  const { client, integration } = deps.ctx;
  let ms: MsPosition[] = msOrder.positions?.rows ?? [];
  const size = msOrder.positions?.meta.size;
  if (size !== undefined && size > ms.length) ms = await client.orderPositions(s.type, msOrder.id);
  const rows = new Map(s.positions.map((p) => [Number(p.id), p]));
  const row = (id: number): OrderPositionRow => rows.get(id)!;
  const plan = planPositions(lines, ms.map(msLine), { deleteRejected: integration.deleteRejectedPositions === 1 });
  const out: PlanOutcome = { added: 0, updated: 0, deleted: 0, released: 0, reserveMoved: 0 };
  const msById = new Map(ms.map((m) => [m.id, m]));

  for (const id of plan.relink) {
    if (!freshlyCreated) await deps.log?.('warn', `order ${s.order.externalId}: MoySklad position ${row(id).msPositionId} (line ${row(id).externalId}) is gone; adding the line again`, undefined, logMsg('order_line_readded', { order: s.order.externalId, line: String(row(id).externalId) }));
    await setLine(deps, row(id), { msPositionId: null, syncState: 'pending' });
  }
  for (const id of plan.gone) await setLine(deps, row(id), { syncState: 'deleted' });
  for (const a of plan.adopt) await setLine(deps, row(a.lineId), { msPositionId: a.msPositionId, syncState: 'synced' });

  const byId = new Map(lines.map((l) => [l.id, l]));
  const toAdd = plan.add.map((id) => byId.get(id)!);
  for (let i = 0; i < toAdd.length; i += MAX_POSITIONS_PER_REQUEST) {
    const chunk = toAdd.slice(i, i + MAX_POSITIONS_PER_REQUEST);
    const answer = await client.addPositions(s.type, msOrder.id, chunk.map((l) => positionBody(client.baseUrl, l)));
    for (const a of adoptPositions(chunk, answer.map(msLine), new Set())) await setLine(deps, row(a.lineId), { msPositionId: a.msPositionId, syncState: 'synced' });
    out.added += chunk.length;
    out.reserveMoved += chunk.filter((l) => l.reserve).length;
  }
  for (const u of plan.update) {
    await client.updatePosition(s.type, msOrder.id, u.msPositionId, patchBody(client.baseUrl, u.patch));
    out.updated += 1;
    if (u.patch.reserve !== undefined) out.reserveMoved += 1;
  }
  for (const id of plan.synced) await setLine(deps, row(id), { syncState: 'synced' });
  // R7: a rejected or withdrawn line → delete exactly that position, by its id (404: already gone).
  for (const r of plan.remove) {
    try {
      await client.deletePosition(s.type, msOrder.id, r.msPositionId);
    } catch (e) {
      if (!(e instanceof MoySkladNotFoundError)) throw e;
    }
    await setLine(deps, row(r.lineId), { syncState: 'deleted' }, positionDeletedEvent(s.order, row(r.lineId), r.msPositionId));
    out.deleted += 1;
    if ((msById.get(r.msPositionId)?.reserve ?? 0) > 0) out.reserveMoved += 1;
  }
  // C4 with R7 off: the position stays, its goods are no longer reserved.
  for (const r of plan.release) {
    await client.updatePosition(s.type, msOrder.id, r.msPositionId, { reserve: 0 });
    out.released += 1;
    out.reserveMoved += 1;
  }
  return out;
}

/** Records a line's MoySklad link/state; with `event`, the platform's webhook event in the same transaction (E3). */
async function setLine(deps: OrderExportDeps, p: OrderPositionRow, values: { msProductId?: string | null; msPositionId?: string | null; syncState: PositionSyncState }, event?: PlatformEvent): Promise<void> {
  Object.assign(p, values);
  if (deps.batch) deps.batch.position(Number(p.id), values, event);
  else await new OrderRepository(deps.db, deps.clock).setPositionSync(Number(p.id), values, event);
}
