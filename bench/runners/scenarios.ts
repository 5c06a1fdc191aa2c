/**
 * The benchmark scenarios run by bench/run-scenario.ts, each in a fresh process (bench/main.ts).
 * Every scenario sets up its world (not measured), resets the emulator's counters, then measures one
 * sync against the emulator over loopback HTTP in real time. "Requests" are what the emulator saw
 * (429s included); "minimum requests" is the least any client could do for the same result, stated
 * with the rows of each request so that the response-time floor is computed from the latency model.
 * Peak RSS is that of the measured sync alone (bench/lib/peak-rss.ts).
 */
import { recordRun } from '../../src/sync/sync-run.js';
import { runFullNomenclature, runIncrementalNomenclature } from '../../src/sync/nomenclature/nomenclature-sync.js';
import { NomenclatureWriter } from '../../src/sync/nomenclature/nomenclature-writer.js';
import { mapMsProduct, mapMsVariant } from '../../src/sync/nomenclature/product-mapper.js';
import { syncPriceListStock } from '../../src/sync/stock/stock-sync.js';
import type { SwapResult } from '../../src/store/repositories/price-list-repository.js';
import { runPhotoSync } from '../../src/sync/photos/photo-sync.js';
import { BlobStore } from '../../src/sync/photos/blob-store.js';
import type { DialectName } from '../../src/store/database.js';
import { BENCH_LATENCY, openBenchContext, type BenchAuth } from '../lib/bench-context.js';
import type { LatencyModel, RequestGroup } from '../lib/report.js';
import { fmt, loadNomenclature, measure, minimum, pageGroups, weightOf, type Runner } from './kit.js';
import { crashResume, orderBacklog, orderLatency } from './order-runners.js';

export interface ScenarioSpec {
  /** Key in SCENARIOS. */
  name: string;
  size: number;
  auth?: BenchAuth;
  dialect?: DialectName;
  clockOffsetMs: number;
}

export interface ScenarioResult {
  scenario: string;
  /** e.g. "100,000 products". */
  size: string;
  auth: BenchAuth;
  dialect: DialectName;
  requests: number;
  minRequests: number;
  /** The minimum requests with the rows each answers or writes (minRequests = their count); the latency floor is computed from them. */
  minimum?: RequestGroup[];
  /** The emulator's latency model in this row (absent: none). */
  latency?: LatencyModel;
  /** Requests that set the floor when they differ from minRequests (multi-tenant: the busiest account; accounts run in parallel). */
  floorRequests?: number;
  /** Weight units one request of this scenario costs (the floor uses it). */
  weight: number;
  /** 429 answers the emulator sent. */
  tooMany: number;
  wallMs: number;
  /** Store rows written by the measured sync, and the time spent writing them (null: not separable). */
  rowsWritten: number;
  writeMs: number | null;
  status: string;
  notes: string[];
  /** Peak RSS (MB) of the measured sync (VmHWM reset before it), or of the scenario process where that is not possible (filled by run-scenario). */
  peakRssMb?: number;
  /** Filled by main for the naive baseline: the wall time of ours for the same size. */
  oursWallMs?: number;
  /** A row that measures time to an event (latency, resume), not a job against a request floor: no wall/floor. */
  floorless?: boolean;
  /** P1: the 95th percentile of the order latency (target ≤ 2,000 ms). */
  latencyP95Ms?: number;
}

export { pageGroups };

