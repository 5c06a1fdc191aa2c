/**
 * One scenario's world: the emulator in its own process on a loopback port (REAL clock, MoySklad's
 * 2026 limits, the benchmark latency model), a fresh store (SQLite in a temp dir or a temporary
 * PostgreSQL schema), one region + MoySklad account + integration, and the shared client pool
 * using the global fetch (real HTTP).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Clock } from '../../src/core/clock.js';
import { SecretBox } from '../../src/core/secret-box.js';
import type { EmulatorAccountSpec, SeedSpec } from '../../src/emulator/index.js';
import type { MoySkladClient } from '../../src/moysklad/client.js';
import { createDatabase, type DialectName, type StoreDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { MoySkladClientPool } from '../../src/sync/client-pool.js';
import { seedIntegrationRows } from '../../test/helpers/seed-integration.js';
import type { IntegrationLogEntry, SyncRunDeps } from '../../src/sync/sync-run.js';
import { shiftedClock } from './bench-clock.js';
import { RemoteEmulator } from './remote-emulator.js';

/** The latency model of every benchmark row (docs/benchmarks.md, docs/emulator.md). */
export const BENCH_LATENCY = { baseMs: 100, perRowMs: 0.1 } as const;

export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export type BenchAuth = 'password' | 'solution_token';

export interface BenchContextOptions {
  seed: SeedSpec;
  auth: BenchAuth;
  dialect: DialectName;
  clockOffsetMs: number;
  /** Default BENCH_LATENCY. */
  latency?: { baseMs: number; perRowMs: number };
}

export interface BenchContext {
  clock: Clock;
  emulator: RemoteEmulator;
  store: StoreDatabase;
  dataDir: string;
  pool: MoySkladClientPool;
  client: MoySkladClient;
  runDeps: SyncRunDeps;
  login: string;
  msAccountId: number;
  regionId: number;
  integrationId: number;
  secretBox: SecretBox;
  dispose(): Promise<void>;
}

export const BENCH_LOGIN = 'bench@shop';
const SOLUTION_TOKEN = 'bench-solution-token-0001';

async function pgAdmin(statement: string): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_PG_URL });
  await c.connect();
  try {
    await c.query(statement);
  } finally {
    await c.end();
  }
}

export async function openBenchContext(o: BenchContextOptions): Promise<BenchContext> {
  const clock = shiftedClock(o.clockOffsetMs);
  const account: EmulatorAccountSpec = { login: BENCH_LOGIN, password: 'bench', seed: o.seed, solutionTokens: [SOLUTION_TOKEN] };
  const emulator = await RemoteEmulator.start({ accounts: [account], limits: {}, latency: o.latency ?? BENCH_LATENCY, clockOffsetMs: o.clockOffsetMs });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'msx-bench-'));
  const pgSchema = o.dialect === 'postgres' ? `bench_${randomBytes(5).toString('hex')}` : null;
  if (pgSchema) await pgAdmin(`create schema ${pgSchema}`);
  const store = createDatabase({ databaseUrl: pgSchema ? TEST_PG_URL : null, dataDir, ...(pgSchema ? { pgSchema, poolMax: 5 } : {}) });
  await migrateToLatest(store.db);
  const db = store.db;
  const secretBox = new SecretBox(randomBytes(32));
  const now = clock.now().toISOString();
  const { regionId, msAccountId, integrationId } = await seedIntegrationRows(db, {
    now,
    secretBox,
    baseUrl: emulator.apiBaseUrl,
    region: { name: 'Bench', code: 'bench' },
    account:
      o.auth === 'password'
        ? { label: 'bench', authKind: o.auth, login: BENCH_LOGIN, credentialKey: BENCH_LOGIN, secret: 'bench' }
        : { label: 'bench', authKind: o.auth, login: null, credentialKey: 'solution:bench', secret: SOLUTION_TOKEN },
    integration: async () => {
      const info = await emulator.call<{ storeIds: string[]; organization: { id: string; name: string } | null }>('info', { login: BENCH_LOGIN });
      return { organizationMsId: info.organization?.id ?? null, organizationName: info.organization?.name ?? null, defaultStoreMsId: info.storeIds[0] ?? null };
    },
  });
  const pool = new MoySkladClientPool({ db, secretBox, clock, fetch: globalThis.fetch });
  const client = await pool.forAccount(msAccountId);
  const logs: IntegrationLogEntry[] = [];
  const runDeps: SyncRunDeps = { db, clock, log: { write: (e: IntegrationLogEntry) => void (logs.length < 1000 && logs.push(e)) } };
  return {
    clock,
    emulator,
    store,
    dataDir,
    pool,
    client,
    runDeps,
    login: BENCH_LOGIN,
    msAccountId,
    regionId,
    integrationId,
    secretBox,
    async dispose() {
      await store.destroy().catch(() => undefined);
      if (pgSchema) await pgAdmin(`drop schema if exists ${pgSchema} cascade`).catch(() => undefined);
      await emulator.close().catch(() => undefined);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
