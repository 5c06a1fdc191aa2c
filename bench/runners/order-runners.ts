/**
 * The order rows of the benchmark (issue 16, P1–P3):
 * - `orderBacklog`: 1,000 orders × 3 lines waiting in the outbox, drained at once (P2: array POSTs);
 * - `orderLatency`: orders POSTed to the real REST API (in process) one every 2 s and in bursts; each
 *   order's latency is from the 201 answer to the order existing in the emulator (its creation time on
 *   the emulator's clock, the same shifted real clock as the bench's) (P1);
 * - `crashResume`: a sender dies between MoySklad's answer to the array POST and the commit of the ids
 *   (its drain is abandoned in the hook, as the tests do); a new sender with the same instance id starts
 *   on the same database: time from that start to the first resumed order, and to all (P3).
 * All in the steady state: 50 clients linked, the products in the store's directory.
 */
import { ApiTokenService } from '../../src/server/auth.js';
import { createApp } from '../../src/server/app.js';
import { OrderService } from '../../src/app/order-service.js';
import { migrationStatus } from '../../src/store/migrate.js';
import { VERIFY_IDS_PER_REQUEST } from '../../src/sync/counterparties/counterparty-export.js';
import { drainOrderOutbox, type OrderSyncDeps } from '../../src/sync/orders/order-outbox.js';
import { createOutboxSender, type OutboxSender } from '../../src/sync/outbox/outbox-sender.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import type { BenchContext } from '../lib/bench-context.js';
import { fmt, loadNomenclature, measure, minimum, pageGroups, weightOf, type Runner } from './kit.js';

/** MoySklad creates at most 1,000 entities in one array POST. */
const MAX_ORDERS_PER_POST = 1000;
const N_CLIENTS = 50;
const LINES = 3;

type Product = { id: string; code: string; article: string; name: string };

interface OrderWorld {
  clientIds: number[];
  products: Product[];
  deps: (owner: string) => OrderSyncDeps;
  orderBody: (i: number, prefix: string) => Parameters<OrderService['create']>[0];
}

