/**
 * @module databases (test helper)
 * Runs the same test cases on SQLite and PostgreSQL.
 *
 * ```ts
 * forEachDialect((getDb) => {
 *   it('R11 …', async () => { const { db } = getDb(); … });
 * });
 * ```
 * SQLite runs in a fresh temp dir per suite; PostgreSQL at `TEST_DATABASE_URL` (default
 * `postgres://postgres@127.0.0.1:5432/test`) in a random schema created and dropped by the suite.
 * S5: the probe retries for `PG_PROBE_SECONDS` (default 30) before it calls PostgreSQL unreachable.
 * With `CI=true` or `TEST_DATABASE_URL` set an unreachable PostgreSQL FAILS the run (the PostgreSQL
 * block holds one failing case naming why); otherwise its cases are skipped with a visible warning.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { createDatabase } from '../../src/store/database.js';
import type { DialectName, StoreDatabase } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';

export const TEST_PG_URL = process.env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const dialects: readonly DialectName[] = ['sqlite', 'postgres'];

let pgProbe: string | null | undefined;

/** Retries until PostgreSQL answers or PROBE_DEADLINE_MS passed; prints `ok` or the last reason. */
const PROBE_SCRIPT = `
import pg from 'pg';
const deadline = Date.now() + Number(process.env.PROBE_DEADLINE_MS);
let last = 'no attempt';
for (;;) {
  const c = new pg.Client({ connectionString: process.env.PROBE_URL, connectionTimeoutMillis: 5000 });
  try { await c.connect(); await c.query('select 1'); process.stdout.write('ok'); await c.end().catch(() => {}); break; }
  catch (e) { last = String((e && (e.message || e.code || e.name)) || e); await c.end().catch(() => {}); }
  if (Date.now() >= deadline) { process.stdout.write(last); break; }
  await new Promise((r) => setTimeout(r, 500));
}
`;

/** S5: PostgreSQL cases must run (not be skipped) in CI or when a PostgreSQL URL is given. */
export function postgresRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0') || (env.TEST_DATABASE_URL ?? '') !== '';
}

/** How long the probe retries (S5): `PG_PROBE_SECONDS`, default 30 when PostgreSQL is required, else 5. */
export function probeDeadlineMs(env: NodeJS.ProcessEnv = process.env): number {
  const fallback = postgresRequired(env) ? 30 : 5;
  const s = Number(env.PG_PROBE_SECONDS ?? String(fallback));
  return Number.isFinite(s) && s >= 0 ? s * 1000 : fallback * 1000;
}

/** Thrown at collection time (the test file fails) when PostgreSQL is required but does not answer. */
export class PostgresRequiredError extends Error {
  constructor(reason: string) {
    super(`PostgreSQL at ${TEST_PG_URL} is unreachable (${reason}); CI=true or TEST_DATABASE_URL require it, so its cases fail instead of being skipped`);
    this.name = 'PostgresRequiredError';
  }
}

/**
 * Null when PostgreSQL answers; otherwise why not, so that suites can be declared skipped at
 * collection time. S5: when PostgreSQL is required (`postgresRequired()`) an unreachable one
 * throws `PostgresRequiredError` instead, which fails the test file.
 */
export function postgresUnavailableReason(): string | null {
  const reason = probePostgres();
  if (reason !== null && postgresRequired()) throw new PostgresRequiredError(reason);
  return reason;
}

/**
 * Null when PostgreSQL at `url` answers within `deadlineMs` (retrying every 0.5 s); otherwise the
 * last reason. Probed synchronously in a child process, once per test file for the default URL.
 */
export function probePostgres(url: string = TEST_PG_URL, deadlineMs: number = probeDeadlineMs()): string | null {
  if (pgProbe !== undefined && url === TEST_PG_URL) return pgProbe;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE_SCRIPT], {
    env: { ...process.env, PROBE_URL: url, PROBE_DEADLINE_MS: String(deadlineMs) },
    encoding: 'utf8',
    timeout: deadlineMs + 15_000,
  });
  const out = (r.stdout ?? '').trim();
  const reason = out === 'ok' ? null : out || r.error?.message || `probe exited with ${String(r.status)}`;
  if (url === TEST_PG_URL) pgProbe = reason;
  return reason;
}

export interface TestDatabase extends StoreDatabase {
  /** SQLite temp dir (also usable as DATA_DIR), or a temp dir for PG too. */
  dataDir: string;
  /** PostgreSQL schema of this database (undefined on SQLite). */
  schema?: string;
  /** Destroys the database and removes the temp dir / drops the schema. */
  dispose(): Promise<void>;
}

export interface OpenTestDatabaseOptions {
  /** Run migrations (default true). */
  migrate?: boolean;
  /** PostgreSQL server to use instead of `TEST_DATABASE_URL` (benchmarks pass their own). */
  databaseUrl?: string;
}

/** Opens a fresh, migrated database of the dialect. Caller must `dispose()` it. */
export async function openTestDatabase(dialect: DialectName, options: OpenTestDatabaseOptions = {}): Promise<TestDatabase> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mse-test-'));
  let store: StoreDatabase;
  let schema: string | undefined;
  const pgUrl = options.databaseUrl ?? TEST_PG_URL;
  if (dialect === 'postgres') {
    schema = `t_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: pgUrl });
    await admin.connect();
    try {
      await admin.query(`create schema ${schema}`);
    } finally {
      await admin.end();
    }
    store = createDatabase({ databaseUrl: pgUrl, dataDir, pgSchema: schema, poolMax: 5 });
  } else {
    store = createDatabase({ dataDir });
  }
  if (options.migrate ?? true) await migrateToLatest(store.db);
  const dispose = async (): Promise<void> => {
    await store.destroy();
    if (schema) {
      const admin = new pg.Client({ connectionString: pgUrl });
      await admin.connect();
      try {
        await admin.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await admin.end();
      }
    }
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  return { ...store, dataDir, ...(schema ? { schema } : {}), dispose };
}

/**
 * Declares `describe(<dialect>)` for each dialect and opens one migrated database per dialect
 * for the whole block (beforeAll/afterAll). `getDb()` returns it inside tests.
 */
export function forEachDialect(
  fn: (getDb: () => TestDatabase, dialect: DialectName) => void,
  options: OpenTestDatabaseOptions = {},
): void {
  for (const dialect of dialects) {
    const skipReason = dialect === 'postgres' ? postgresUnavailableReason() : null;
    if (skipReason) {
      console.warn(`[postgres] PostgreSQL at ${TEST_PG_URL} is unreachable (${skipReason}); PostgreSQL cases SKIPPED`);
    }
    const block = skipReason ? describe.skip : describe;
    block(skipReason ? `${dialect} (SKIPPED: PostgreSQL unreachable: ${skipReason})` : dialect, () => {
      let tdb: TestDatabase | undefined;
      beforeAll(async () => {
        tdb = await openTestDatabase(dialect, options);
      });
      afterAll(async () => {
        await tdb?.dispose();
      });
      fn(() => {
        if (!tdb) throw new Error(`${dialect} test database is not open`);
        return tdb;
      }, dialect);
    });
  }
}
