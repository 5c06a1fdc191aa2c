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
 * When PostgreSQL is unreachable its cases are skipped with a visible warning naming why.
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

export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const dialects: readonly DialectName[] = ['sqlite', 'postgres'];

let pgProbe: string | null | undefined;

const PROBE_SCRIPT = `
import pg from 'pg';
const c = new pg.Client({ connectionString: process.env.PROBE_URL, connectionTimeoutMillis: 3000 });
try { await c.connect(); await c.query('select 1'); process.stdout.write('ok'); }
catch (e) { process.stdout.write(String((e && (e.message || e.code || e.name)) || e)); }
finally { await c.end().catch(() => {}); }
`;

/**
 * Null when PostgreSQL answers; otherwise why not. Probed synchronously (in a child process)
 * once per test file, so that suites can be declared skipped at collection time.
 */
export function postgresUnavailableReason(): string | null {
  if (pgProbe !== undefined) return pgProbe;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE_SCRIPT], {
    env: { ...process.env, PROBE_URL: TEST_PG_URL },
    encoding: 'utf8',
    timeout: 10_000,
  });
  const out = (r.stdout ?? '').trim();
  pgProbe = out === 'ok' ? null : out || r.error?.message || `probe exited with ${String(r.status)}`;
  return pgProbe;
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