const nomenclatureFull: Runner = async (ctx, spec) => {
  const auth = spec.auth ?? 'password';
  let rows = 0;
  let writeMs = 0;
  const m = await measure(ctx, () =>
    recordRun(ctx.runDeps, { kind: 'nomenclature.full', trigger: 'cli', integrationId: ctx.integrationId }, async (run) => {
      await runFullNomenclature({ db: ctx.store.db, clock: ctx.clock }, { msAccountId: ctx.msAccountId, client: ctx.client }, run, {
        onPageWritten: (p) => {
          rows += p.rows;
          writeMs += p.writeMs;
        },
      });
      return { status: 'ok' };
    }),
  );
  return [
    {
      scenario: auth === 'password' ? 'nomenclature full' : 'nomenclature full (solution token)',
      size: `${fmt(spec.size)} products`,
      auth,
      dialect: ctx.store.dialect,
      requests: m.requests,
      // the products 1000 per page, one (empty) variant page
      ...minimum(pageGroups(spec.size, 1000), pageGroups(0, 1000)),
      weight: weightOf(ctx, auth),
      tooMany: m.tooMany,
      wallMs: m.wallMs,
      rowsWritten: rows,
      writeMs,
      status: `${m.value.status} (${m.value.counts.created ?? 0} created)`,
      notes: [...m.rssNotes],
      peakRssMb: m.peakRssMb,
    },
  ];
};

/** Issue 10 baseline: pages of 20 rows, one request at a time, no limiter, a fixed 3 s sleep on 429. */
export const NAIVE_PAGE = 20;
export const NAIVE_SLEEP_MS = 3000;

const naiveNomenclature: Runner = async (ctx, spec) => {
  const base = ctx.emulator.apiBaseUrl;
  const auth = `Basic ${Buffer.from(`${ctx.login}:bench`).toString('base64')}`;
  let rows = 0;
  let writeMs = 0;
  let retries = 0;
  const m = await measure(ctx, () =>
    recordRun(ctx.runDeps, { kind: 'nomenclature.full', trigger: 'cli', integrationId: ctx.integrationId }, async (run) => {
      const writer = new NomenclatureWriter(ctx.store.db, ctx.clock, ctx.msAccountId);
      const seenAt = ctx.clock.now().toISOString();
      for (const phase of ['product', 'variant'] as const) {
        for (let offset = 0; ; offset += NAIVE_PAGE) {
          const url = `${base}/entity/${phase}?limit=${NAIVE_PAGE}&offset=${offset}`;
          let res: Response;
          for (;;) {
            res = await fetch(url, { headers: { authorization: auth, 'accept-encoding': 'gzip' } });
            if (res.status !== 429) break;
            await res.arrayBuffer();
            retries += 1;
            await ctx.clock.sleep(NAIVE_SLEEP_MS);
          }
          if (!res.ok) throw new Error(`naive: ${res.status} ${await res.text()}`);
          const body = (await res.json()) as { rows: unknown[] };
          const mapped = phase === 'product' ? body.rows.map((r) => mapMsProduct(r as never)) : body.rows.map((r) => mapMsVariant(r as never));
          const t0 = performance.now();
          await writer.writePage(mapped, { runId: run.id, seenAt });
          writeMs += performance.now() - t0;
          rows += mapped.length;
          if (body.rows.length < NAIVE_PAGE) break;
        }
      }
      return { status: 'ok' };
    }),
  );
  return [
    {
      scenario: 'naive baseline: nomenclature full',
      size: `${fmt(spec.size)} products`,
      auth: 'password',
      dialect: ctx.store.dialect,
      requests: m.requests,
      ...minimum(pageGroups(spec.size, 1000), pageGroups(0, 1000)),
      weight: weightOf(ctx, 'password'),
      tooMany: m.tooMany,
      wallMs: m.wallMs,
      rowsWritten: rows,
      writeMs,
      status: `${m.value.status} (${retries} retries after 429)`,
      notes: [`pages of ${NAIVE_PAGE}, sequential, no limiter, ${NAIVE_SLEEP_MS / 1000} s sleep on 429`, ...m.rssNotes],
      peakRssMb: m.peakRssMb,
    },
  ];
};

