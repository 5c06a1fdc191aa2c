/**
 * @module order-batch
 * P2: the orders of a drain that are not in MoySklad yet go out in array POSTs
 * (`POST entity/customerorder?expand=positions` with up to 1,000 orders and under the size cap per
 * request, `MoySkladClient.createOrders`), each with its own `syncId`, so a re-sent batch (a retry,
 * or a new worker after a crash between the POST and the commit of the returned ids) returns the
 * orders MoySklad already has instead of creating them twice.
 *
 * Before the POST, what the batch needs is resolved in batches: the linked counterparties of all its
 * orders are verified with one `filter=id=…;id=…` request per 40, the cards of all its lines are
 * resolved together (one lookup per 50 unknown articles, one array create of the missing products).
 * After it, every created order is finished exactly as a single export finishes it
 * (`recordCreated` → `finishSend`: position ids adopted from the answer, order marked exported).
 *
 * An order whose counterparty or cards fail is recorded exactly as the single export records it.
 * Whatever the batch does not take — an order already in MoySklad (a reconciliation), a deletion, an
 * order whose checks fail, an item MoySklad refused inside the array answer — is left to the single
 * handler, which runs it one order at a time exactly as before (a refused item was not saved, so
 * sending it alone is safe).
 */
import { decideOrderAction } from '../../domain/order-reconciliation.js';
import { MoySkladError } from '../../moysklad/errors.js';
import type { MsOrderCreate } from '../../moysklad/schemas/order.js';
import type { OutboxRow } from '../../store/schema.js';
import { ORDER_OUTBOX_KINDS, OrderRepository } from '../../store/repositories/order-repository.js';
import { verifyLinkedCounterparties } from '../counterparties/counterparty-export.js';
import type { IntegrationContext } from '../integration-context.js';
import type { OutboxBatchHandler, OutboxBatchOutcome, OutboxHandlerEnv } from '../outbox/outbox-drain.js';
import { OrderBatchRepository } from '../../store/repositories/order-batch-repository.js';
import { OrderBatchBuffer } from './order-batch-buffer.js';
import { createBody, finishSend, loadSubject, prepareSend, recordCreated, type OrderExportDeps, type OrderExportResult, type PreparedSend, type Subject } from './order-export.js';
import { cachesOf, contextFor, exportDepsFor, recordOrderFailure, reportExported, type OrderRef, type OrderSyncDeps } from './order-run.js';
import { emptyResolveReport, resolveProducts } from './product-resolver.js';
import { logError, logMsg } from '../../domain/log-messages.js';

interface Candidate {
  item: OutboxRow;
  order: OrderRef;
  coalesced: number[];
  ctx: IntegrationContext;
  edeps: OrderExportDeps;
  s: Subject;
}

interface Ready extends Candidate {
  prep: PreparedSend;
  body: MsOrderCreate;
}

type Outcomes = Map<number, OutboxBatchOutcome>;