/** The steady-state world: nomenclature loaded, 50 clients linked to their MoySklad counterparties. */
async function orderWorld(ctx: BenchContext): Promise<OrderWorld> {
  await loadNomenclature(ctx);
  const db = ctx.store.db;
  const fx = await ctx.emulator.call<{ products: Product[]; counterparties: string[] }>('orderFixture', { login: ctx.login, products: 300, clients: N_CLIENTS });
  const now = ctx.clock.now().toISOString();
  const clientIds: number[] = [];
  for (let i = 0; i < N_CLIENTS; i++) {
    const cp = await db
      .insertInto('counterparties')
      .values({ kind: 'client', externalId: `bench-${i}`, regionId: ctx.regionId, name: `Покупатель ${i}`, companyType: 'individual', inn: null, innNorm: null, email: `b${i}@bench.ru`, emailNorm: `b${i}@bench.ru`, phone: null, phoneNorm: null, createdAt: now, updatedAt: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('counterpartyLinks').values({ counterpartyId: cp.id, msAccountId: ctx.msAccountId, msCounterpartyId: fx.counterparties[i]!, matchedBy: 'email', linkedAt: now }).execute();
    clientIds.push(cp.id);
  }
  const brandOf = (p: Product): string => p.code.slice(0, p.code.length - p.article.length - 1);
  return {
    clientIds,
    products: fx.products,
    deps: (owner) => ({ db, clock: ctx.clock, clients: ctx.pool, runDeps: ctx.runDeps, owner }),
    orderBody: (i, prefix) => ({
      kind: 'customer',
      externalId: `${prefix}-${i}`,
      regionId: ctx.regionId,
      counterpartyId: clientIds[i % clientIds.length]!,
      positions: Array.from({ length: LINES }, (_, j) => {
        const p = fx.products[(i * LINES + j) % fx.products.length]!;
        return { externalId: String(j + 1), brand: brandOf(p), article: p.article, name: p.name, quantity: 1 + (j % 3), price: 10_000 + j };
      }),
    }),
  };
}

/**
 * The columns of a backlog row. P2 minimum: array POSTs of entity/customerorder (≤ 1,000 orders with
 * their positions each; the emulator counts one row per created document) plus the check of the
 * clients the orders use (≤ 50), 40 ids per request.
 */
function batchColumns(ctx: BenchContext, orders: number, m: { requests: number; tooMany: number; wallMs: number }) {
  return {
    auth: 'password' as const,
    dialect: ctx.store.dialect,
    requests: m.requests,
    ...minimum(pageGroups(orders, MAX_ORDERS_PER_POST), pageGroups(Math.min(orders, N_CLIENTS), VERIFY_IDS_PER_REQUEST)),
    weight: weightOf(ctx, 'password', 'entity/customerorder'),
    tooMany: m.tooMany,
    wallMs: m.wallMs,
  };
}

export const orderBacklog: Runner = async (ctx, spec) => {
  const world = await orderWorld(ctx);
  const service = new OrderService({ db: ctx.store.db, clock: ctx.clock });
  for (let i = 0; i < spec.size; i++) await service.create(world.orderBody(i, 'B'));
  const m = await measure(ctx, () => drainOrderOutbox(world.deps('bench'), { trigger: 'manual', concurrency: 4, maxItems: spec.size * 2 }));
  const inMs = await ctx.emulator.call<number>('customerOrders', { login: ctx.login });
  return [
    {
      scenario: 'order backlog',
      size: `${fmt(spec.size)} orders × ${LINES} lines`,
      ...batchColumns(ctx, spec.size, m),
      rowsWritten: m.value.sent,
      writeMs: null,
      status: `${m.value.failed > 0 ? 'partial' : 'ok'} (${m.value.sent} sent, ${m.value.failed} failed, ${inMs} in MoySklad)`,
      notes: [...m.rssNotes],
      peakRssMb: m.peakRssMb,
    },
  ];
};

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
const stats = (ms: number[]): { p50: number; p95: number; max: number } => {
  const s = [...ms].sort((a, b) => a - b);
  return { p50: Math.round(percentile(s, 50)), p95: Math.round(percentile(s, 95)), max: Math.round(s[s.length - 1] ?? 0) };
};

/** The platform's side: the REST API in process, its commits waking the sender. */
async function platformApi(ctx: BenchContext, sender: () => OutboxSender): Promise<(body: unknown) => Promise<number>> {
  const app = createApp({
    db: ctx.store.db,
    clock: ctx.clock,
    enqueuer: { enqueue: async () => ({ jobId: 'none', merged: false }) },
    syncs: new SyncRegistry(),
    publicBaseUrl: 'http://shop.bench',
    logger: { error: () => undefined },
    readiness: { migrationStatus: () => migrationStatus(ctx.store.db) },
    wake: () => sender().wake(),
  });
  const { token } = await new ApiTokenService({ db: ctx.store.db, clock: ctx.clock }).create('bench');
  return async (body) => {
    const res = await app.request('/api/v1/orders', { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`POST /orders answered ${res.status}: ${await res.text()}`);
    return ctx.clock.nowMs();
  };
}

const apiBody = (b: ReturnType<OrderWorld['orderBody']>): unknown => ({
  kind: b.kind,
  externalId: b.externalId,
  regionId: b.regionId,
  counterpartyId: b.counterpartyId,
  positions: b.positions.map((p) => ({ externalId: p.externalId, brand: p.brand, article: p.article, name: p.name, quantity: p.quantity, priceKopecks: p.price })),
});

/** P1: `spec.size` orders one every 2 s, then `spec.size` in bursts of 20 every 10 s; latency from 201 to existing in MoySklad. */
export const orderLatency: Runner = async (ctx, spec) => {
  const world = await orderWorld(ctx);
  const sender = createOutboxSender({ db: ctx.store.db, clock: ctx.clock, owner: 'bench', drain: (signal) => drainOrderOutbox(world.deps('bench'), { trigger: 'api', signal }) });
  await sender.start();
  const post = await platformApi(ctx, () => sender);
  const answered = new Map<string, number>();
  const m = await measure(ctx, async () => {
    const t0 = ctx.clock.nowMs();
    for (let i = 0; i < spec.size; i++) {
      await ctx.clock.sleep(Math.max(0, t0 + i * 2000 - ctx.clock.nowMs()));
      const b = world.orderBody(i, 'P');
      answered.set(b.externalId, await post(apiBody(b)));
    }
    const t1 = ctx.clock.nowMs() + 2000;
    const burst = 20;
    for (let k = 0; k * burst < spec.size; k++) {
      await ctx.clock.sleep(Math.max(0, t1 + k * 10_000 - ctx.clock.nowMs()));
      const bodies = Array.from({ length: Math.min(burst, spec.size - k * burst) }, (_, j) => world.orderBody(k * burst + j, 'Q'));
      await Promise.all(bodies.map(async (b) => answered.set(b.externalId, await post(apiBody(b)))));
    }
    await sender.idle();
  });
  await sender.stop();
  const created = await ctx.emulator.call<Record<string, number>>('orderCreatedTimes', { login: ctx.login });
  const lat = (prefix: string): number[] => [...answered].filter(([k]) => k.startsWith(`${prefix}-`)).map(([k, t]) => (created[k] ?? Number.POSITIVE_INFINITY) - t);
  const paced = stats(lat('P'));
  const bursts = stats(lat('Q'));
  const all = stats([...lat('P'), ...lat('Q')]);
  const missing = [...answered.keys()].filter((k) => created[k] === undefined).length;
  return [
    {
      scenario: 'order latency',
      size: `${fmt(spec.size)} orders at 1 per 2 s + ${fmt(spec.size)} in bursts of 20`,
      auth: 'password',
      dialect: ctx.store.dialect,
      requests: m.requests,
      // each paced order must go on its own (1 POST), a burst of 20 can go in one
      ...minimum([{ count: spec.size, rows: 1 }], pageGroups(spec.size, 20)),
      weight: weightOf(ctx, 'password', 'entity/customerorder'),
      tooMany: m.tooMany,
      wallMs: m.wallMs,
      rowsWritten: answered.size - missing,
      writeMs: null,
      status: `p50 ${paced.p50} ms, p95 ${paced.p95} ms, max ${paced.max} ms at 1 per 2 s; bursts p50 ${bursts.p50} ms, p95 ${bursts.p95} ms, max ${bursts.max} ms; ${missing} missing`,
      notes: [
        `latency = the order's creation time in the emulator − the moment POST /api/v1/orders answered 201 (both on the bench's clock); all ${answered.size}: p50 ${all.p50} ms, p95 ${all.p95} ms, max ${all.max} ms`,
        'paced in real time (no clock control): the wall time is the arrival schedule, so this row has no floor; target p95 ≤ 2,000 ms',
      ],
      floorless: true,
      latencyP95Ms: all.p95,
      peakRssMb: m.peakRssMb,
    },
  ];
};

/** P3: a sender dies after MoySklad created a batch; a new one with the same instance id resumes it. */
export const crashResume: Runner = async (ctx, spec) => {
  const world = await orderWorld(ctx);
  const service = new OrderService({ db: ctx.store.db, clock: ctx.clock });
  for (let i = 0; i < spec.size; i++) await service.create(world.orderBody(i, 'R'));
  let parked = false;
  const dying = { ...world.deps('bench-start'), hooks: { afterBatchCreated: () => ((parked = true), new Promise<void>(() => undefined)) } };
  void drainOrderOutbox(dying, { trigger: 'manual' });
  while (!parked) await new Promise((r) => setTimeout(r, 10));
  let firstMs = 0;
  const m = await measure(ctx, async () => {
    const t0 = ctx.clock.nowMs();
    const sender = createOutboxSender({ db: ctx.store.db, clock: ctx.clock, owner: 'bench-start', drain: (signal) => drainOrderOutbox(world.deps('bench-start'), { trigger: 'api', signal }) });
    const recovered = await sender.start();
    await sender.idle();
    await sender.stop();
    const first = await ctx.store.db.selectFrom('orders').select((eb) => eb.fn.min('exportedAt').as('at')).executeTakeFirstOrThrow();
    firstMs = Date.parse(String(first.at)) - t0;
    return recovered;
  });
  const inMs = await ctx.emulator.call<number>('customerOrders', { login: ctx.login });
  const sent = await ctx.store.db.selectFrom('orders').select((eb) => eb.fn.countAll<number>().as('n')).where('exportState', '=', 'sent').executeTakeFirstOrThrow();
  return [
    {
      scenario: 'crash resume',
      size: `${fmt(spec.size)} orders × ${LINES} lines in flight`,
      // the batch is sent again (its syncIds return the orders MoySklad has) and the clients checked
      ...batchColumns(ctx, spec.size, m),
      rowsWritten: Number(sent.n),
      writeMs: null,
      status: `first resumed order ${firstMs} ms after the restart, all ${m.value} in ${m.wallMs} ms; ${inMs} in MoySklad (none doubled), ${Number(sent.n)} sent`,
      notes: ['the dead process = a drain abandoned between MoySklad\'s answer to the array POST and the commit of the ids (in-process, as the tests do); the restart = a new sender with the same instance id on the same database'],
      floorless: true,
      peakRssMb: m.peakRssMb,
    },
  ];
};
