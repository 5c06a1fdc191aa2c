/**
 * Test harness for the order export: the sync fixture (database + emulator + client pool), the
 * real REST API on the same database (orders and their outbox rows are written the way the
 * platform writes them), and helpers to seed MoySklad and drain the outbox.
 */
import type { Hono } from 'hono';
import type { ManualClock } from '../../src/core/clock.js';
import type { EmulatorAccount, Entity } from '../../src/emulator/index.js';
import type { EnqueueRequest, JobEnqueuer } from '../../src/queue/types.js';
import { createApp } from '../../src/server/app.js';
import { ApiTokenService } from '../../src/server/auth.js';
import type { DialectName } from '../../src/store/database.js';
import { migrationStatus } from '../../src/store/migrate.js';
import type { IntegrationRow } from '../../src/store/schema.js';
import { OrderCatalogRepository } from '../../src/store/repositories/order-catalog-repository.js';
import type { MoySkladClientPool } from '../../src/sync/client-pool.js';
import type { DrainOptions, DrainReport } from '../../src/sync/outbox/outbox-drain.js';
import { drainOrderOutbox, type OrderSyncDeps } from '../../src/sync/orders/order-outbox.js';
import type { OrderExportHooks } from '../../src/sync/orders/order-export.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';

class NullEnqueuer implements JobEnqueuer {
  async enqueue(_request: EnqueueRequest) {
    return { jobId: 'job-1', merged: false };
  }
}

export const LOGIN = 'admin@demo';

export interface OrdersHarness {
  fx: SyncFixture;
  clock: ManualClock;
  account: EmulatorAccount;
  hooks: OrderExportHooks;
  /** Calls the platform API; returns status and parsed JSON. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  client(fields: { externalId: string; name?: string; inn?: string; email?: string; phone?: string; companyType?: string }): Promise<number>;
  supplier(fields: { externalId: string; name?: string; inn?: string; email?: string; phone?: string }): Promise<number>;
  order(body: { kind?: 'customer' | 'supplier'; externalId: string; counterpartyId: number; comment?: string; priceListId?: number; positions: PositionIn[] }): Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  drain(options?: DrainOptions & { clients?: MoySkladClientPool }): Promise<DrainReport>;
  /** Emulator products that have brand+article Codes, as {id, brand, article, name}. */
  msProducts(): Array<{ id: string; brand: string; article: string; name: string; code: string }>;
  /** Marks emulator products as synced into the store's product table (steady state). */
  knowProducts(products: Array<{ id: string; brand: string; article: string; name: string; code: string }>): Promise<void>;
  msCounterparty(fields: Record<string, unknown>): Entity;
  customerOrders(): Entity[];
  purchaseOrders(): Entity[];
  positionsOf(order: Entity): Array<{ id: string; quantity: number; price: number; productId: string; type: string; reserve: number }>;
  outbox(): Promise<Array<{ id: number; kind: string; state: string; attempts: number; lastError: string | null; aggregateId: string }>>;
  dispose(): Promise<void>;
}

export interface PositionIn {
  externalId?: string;
  brand: string;
  article: string;
  name?: string;
  quantity: number;
  priceKopecks: number;
  priceListId?: number | null;
}

export async function ordersHarness(
  dialect: DialectName,
  options: { integration?: Partial<IntegrationRow>; products?: number; enqueuer?: JobEnqueuer; wake?: () => void } = {},
): Promise<OrdersHarness> {
  const fx = await createSyncFixture({
    dialect,
    emulator: { accounts: [{ login: LOGIN, password: 'demo', seed: { kind: 'generated', products: options.products ?? 30, seed: 7, stores: 2 } }] },
    integration: { exportPurchaseOrders: 1, deleteRejectedPositions: 1, ...options.integration },
  });
  const app: Hono = createApp({
    db: fx.db,
    clock: fx.clock,
    enqueuer: new NullEnqueuer(),
    ...(options.wake ? { wake: options.wake } : {}),
    syncs: new SyncRegistry(),
    publicBaseUrl: 'http://shop.test',
    logger: { error: () => undefined },
    readiness: { migrationStatus: () => migrationStatus(fx.db) },
  });
  const { token } = await new ApiTokenService({ db: fx.db, clock: fx.clock }).create('platform');
  const account = fx.emulator.account(LOGIN);
  const hooks: OrderExportHooks = {};

  const api: OrdersHarness['api'] = async (method, path, body) => {
    const res = await app.request(`/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  const mkCounterparty = async (kind: 'clients' | 'suppliers', fields: Record<string, unknown>): Promise<number> => {
    const r = await api('POST', `/${kind}`, { name: `Buyer ${String(fields.externalId)}`, regionId: fx.regionId, ...fields });
    if (r.status !== 201) throw new Error(`create ${kind} failed: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json.id as number;
  };
  const deps = (clients: MoySkladClientPool = fx.clients): OrderSyncDeps => ({
    db: fx.db,
    clock: fx.clock,
    clients,
    runDeps: fx.runDeps,
    hooks,
    ...(options.enqueuer ? { enqueuer: options.enqueuer } : {}),
  });

  const msProducts = (): ReturnType<OrdersHarness['msProducts']> =>
    account
      .listProducts()
      .filter((e) => typeof e.f.code === 'string' && typeof e.f.article === 'string' && (e.f.code as string).endsWith(` ${e.f.article as string}`))
      .map((e) => {
        const code = e.f.code as string;
        const article = e.f.article as string;
        return { id: e.id, brand: code.slice(0, code.length - article.length - 1), article, name: e.f.name as string, code };
      });

  return {
    fx,
    clock: fx.clock,
    account,
    hooks,
    api,
    client: (f) => mkCounterparty('clients', f),
    supplier: (f) => mkCounterparty('suppliers', f),
    async order(body) {
      const r = await api('POST', '/orders', { kind: 'customer', regionId: fx.regionId, ...body });
      if (r.status !== 201) throw new Error(`create order failed: ${r.status} ${JSON.stringify(r.json)}`);
      return r.json;
    },
    drain: (options = {}) => drainOrderOutbox(deps(options.clients), { trigger: 'manual', ...options }),
    msProducts,
    async knowProducts(products) {
      await new OrderCatalogRepository(fx.db, fx.clock).remember(
        fx.msAccountId,
        products.map((p) => ({ msId: p.id, brand: p.brand, article: p.article, code: p.code, name: p.name })),
      );
    },
    msCounterparty: (fields) => account.createEntity('counterparty', { archived: false, shared: false, ...fields }),
    customerOrders: () => account.customerOrders,
    purchaseOrders: () => account.purchaseOrders,
    positionsOf: (order) =>
      ((order.f.positions as Array<{ id: string; f: Record<string, unknown> }> | undefined) ?? []).map((p) => ({
        id: p.id,
        quantity: p.f.quantity as number,
        price: p.f.price as number,
        productId: (p.f.assortment as { $ref: { id: string } }).$ref.id,
        type: (p.f.assortment as { $ref: { type: string } }).$ref.type,
        reserve: Number(p.f.reserve ?? 0),
      })),
    async outbox() {
      const rows = await fx.db.selectFrom('outbox').selectAll().orderBy('id').execute();
      return rows.map((r) => ({ id: Number(r.id), kind: r.kind, state: r.state, attempts: Number(r.attempts), lastError: r.lastError, aggregateId: r.aggregateId }));
    },
    dispose: () => fx.dispose(),
  };
}
