/**
 * Benchmark scenario (issue 5): a full nomenclature pass of N generated products against the
 * emulator enforcing MoySklad's 2026 limits for a login+password credential, on a fresh store
 * (SQLite in a temp dir, or PostgreSQL when `databaseUrl` is given), in real time.
 *
 * ```ts
 * const r = await runNomenclatureBench({ products: 100_000 });
 * // r.requests (≥ 100 list requests), r.rateLimited (must be 0), r.wallMs / r.floorMs,
 * // r.peakRssBytes, r.writesPerSecond
 * ```
 *
 * The floor is the time the rate limit alone imposes: `requests × weight × intervalMs / bucket`
 * (no credit for the bucket being full at the start). `writesPerSecond` is product rows written
 * per second spent in the store writes (page upserts, report, seen markers).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { systemClock, type Clock } from '../../src/core/clock.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { createEmulator, defaultRateLimits, type RateLimitSettings } from '../../src/emulator/index.js';
import { createDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { MoySkladClientPool } from '../../src/sync/client-pool.js';
import { runFullNomenclature } from '../../src/sync/nomenclature/nomenclature-sync.js';
import { recordRun } from '../../src/sync/sync-run.js';
import { seedAccountRow } from '../../test/helpers/seed-integration.js';

export interface NomenclatureBenchOptions {
  /** How many generated products the emulator account holds. */
  products: number;
  /** Emulator limits (default: MoySklad's 2026 limits); `false` = unlimited (no floor). */
  limits?: false | Partial<RateLimitSettings>;
  /** PostgreSQL URL; default SQLite in a temporary directory. */
  databaseUrl?: string | null;
  /** Generator seed (default 1). */
  seed?: number;
  clock?: Clock;
}

export interface NomenclatureBenchResult {
  products: number;
  dialect: 'sqlite' | 'postgres';
  /** MoySklad requests the run made (list pages + deletion checks). */
  requests: number;
  /** 429 answers the client received. */
  rateLimited: number;
  /** 429 answers the emulator sent (should equal `rateLimited`). */
  emulator429: number;
  wallMs: number;
  /** Time the rate limit alone imposes for these requests; null when limits are off. */
  floorMs: number | null;
  /** wallMs / floorMs. */
  floorRatio: number | null;
  /** Weight of one request under the limits used. */
  weight: number | null;
  peakRssBytes: number;
  rowsWritten: number;
  writeMs: number;
  writesPerSecond: number;
  counts: Record<string, number>;
  status: string;
}

export async function runNomenclatureBench(options: NomenclatureBenchOptions): Promise<NomenclatureBenchResult> {
  const clock = options.clock ?? systemClock;
  const limits: RateLimitSettings | false = options.limits === false ? false : { ...defaultRateLimits, ...(options.limits ?? {}) };
  const emulator = createEmulator({
    clock,
    limits: limits === false ? false : limits,
    accounts: [{ login: 'bench@demo', password: 'bench', seed: { kind: 'generated', products: options.products, seed: options.seed ?? 1 } }],
  });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'msx-bench-nomenclature-'));
  // PostgreSQL: a schema of its own, dropped afterwards.
  const pgSchema = options.databaseUrl ? `bench_${randomBytes(6).toString('hex')}` : null;
  const admin = async (statement: string): Promise<void> => {
    const c = new pg.Client({ connectionString: options.databaseUrl ?? '' });
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };
  if (pgSchema) await admin(`create schema ${pgSchema}`);
  const store = createDatabase({ databaseUrl: options.databaseUrl ?? null, dataDir, ...(pgSchema ? { pgSchema } : {}) });
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 50);
  try {
    await migrateToLatest(store.db);
    const secretBox = new SecretBox(randomBytes(32));
    const now = clock.now().toISOString();
    const msAccountId = await seedAccountRow(store.db, {
      now,
      secretBox,
      baseUrl: emulator.apiBaseUrl,
      account: { label: 'bench', authKind: 'password', login: 'bench@demo', credentialKey: 'bench@demo', secret: 'bench' },
    });
    const pool = new MoySkladClientPool({ db: store.db, secretBox, clock, fetch: emulator.fetch });
    const client = await pool.forAccount(msAccountId);

    let rowsWritten = 0;
    let writeMs = 0;
    const started = performance.now();
    const finished = await recordRun({ db: store.db, clock, log: { write: () => undefined } }, { kind: 'nomenclature.full', trigger: 'cli' }, async (run) => {
      await runFullNomenclature({ db: store.db, clock }, { msAccountId, client }, run, {
        onPageWritten: ({ rows, writeMs: ms }) => {
          rowsWritten += rows;
          writeMs += ms;
        },
      });
      return { status: 'ok' };
    });
    const wallMs = performance.now() - started;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);

    const stats = client.stats();
    const weight = limits === false ? null : clock.nowMs() >= limits.userWeightSwitchAt ? limits.userWeightLater : limits.userWeight;
    const floorMs = limits === false || weight === null ? null : (finished.requests * weight * limits.intervalMs) / limits.bucket;
    return {
      products: options.products,
      dialect: store.dialect,
      requests: finished.requests,
      rateLimited: stats.rateLimitedTotal,
      emulator429: emulator.stats().tooMany,
      wallMs: Math.round(wallMs),
      floorMs: floorMs === null ? null : Math.round(floorMs),
      floorRatio: floorMs === null ? null : Number((wallMs / floorMs).toFixed(3)),
      weight,
      peakRssBytes: peakRss,
      rowsWritten,
      writeMs: Math.round(writeMs),
      writesPerSecond: writeMs > 0 ? Math.round((rowsWritten * 1000) / writeMs) : 0,
      counts: finished.counts,
      status: finished.status,
    };
  } finally {
    clearInterval(sampler);
    await store.destroy().catch(() => undefined);
    if (pgSchema) await admin(`drop schema if exists ${pgSchema} cascade`).catch(() => undefined);
    await emulator.close().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