/** The batch handler of the order outbox kinds (P2). */
export function createOrderBatchHandler(deps: OrderSyncDeps): OutboxBatchHandler {
  return async (items, env) => {
    const out: Outcomes = new Map();
    const groups = new Map<number, Candidate[]>();
    for (const c of await candidatesOf(deps, env, items)) {
      const key = Number(c.ctx.integration.id);
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    for (const group of groups.values()) await sendGroup(deps, env, group, out);
    return out;
  };
}

/** The rows whose order is a plain create (not in MoySklad, never deleted there, lines to send, checks pass). */
async function candidatesOf(deps: OrderSyncDeps, env: OutboxHandlerEnv, items: readonly OutboxRow[]): Promise<Candidate[]> {
  const contexts = new Map<string, Promise<IntegrationContext>>();
  const out: Candidate[] = [];
  // As the single handler: the waiting rows are read before the orders, so none is lost.
  const waiting = await env.store.pendingIdsOfMany('order', items.map((i) => i.aggregateId), ORDER_OUTBOX_KINDS);
  const batchRepo = new OrderBatchRepository(deps.db, deps.clock);
  const orders = await batchRepo.findMany(items.map((i) => Number(i.aggregateId)));
  const parties = await batchRepo.counterpartiesOf([...orders.values()].map((o) => Number(o.counterpartyId)));
  for (const item of items) {
    try {
      const coalesced = waiting.get(item.aggregateId) ?? [];
      const found = orders.get(Number(item.aggregateId));
      if (!found) continue;
      const order: OrderRef = { id: Number(found.id), regionId: Number(found.regionId), externalId: found.externalId, kind: found.kind };
      const key = `${order.regionId}:${item.integrationId ?? ''}`;
      if (!contexts.has(key)) contexts.set(key, contextFor(deps, order, item));
      const ctx = await contexts.get(key)!;
      const edeps = exportDepsFor(deps, env, ctx);
      const s = await loadSubject(edeps, order.id, found, parties.get(Number(found.counterpartyId)) ?? null);
      const action = decideOrderAction({
        inMoySklad: s.order.msOrderId !== null && s.order.msDeletedAt === null,
        deletedInMoySklad: s.order.msDeletedAt !== null,
        activeLines: s.active.length,
        deleteRejected: ctx.integration.deleteRejectedPositions === 1,
      });
      if (action === 'create' && s.order.msDeletedAt === null) out.push({ item, order, coalesced, ctx, edeps, s });
    } catch {
      // the single handler meets the same problem and records it as it always did
    }
  }
  return out;
}

/** One integration's new orders: counterparties and cards first, then the array POSTs, then each order finished. */
async function sendGroup(deps: OrderSyncDeps, env: OutboxHandlerEnv, candidates: Candidate[], out: Outcomes): Promise<void> {
  // The group's writes are collected and committed together (P2); its counterparties ensured once.
  const buffer = new OrderBatchBuffer();
  const group = candidates.map((c) => ({ ...c, edeps: { ...c.edeps, batch: buffer } }));
  try {
    await sendBuffered(deps, env, group, out);
  } finally {
    if (!buffer.empty) await commitBuffered(deps, env, buffer, group.length);
  }
}

/** Commits what the group left written (e.g. the cards of orders whose POST failed), as the single export had written it already. */
async function commitBuffered(deps: OrderSyncDeps, env: OutboxHandlerEnv, buffer: OrderBatchBuffer, count: number): Promise<void> {
  try {
    await new OrderRepository(deps.db, deps.clock).commitExportBatch(buffer);
  } catch (e) {
    await env.run.log('warn', `orders: the batch's card links could not be recorded (${count} orders); they are resolved again next time: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    buffer.clearWrites();
  }
}

async function sendBuffered(deps: OrderSyncDeps, env: OutboxHandlerEnv, group: Candidate[], out: Outcomes): Promise<void> {
  const ctx = group[0]!.ctx;
  const msAccountId = Number(ctx.msAccount.id);
  const caches = cachesOf(env);
  const base = { db: deps.db, clock: deps.clock, client: ctx.client, msAccountId };
  try {
    const report = emptyResolveReport();
    const parts = group.flatMap((c) => c.s.active.map((p) => ({ brand: p.brand, article: p.article, name: p.name, priceListId: p.priceListId ?? c.s.order.priceListId })));
    // The counterparty check (MoySklad) and the cards (mostly the store) at the same time; the first failure counts.
    const settled = await Promise.allSettled([
      verifyLinkedCounterparties({ ...base, cache: caches.counterparties(msAccountId) }, group.map((c) => Number(c.s.order.counterpartyId))),
      resolveProducts({ ...base, brandSynonyms: group[0]!.edeps.brandSynonyms, cache: caches.products(msAccountId) }, parts, report),
    ]);
    for (const r of settled) if (r.status === 'rejected') throw r.reason;
    if (report.created) env.run.count('products_created', report.created);
  } catch (e) {
    if (e instanceof MoySkladError && e.retryable) {
      // MoySklad down beyond the client's retries: every order of the batch waits as a single one would.
      for (const c of group) await fail(deps, c, e, out);
      return;
    }
    // e.g. a product MoySklad refuses: the orders go one by one, so only those that need it fail.
    await env.run.log('warn', `orders: resolving the batch's counterparties and products failed; its ${group.length} orders go one by one: ${e instanceof Error ? e.message : String(e)}`, undefined, logMsg('order_batch_one_by_one', { count: group.length, error: logError(e) }));
    return;
  }
  const ready: Ready[] = [];
  for (const c of group) {
    try {
      const prep = await prepareSend(c.edeps, c.s);
      ready.push({ ...c, prep, body: await createBody(c.edeps, c.s, prep) });
    } catch (e) {
      // e.g. an ambiguous counterparty (R25) or MoySklad down: recorded as the single export records it
      await fail(deps, c, e, out);
    }
  }
  for (const type of ['customerorder', 'purchaseorder'] as const) {
    const batch = ready.filter((r) => r.s.type === type);
    if (batch.length) await postBatch(deps, env, type, batch, out);
  }
}

/** The array POSTs of one order type, then each created order recorded and finished. */
async function postBatch(deps: OrderSyncDeps, env: OutboxHandlerEnv, type: 'customerorder' | 'purchaseorder', batch: Ready[], out: Outcomes): Promise<void> {
  const { client } = batch[0]!.ctx;
  let answers;
  try {
    answers = await client.createOrders(type, batch.map((r) => r.body));
  } catch (e) {
    // The whole POST failed (MoySklad down beyond the client's retries): each order waits as a single one would.
    for (const r of batch) await fail(deps, r, e, out);
    return;
  }
  await deps.hooks?.afterBatchCreated?.({ orderIds: batch.map((r) => r.order.id) });
  await finishBatch(deps, env, batch, answers, out);
}

type LogLine = [level: 'debug' | 'info' | 'warn' | 'error', message: string, details?: unknown];

/**
 * Records the created orders of one answer in ONE transaction (ids, positions, exported state, E3
 * events), written set-based (`OrderRepository.commitExportBatch`): a thousand orders' writes cost a few
 * statements and one commit, and a crash leaves either all of them recorded or none (the batch is
 * then re-sent and its syncIds find the same orders). Log lines, the order failures and the C4
 * stock refreshes are written after the commit.
 */
async function finishBatch(deps: OrderSyncDeps, env: OutboxHandlerEnv, batch: Ready[], answers: Awaited<ReturnType<IntegrationContext['client']['createOrders']>>, out: Outcomes): Promise<void> {
  const logs: LogLine[] = [];
  const done: Array<{ r: Ready; result: OrderExportResult }> = [];
  const failed: Array<{ r: Ready; e: unknown }> = [];
  const buffer = batch[0]!.edeps.batch!;
  for (const a of answers) {
    const r = batch[a.index]!;
    if (!a.ok) {
      logs.push(['info', `order ${r.order.externalId}: MoySklad refused it inside the batch (${a.errors.map((x) => x.error).join('; ')}); it is sent on its own`]);
      continue;
    }
    const ed: OrderExportDeps = { ...r.edeps, log: (...line: LogLine) => void logs.push(line) };
    try {
      await recordCreated(ed, r.s, r.body, a.entity);
      done.push({ r, result: await finishSend(ed, r.s, r.prep, a.entity, 'create') });
    } catch (e) {
      failed.push({ r, e });
    }
  }
  try {
    await new OrderRepository(deps.db, deps.clock).commitExportBatch(buffer);
  } catch (e) {
    // The store could not record the answer: every created order is sent again later (its syncId finds it).
    done.length = 0;
    failed.length = 0;
    for (const a of answers) if (a.ok) failed.push({ r: batch[a.index]!, e });
  } finally {
    buffer.clearWrites();
  }
  for (const line of logs) await env.run.log(...line);
  for (const { r, result } of done) {
    out.set(Number(r.item.id), { result: { coalesced: r.coalesced, counts: { ...(await reportExported(deps, env, r.ctx, r.order, result)), orders_batched: 1 } } });
  }
  for (const { r, e } of failed) await fail(deps, r, e, out);
}

/** One order of the batch failed: the order shows why (as `createOrderOutboxHandler` does) and the drain settles its row. */
async function fail(deps: OrderSyncDeps, c: Candidate, e: unknown, out: Outcomes): Promise<void> {
  await recordOrderFailure(deps, c.order, e);
  out.set(Number(c.item.id), { error: e });
}
