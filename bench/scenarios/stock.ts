/**
 * @module bench/scenarios/stock
 * Issue 6 benchmark: a full stock sync of one store with `items` products into a price list, when
 * the nomenclature is current. Measures the MoySklad requests of the sync (target 1), the time to
 * write and swap the rows (SQLite or PostgreSQL), the whole sync's time, a second full sync (which
 * replaces existing rows), an incremental run with 100 changed items, and the process's peak RSS.
 *
 * Real time (system clock) and the in-process emulator (no network); the nomenclature is loaded
 * beforehand outside the measured part.
 *
 * ```ts
 * const r = await runStockBench({ items: 100_000, dialect: 'sqlite' });
 * ```
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { ManualClock, systemClock } from '../../src/core/clock.js';
import { normalizeArticle, normalizeBrand } from '../../src/core/normalize.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { splitProductCode } from '../../src/domain/product-code.js';
import { createEmulator } from '../../src/emulator/index.js';
import type { DialectName } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { openBenchDatabase } from '../lib/bench-database.js';
import { MoySkladClientPool } from '../../src/sync/client-pool.js';
import { salePricesJson } from '../../src/sync/stock/product-prices.js';
import type { SwapResult } from '../../src/store/repositories/price-list-repository.js';
import { syncPriceListStock } from '../../src/sync/stock/stock-sync.js';
import type { IntegrationLogEntry } from '../../src/sync/sync-run.js';
import { seedIntegrationRows } from '../../test/helpers/seed-integration.js';

export interface StockBenchOptions {
  items: number;
  dialect: DialectName;
  /** PostgreSQL URL (default TEST_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test); a temporary schema is used. */
  databaseUrl?: string;
  seed?: number;
}

export interface StockBenchResult {
  scenario: 'stock';
  dialect: DialectName;
  items: number;
  rows: number;
  /** MoySklad requests of the first full stock sync (target 1). */
  fullRequests: number;
  fullSyncMs: number;
  /** Writing the new generation + flipping it (first full sync). */
  swapWriteMs: number;
  swapFlipMs: number;
  /** A second full sync over an existing list (old generation kept, older ones deleted). */
  resyncMs: number;
  resyncSwapMs: number;
  /** Incremental run with 100 changed items: requests and time (copy-on-write of the whole list). */
  incrementalRequests: number;
  incrementalMs: number;
  incrementalChanged: number;
  /** Copy-on-write of the list + flip in the incremental run. */
  incrementalSwapMs: number;
  /** Process peak resident set (MB), and the peak sampled during the syncs. */
  peakRssMb: number;
  syncPeakRssMb: number;
  nomenclatureLoadMs: number;
}

const mb = (bytes: number): number => Math.round((bytes / 1024 / 1024) * 10) / 10;