const nomenclatureIncremental: Runner = async (ctx, spec) => {
  await loadNomenclature(ctx);
  // the incremental cursor starts where the full pass ended; changes come after it
  await recordRun(ctx.runDeps, { kind: 'nomenclature.incremental', trigger: 'cli', integrationId: ctx.integrationId }, async (run) => {
    await runIncrementalNomenclature({ db: ctx.store.db, clock: ctx.clock }, { msAccountId: ctx.msAccountId, client: ctx.client }, run);
    return { status: 'ok' };
  });
  const changed = Math.max(1, Math.round(spec.size / 100));
  await ctx.clock.sleep(1100); // MoySklad `updated` has ms precision; keep the changes clearly after the cursor
  await ctx.emulator.call('touchProducts', { login: ctx.login, count: changed, tag: 'v2' });
  let rows = 0;
  let writeMs = 0;
  const m = await measure(ctx, () =>
    recordRun(ctx.runDeps, { kind: 'nomenclature.incremental', trigger: 'cli', integrationId: ctx.integrationId }, async (run) => {
      await runIncrementalNomenclature({ db: ctx.store.db, clock: ctx.clock }, { msAccountId: ctx.msAccountId, client: ctx.client }, run, {
        onPageWritten: (p) => {
          rows += p.rows;
          writeMs += p.writeMs;
        },
      });
      return { status: 'ok' };
    }),
  );
  return [
    {
      scenario: 'nomenclature incremental (1% changed)',
      size: `${fmt(changed)} of ${fmt(spec.size)} products`,
      auth: 'password',
      dialect: ctx.store.dialect,
      requests: m.requests,
      // the changed products 1000 per page, one (empty) variant page
      ...minimum(pageGroups(changed, 1000), pageGroups(0, 1000)),
      weight: weightOf(ctx, 'password'),
      tooMany: m.tooMany,
      wallMs: m.wallMs,
      rowsWritten: rows,
      writeMs: rows > 0 ? writeMs : null,
      status: `${m.value.status} (${m.value.counts.updated ?? 0} updated)`,
      notes: [...m.rssNotes],
      peakRssMb: m.peakRssMb,
    },
  ];
};

