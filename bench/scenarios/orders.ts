/**
 * @module bench/scenarios/orders
 * Issue 7 benchmark: a backlog of `orders` store orders (3 lines each, 50 clients) drained from
 * the outbox into MoySklad, in the steady state (counterparties already linked, products known).
 * Measures MoySklad requests per order (target ≤ 2), the time the drain takes against a
 * rate-limited MoySklad, and that time against the rate-limit floor (the least time the account's
 * budget of 45 weight units per 3 s allows for that many requests), plus 429s (target 0).
 *
 * Time: a ManualClock in auto-advance mode (default), so the emulator's and the client's rate
 * limiting run in virtual time and a 1,000-order backlog that needs minutes of MoySklad budget
 * is measured in seconds of real time; `realMs` is the CPU/IO time of this process.
 *
 * ```ts
 * const r = await runOrdersBench({ orders: 1000 });
 * ```
 */
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../src/core/clock.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { createEmulator } from '../../src/emulator/index.js';
import { requestWeight } from '../../src/moysklad/limiter.js';
import type { DialectName } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openBenchDatabase } from '../lib/bench-database.js';
import { OrderService } from '../../src/app/order-service.js';
import { MoySkladClientPool } from '../../src/sync/client-pool.js';
import { drainOrderOutbox } from '../../src/sync/orders/order-outbox.js';
import type { IntegrationLogEntry } from '../../src/sync/sync-run.js';

export interface OrdersBenchOptions {
  orders: number;
  dialect?: DialectName;
  /** Lines per order (default 3). */
  linesPerOrder?: number;
  /** Distinct store clients the orders are spread over (default 50). */
  clients?: number;
  /** Orders processed at once by the drain (default 4). */
  concurrency?: number;
  /**
   * false = first export ("cold"): clients not linked yet (half of them exist in MoySklad and are
   * matched by email, the others are created) and products not in the store's directory (found by
   * article in MoySklad). Default true (steady state).
   */
  steadyState?: boolean;
  /** PostgreSQL URL for dialect `postgres` (default TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test); a temporary schema is used. */
  databaseUrl?: string;
}

export interface OrdersBenchResult {
  scenario: 'orders';
  dialect: DialectName;
  steadyState: boolean;
  orders: number;
  sent: number;
  failed: number;
  /** MoySklad requests of the drain (all of them, including the counterparty checks). */
  requests: number;
  /** requests / orders (target ≤ 2). */
  requestsPerOrder: number;
  /** 429 answers from the emulator (target 0: the limiter paces proactively). */
  rateLimited: number;
  /** Time of the drain against the rate-limited MoySklad (virtual clock). */
  drainMs: number;
  /** Least time the account's rate limit allows for that many requests (45 units per 3 s). */
  floorMs: number;
  /** drainMs / floorMs (1.0 = exactly at the floor). */
  vsFloor: number;
  /** Real time this process spent (database, HTTP handling in-process, JSON). */
  realMs: number;
  customerOrdersInMoySklad: number;
}

