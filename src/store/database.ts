/**
 * @module database
 * Opens the module's database: SQLite (better-sqlite3) by default, PostgreSQL when
 * `DATABASE_URL=postgres://…`. Both give the same row types (see `schema.ts`).
 */
import fs from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { isPostgresUrl } from '../core/database-url.js';
import pg from 'pg';
import { CamelCasePlugin, Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { Database } from './schema.js';
import { PRIVATE_DIR_MODE, privatizeIfExists, touchPrivateFile } from '../core/private-files.js';

export type DialectName = 'sqlite' | 'postgres';

/** What `createDatabase` needs; the app config satisfies it. */
export interface DatabaseConfig {
  /** `postgres://…` for PostgreSQL; empty/undefined for SQLite. */
  databaseUrl?: string | null | undefined;
  /** Directory of the SQLite file (default file `moysklad-exchange.sqlite`). */
  dataDir: string;
  /** Overrides the SQLite file path (`:memory:` allowed). */
  sqliteFile?: string;
  /** PostgreSQL `search_path` (tests use a schema of their own). */
  pgSchema?: string;
  /** PostgreSQL pool size (default 10). */
  poolMax?: number;
}

export interface StoreDatabase {
  db: Kysely<Database>;
  dialect: DialectName;
  /** Closes the connection or pool. */
  destroy(): Promise<void>;
}

export const SQLITE_FILE_NAME = 'moysklad-exchange.sqlite';

const PG_INT8 = 20;
const PG_NUMERIC = 1700;

/**
 * pg returns int8 and numeric as strings (they may exceed 2^53). Money here is kopecks, far
 * below 2^53, and counts are small, so they are parsed to JS numbers; identical to SQLite.
 */
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === PG_INT8 || oid === PG_NUMERIC) return (v: string) => (v === null ? null : Number(v));
    return format === 'binary' ? pg.types.getTypeParser(oid, 'binary') : pg.types.getTypeParser(oid, 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};

/** Opens the database described by `config`. Migrations are not run here (see `migrateToLatest`). */
export function createDatabase(config: DatabaseConfig): StoreDatabase {
  const plugins = [new CamelCasePlugin()];
  if (config.databaseUrl) {
    if (!isPostgresUrl(config.databaseUrl)) {
      throw new AppError('config_invalid', 'DATABASE_URL is not a valid postgres:// URL');
    }
    const pool = new pg.Pool({
      connectionString: config.databaseUrl,
      max: config.poolMax ?? 10,
      types: pgTypes,
      ...(config.pgSchema ? { options: `-c search_path=${quotePgIdent(config.pgSchema)}` } : {}),
    });
    // An idle client's error (e.g. the server restarted) must not crash the process.
    pool.on('error', () => undefined);
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), plugins });
    return { db, dialect: 'postgres', destroy: () => db.destroy() };
  }
  const file = config.sqliteFile ?? path.join(config.dataDir, SQLITE_FILE_NAME);
  if (file !== ':memory:') {
    // S4: the directory 0700 and the database 0600 before SQLite opens it (its -wal/-shm take the file's mode).
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true, mode: PRIVATE_DIR_MODE });
    touchPrivateFile(file);
  }
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  if (file !== ':memory:') for (const suffix of ['', '-wal', '-shm']) privatizeIfExists(file + suffix);
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('synchronous = NORMAL');
  // Bulk writes (a nomenclature page touches ~1,000 random leaves of each products index): an 8 MiB
  // page cache instead of 2 MiB, and a checkpoint every 10,000 WAL pages (~40 MiB) instead of 1,000, so
  // hot pages are copied into the database file (with an fsync) about ten times less often; the WAL
  // file is cut back to 64 MiB after a checkpoint. Measured in docs/storage.md.
  sqlite.pragma('cache_size = -8192');
  sqlite.pragma('temp_store = MEMORY');
  sqlite.pragma('wal_autocheckpoint = 10000');
  sqlite.pragma('journal_size_limit = 67108864');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }), plugins });
  sqliteHandles.set(db, sqlite);
  return { db, dialect: 'sqlite', destroy: () => db.destroy() };
}

/** The better-sqlite3 handle behind each SQLite Kysely instance (for the bulk-write fast paths). */
const sqliteHandles = new WeakMap<object, SqliteDatabase.Database>();

/**
 * The better-sqlite3 connection behind `db` when `db` is the root SQLite instance made by
 * `createDatabase` (not a transaction, not PostgreSQL); otherwise undefined. Bulk writers use it
 * for prepared-statement loops, which are ~3x faster than multi-row INSERTs through Kysely. They
 * must check `inTransaction` first: a Kysely transaction may hold the (single) connection.
 */
export function sqliteHandleOf(db: object): SqliteDatabase.Database | undefined {
  return sqliteHandles.get(db);
}

function quotePgIdent(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new AppError('config_invalid', `invalid PostgreSQL schema name ${name}`);
  return name;
}

/** The instant as ISO-8601 UTC text (the storage form of every timestamp). */
export function nowIso(clock: Clock): string {
  return clock.now().toISOString();
}

/** Converts a Date, epoch ms or parseable string to storage form. */
export function toIso(value: Date | number | string): string {
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) throw new AppError('invalid_time', `not a time: ${String(value)}`);
  return d.toISOString();
}

/** Storage form of a boolean. */
export const flag = (b: boolean | null | undefined): 0 | 1 => (b ? 1 : 0);

/** Splits `items` into chunks of at most `size` (bulk inserts stay under parameter limits). */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