export async function runStockBench(options: StockBenchOptions): Promise<StockBenchResult> {
  const clock = systemClock;
  // The emulator's clock starts 2 h back so the seeded stock is not "changed within the last
  // minutes" (else the incremental run's window would hold the whole store); it is moved to the
  // real time before every measured phase.
  const emClock = new ManualClock({ start: Date.now() - 2 * 3600_000 });
  const catchUp = (): void => emClock.set(Date.now());
  const emulator = createEmulator({ clock: emClock, limits: false, accounts: [{ login: 'bench@shop', password: 'bench', seed: { kind: 'generated', products: options.items, seed: options.seed ?? 7, stores: 2 } }] });
  const { store, dispose } = await openBenchDatabase(options.dialect, options.databaseUrl);
  // Sampled at the sync's own progress points (in-process I/O rarely yields to timers).
  let samplePeak = 0;
  const sample = (): void => {
    samplePeak = Math.max(samplePeak, process.memoryUsage().rss);
  };
  try {
    const db = store.db;
    await migrateToLatest(db);
    const box = new SecretBox(randomBytes(32));
    const clients = new MoySkladClientPool({ db, secretBox: box, clock, fetch: emulator.fetch });
    const entries: IntegrationLogEntry[] = [];
    const runDeps = { db, clock, log: { write: (e: IntegrationLogEntry) => void entries.push(e) } };
    const now = clock.now().toISOString();
    const { regionId, msAccountId } = await seedIntegrationRows(db, {
      now,
      secretBox: box,
      baseUrl: emulator.apiBaseUrl,
      region: { name: 'Bench', code: 'bench' },
      account: { label: 'bench', authKind: 'password', login: 'bench@shop', credentialKey: 'bench@shop', secret: 'bench' },
    });
    const ems = emulator.account('bench@shop');
    const storeId = ems.stores[0]!.id;
    const pl = await db
      .insertInto('priceLists')
      .values({ regionId, name: 'bench', msStoreId: storeId, priceTypeMsId: null, syncIntervalMinutes: 15, deliveryDays: 1, lastSyncAt: null, stockCursor: null, createdAt: now, updatedAt: now })
      .returning('id')
      .executeTakeFirstOrThrow();

    // The nomenclature, current (not measured as part of the stock sync).
    const t0 = Date.now();
    const client = clients.forAccountRow(await db.selectFrom('msAccounts').selectAll().where('id', '=', msAccountId).executeTakeFirstOrThrow());
    for await (const page of client.productPages()) {
      const values = page.map((p) => {
        const split = splitProductCode(p.code, p.article);
        const brand = split.ok ? split.brand : '';
        const article = split.ok ? split.article : (p.article ?? '');
        return {
          msAccountId,
          msId: p.id,
          brand,
          brandNorm: normalizeBrand(brand),
          article,
          articleNorm: normalizeArticle(article),
          code: p.code ?? null,
          name: p.name,
          archived: p.archived ? (1 as const) : (0 as const),
          syncState: split.ok ? ('ok' as const) : ('skipped' as const),
          salePrices: salePricesJson(p),
          createdAt: now,
          updatedAt: now,
        };
      });
      await db.transaction().execute(async (tx) => {
        for (let i = 0; i < values.length; i += 500) await tx.insertInto('products').values(values.slice(i, i + 500)).execute();
      });
    }
    const nomenclatureLoadMs = Date.now() - t0;
    // The nomenclature is current but was not changed just now (else the incremental run would
    // re-evaluate every row whose product changed since its cursor: correct, but not the usual case).
    await db.updateTable('products').set({ updatedAt: new Date(Date.now() - 3600_000).toISOString() }).execute();

    const deps = { db, clock, clients, runDeps };
    const hooks = { progress: sample, swap: { onChunkWritten: sample } };
    let swap: SwapResult | undefined;
    samplePeak = 0;
    catchUp();
    const t1 = Date.now();
    const full = await syncPriceListStock(deps, { priceListId: pl.id, mode: 'full', trigger: 'cli', ...hooks, onSwapped: (s) => (swap = s) });
    sample();
    const fullSyncMs = Date.now() - t1;
    const first = swap!;

    catchUp();
    const t2 = Date.now();
    await syncPriceListStock(deps, { priceListId: pl.id, mode: 'full', trigger: 'cli', ...hooks, onSwapped: (s) => (swap = s) });
    sample();
    const resyncMs = Date.now() - t2;
    const resync = swap!;

    catchUp();
    const products = ems.listProducts();
    for (let i = 0; i < Math.min(100, products.length); i++) ems.setStock(products[i * Math.floor(products.length / 100)]!.id, storeId, { stock: 1000 + i });
    const t3 = Date.now();
    const inc = await syncPriceListStock(deps, { priceListId: pl.id, mode: 'incremental', trigger: 'cli', ...hooks, onSwapped: (x) => (swap = x) });
    sample();
    const incrementalMs = Date.now() - t3;

    return {
      scenario: 'stock',
      dialect: options.dialect,
      items: options.items,
      rows: first.rowCount,
      fullRequests: full.requests,
      fullSyncMs,
      swapWriteMs: first.writeMs,
      swapFlipMs: first.flipMs,
      resyncMs,
      resyncSwapMs: resync.writeMs + resync.flipMs,
      incrementalRequests: inc.requests,
      incrementalMs,
      incrementalChanged: (inc.counts.changed ?? 0) + (inc.counts.zeroed ?? 0),
      incrementalSwapMs: swap === resync ? 0 : swap!.writeMs + swap!.flipMs,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
      syncPeakRssMb: mb(samplePeak),
      nomenclatureLoadMs,
    };
  } finally {
    await dispose();
    await emulator.close();
  }
}

/** `tsx bench/scenarios/stock.ts [items] [sqlite|postgres]` prints the figures as JSON. */
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const items = Number(process.argv[2] ?? 100_000);
  const dialect = (process.argv[3] ?? 'sqlite') as DialectName;
  runStockBench({ items, dialect })
    .then((r) => console.log(JSON.stringify(r, null, 2)))
    .catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
}