export async function runOrdersBench(options: OrdersBenchOptions): Promise<OrdersBenchResult> {
  const dialect = options.dialect ?? 'sqlite';
  const lines = options.linesPerOrder ?? 3;
  const nClients = options.clients ?? 50;
  const clock = new ManualClock({ autoAdvance: true });
  const login = 'bench@shop';
  const emulator = createEmulator({ clock, accounts: [{ login, password: 'bench', seed: { kind: 'generated', products: 300, seed: 11, stores: 2 } }] });
  const { store, dispose } = await openBenchDatabase(dialect, options.databaseUrl);
  try {
    const db = store.db;
    await migrateToLatest(db);
    const box = new SecretBox(randomBytes(32));
    const clients = new MoySkladClientPool({ db, secretBox: box, clock, fetch: emulator.fetch });
    const entries: IntegrationLogEntry[] = [];
    const runDeps = { db, clock, log: { write: (e: IntegrationLogEntry) => void entries.push(e) } };
    const now = clock.now().toISOString();
    const ems = emulator.account(login);
    const org = ems.organizations[0]!;
    const region = await db.insertInto('regions').values({ name: 'Bench', code: 'bench', isCentral: 1, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
    const account = await db
      .insertInto('msAccounts')
      .values({ label: 'bench', authKind: 'password', login, credentialKey: login, secretEnc: box.encrypt('bench'), baseUrl: emulator.apiBaseUrl, moyskladAccountId: null, createdAt: now, updatedAt: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('integrations')
      .values({ regionId: region.id, msAccountId: account.id, organizationMsId: org.id, organizationName: String(org.f.name), defaultStoreMsId: ems.stores[0]!.id, active: 1, status: 'ok', createdAt: now, updatedAt: now })
      .execute();

    // Steady state: the products are in the store's directory, the clients are linked.
    const products = ems
      .listProducts()
      .filter((e) => typeof e.f.code === 'string' && typeof e.f.article === 'string' && (e.f.code as string).endsWith(` ${e.f.article as string}`))
      .map((e) => ({ id: e.id, code: e.f.code as string, article: e.f.article as string, name: e.f.name as string }));
    const steady = options.steadyState ?? true;
    for (const p of steady ? products : []) {
      const brand = p.code.slice(0, p.code.length - p.article.length - 1);
      await db
        .insertInto('products')
        .values({
          msAccountId: account.id, msId: p.id, brand, brandNorm: brand.toUpperCase(), article: p.article,
          articleNorm: p.article.toUpperCase().replace(/[^\p{L}\p{N}]+/gu, ''), code: p.code, name: p.name, description: null,
          categoryId: null, msFolderId: null, msUpdated: null, skipReason: null, createdAt: now, updatedAt: now,
        })
        .execute();
    }
    const clientIds: number[] = [];
    for (let i = 0; i < nClients; i++) {
      const cp = await db
        .insertInto('counterparties')
        .values({ kind: 'client', externalId: `bench-${i}`, regionId: region.id, name: `Покупатель ${i}`, companyType: 'individual', inn: null, innNorm: null, email: `b${i}@bench.ru`, emailNorm: `b${i}@bench.ru`, phone: null, phoneNorm: null, createdAt: now, updatedAt: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      if (steady || i % 2 === 0) {
        const ms = ems.createEntity('counterparty', { name: `Покупатель ${i}`, email: `b${i}@bench.ru`, companyType: 'individual', archived: false, shared: false });
        if (steady) await db.insertInto('counterpartyLinks').values({ counterpartyId: cp.id, msAccountId: account.id, msCounterpartyId: ms.id, matchedBy: 'email', linkedAt: now }).execute();
      }
      clientIds.push(cp.id);
    }
    const orders = new OrderService({ db, clock });
    for (let i = 0; i < options.orders; i++) {
      await orders.create({
        kind: 'customer',
        externalId: `B-${i}`,
        regionId: region.id,
        counterpartyId: clientIds[i % clientIds.length]!,
        positions: Array.from({ length: lines }, (_, j) => {
          const p = products[(i * lines + j) % products.length]!;
          return { externalId: String(j + 1), brand: p.code.slice(0, p.code.length - p.article.length - 1), article: p.article, name: p.name, quantity: 1 + (j % 3), price: 10_000 + j };
        }),
      });
    }

    emulator.resetStats();
    const startVirtual = clock.nowMs();
    const startReal = performance.now();
    const report = await drainOrderOutbox({ db, clock, clients, runDeps }, { trigger: 'manual', concurrency: options.concurrency ?? 4, maxItems: options.orders * 2 });
    const drainMs = clock.nowMs() - startVirtual;
    const realMs = performance.now() - startReal;
    const stats = emulator.stats();
    const weight = requestWeight('password', 'entity/customerorder', startVirtual);
    // The limit: 45 units per 3 s. N requests need (N·w − 45)/45 · 3 s beyond the first full bucket.
    const units = report.requests * weight;
    const floorMs = Math.max(0, ((units - 45) / 45) * 3000);
    return {
      scenario: 'orders',
      dialect,
      steadyState: steady,
      orders: options.orders,
      sent: report.sent,
      failed: report.failed,
      requests: report.requests,
      requestsPerOrder: Math.round((report.requests / options.orders) * 1000) / 1000,
      rateLimited: stats.tooMany,
      drainMs: Math.round(drainMs),
      floorMs: Math.round(floorMs),
      vsFloor: floorMs > 0 ? Math.round((drainMs / floorMs) * 100) / 100 : 0,
      realMs: Math.round(realMs),
      customerOrdersInMoySklad: ems.customerOrders.length,
    };
  } finally {
    await emulator.close();
    await dispose();
  }
}