const stock: Runner = async (ctx, spec) => {
  await loadNomenclature(ctx);
  const db = ctx.store.db;
  const info = await ctx.emulator.call<{ storeIds: string[] }>('info', { login: ctx.login });
  const now = ctx.clock.now().toISOString();
  const pl = await db
    .insertInto('priceLists')
    .values({ regionId: ctx.regionId, name: 'bench', msStoreId: info.storeIds[0]!, priceTypeMsId: null, syncIntervalMinutes: 15, deliveryDays: 1, lastSyncAt: null, stockCursor: null, createdAt: now, updatedAt: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const deps = { db, clock: ctx.clock, clients: ctx.pool, runDeps: ctx.runDeps };
  const seen: { swap?: SwapResult | undefined } = {};
  const full = await measure(ctx, () => syncPriceListStock(deps, { priceListId: pl.id, mode: 'full', trigger: 'cli', onSwapped: (s) => (seen.swap = s) }));
  const fullSwap = seen.swap as SwapResult | undefined;
  const changed = Math.max(1, Math.round(spec.size / 100));
  await ctx.clock.sleep(1100);
  await ctx.emulator.call('changeStock', { login: ctx.login, storeIndex: 0, count: changed });
  seen.swap = undefined;
  const inc = await measure(ctx, () => syncPriceListStock(deps, { priceListId: pl.id, mode: 'incremental', trigger: 'cli', onSwapped: (s) => (seen.swap = s) }));
  const swap = seen.swap as SwapResult | undefined;
  const w = weightOf(ctx, 'password', 'report/stock/bystore/current');
  return [
    {
      scenario: 'stock full',
      size: `${fmt(spec.size)} items`,
      auth: 'password',
      dialect: ctx.store.dialect,
      requests: full.requests,
      // one report with a row per product in the store
      ...minimum([{ count: 1, rows: spec.size }]),
      weight: w,
      tooMany: full.tooMany,
      wallMs: full.wallMs,
      rowsWritten: fullSwap?.rowCount ?? 0,
      writeMs: fullSwap ? fullSwap.writeMs + fullSwap.flipMs : null,
      status: `${full.value.status}`,
      notes: [...full.rssNotes],
      peakRssMb: full.peakRssMb,
    },
    {
      scenario: 'stock incremental (1% changed)',
      size: `${fmt(changed)} of ${fmt(spec.size)} items`,
      auth: 'password',
      dialect: ctx.store.dialect,
      requests: inc.requests,
      // one report of the rows changed since the last sync
      ...minimum([{ count: 1, rows: changed }]),
      weight: w,
      tooMany: inc.tooMany,
      wallMs: inc.wallMs,
      // the rows the patch touched (swap.rowCount is the whole list after it)
      rowsWritten: (inc.value.counts.changed ?? 0) + (inc.value.counts.zeroed ?? 0),
      writeMs: swap ? swap.writeMs + swap.flipMs : null,
      status: `${inc.value.status} (${(inc.value.counts.changed ?? 0) + (inc.value.counts.zeroed ?? 0)} changed)`,
      notes: [...inc.rssNotes],
      peakRssMb: inc.peakRssMb,
    },
  ];
};

const photos: Runner = async (ctx, spec) => {
  await ctx.emulator.call('addImages', { login: ctx.login, count: spec.size });
  await loadNomenclature(ctx);
  const blobs = new BlobStore(ctx.store.db, ctx.clock, ctx.dataDir);
  const m = await measure(ctx, () =>
    recordRun(ctx.runDeps, { kind: 'photos', trigger: 'cli', integrationId: ctx.integrationId }, async (run) => {
      const r = await runPhotoSync({ db: ctx.store.db, clock: ctx.clock, blobs }, { msAccountId: ctx.msAccountId, client: ctx.client }, run);
      return { status: r.failed > 0 ? 'partial' : 'ok' };
    }),
  );
  return [
    {
      scenario: 'photos',
      size: `${fmt(spec.size)} products × 1 image`,
      auth: 'password',
      dialect: ctx.store.dialect,
      requests: m.requests,
      // products listed 100 at a time with expand=images, then one download per image (thumbnails made locally)
      ...minimum(pageGroups(spec.size, 100), [{ count: spec.size, rows: 1 }]),
      weight: weightOf(ctx, 'password'),
      tooMany: m.tooMany,
      wallMs: m.wallMs,
      rowsWritten: m.value.counts.downloaded ?? 0,
      writeMs: null,
      status: `${m.value.status} (${m.value.counts.downloaded ?? 0} downloaded)`,
      notes: [...m.rssNotes],
      peakRssMb: m.peakRssMb,
    },
  ];
};

export const SCENARIOS: Record<string, { seed: (size: number) => { products: number; stores?: number }; run: Runner }> = {
  'nomenclature-full': { seed: (n) => ({ products: n }), run: nomenclatureFull },
  'nomenclature-naive': { seed: (n) => ({ products: n }), run: naiveNomenclature },
  'nomenclature-incremental': { seed: (n) => ({ products: n }), run: nomenclatureIncremental },
  stock: { seed: (n) => ({ products: n, stores: 2 }), run: stock },
  photos: { seed: (n) => ({ products: n }), run: photos },
  orders: { seed: () => ({ products: 300, stores: 2 }), run: orderBacklog },
  'order-latency': { seed: () => ({ products: 300, stores: 2 }), run: orderLatency },
  'crash-resume': { seed: () => ({ products: 300, stores: 2 }), run: crashResume },
};

export async function runScenario(spec: ScenarioSpec): Promise<ScenarioResult[]> {
  const s = SCENARIOS[spec.name];
  if (!s) throw new Error(`unknown scenario ${spec.name}`);
  const ctx = await openBenchContext({
    seed: { kind: 'generated', seed: 1, ...s.seed(spec.size) },
    auth: spec.auth ?? 'password',
    dialect: spec.dialect ?? 'sqlite',
    clockOffsetMs: spec.clockOffsetMs,
  });
  try {
    const rows = await s.run(ctx, spec);
    for (const r of rows) r.latency ??= { ...BENCH_LATENCY };
    return rows;
  } finally {
    await ctx.dispose();
  }
}
