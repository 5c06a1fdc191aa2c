/**
 * @module migrate
 * Runs the migrations of `migrations/index.ts` on either dialect and reports their status
 * (for `/readyz` and the CLI `migrate`).
 */
import { Migrator, sql } from 'kysely';
import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { AppError, errorMessage } from '../core/errors.js';
import { dialectOf } from './dialect-of.js';
import { migrations as allMigrations } from './migrations/index.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations work on any schema
type AnyDb = Kysely<any>;

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly migrations: Record<string, Migration>) {}
  getMigrations(): Promise<Record<string, Migration>> {
    return Promise.resolve(this.migrations);
  }
}

/**
 * On PostgreSQL the migration tables live in the connection's current schema, named explicitly:
 * without it Kysely would find another schema's `kysely_migration` (several schemas per database,
 * e.g. parallel test suites) and skip creating its own.
 */
async function migratorFor(db: AnyDb, migrations: Record<string, Migration>): Promise<Migrator> {
  const provider = new StaticMigrationProvider(migrations);
  // Migrations are numbered by the branch that wrote them, so one may land below a number an
  // install has already run; each is additive and independent of its neighbours, so it is run then.
  const allowUnorderedMigrations = true;
  if (dialectOf(db) === 'postgres') {
    const r = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    const schema = r.rows[0]?.schema;
    if (schema) return new Migrator({ db, provider, migrationTableSchema: schema, allowUnorderedMigrations });
  }
  return new Migrator({ db, provider, allowUnorderedMigrations });
}

/**
 * Kysely's PostgreSQL introspection (used by the migrator to find its tables) reads every schema
 * of the database; a schema dropped or altered at that moment by another process (parallel test
 * suites, or an operator) fails it with "schema … does not exist" (3F000), a vanished relation
 * (42P01), a vanished column (42703, a table being rebuilt or altered) or PostgreSQL's "cache lookup
 * failed for namespace" (XX000, a schema dropped between two catalog reads). Nothing was changed by
 * then, so the call is simply retried.
 */
function isConcurrentSchemaChange(e: unknown): boolean {
  const code = typeof e === 'object' && e !== null && 'code' in e ? (e as { code: unknown }).code : undefined;
  return code === '3F000' || code === '42P01' || code === '42703' || /schema "[^"]+" does not exist|cache lookup failed for (namespace|relation|type)/.test(errorMessage(e));
}

async function retryOnSchemaRace<T>(fn: () => Promise<T>, attempts = 5): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= attempts || !isConcurrentSchemaChange(e)) throw e;
    }
  }
}

export interface MigrationResultSummary {
  /** Names applied by this call, in order. */
  applied: string[];
}

/** Applies every pending migration; throws `AppError('migration_failed')` naming the failing one. */
export async function migrateToLatest(
  db: AnyDb,
  migrations: Record<string, Migration> = allMigrations,
): Promise<MigrationResultSummary> {
  const { error, results } = await retryOnSchemaRace(async () => {
    const r = await (await migratorFor(db, migrations)).migrateToLatest();
    // Nothing applied and failing on a concurrent schema drop: throw so that it is retried.
    if (r.error !== undefined && isConcurrentSchemaChange(r.error) && !(r.results ?? []).some((x) => x.status === 'Success')) throw r.error;
    return r;
  }).catch((e: unknown) => ({ error: e, results: undefined }));
  const failed = results?.find((r) => r.status === 'Error');
  if (error !== undefined) {
    const which = failed ? `migration ${failed.migrationName} failed` : 'migrations failed';
    throw new AppError('migration_failed', `${which}: ${errorMessage(error)}`, { cause: error });
  }
  return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

export interface MigrationStatus {
  known: string[];
  applied: string[];
  pending: string[];
  upToDate: boolean;
}

/** Which migrations are applied and which are pending. Throws when the database is unreachable. */
export async function migrationStatus(
  db: AnyDb,
  migrations: Record<string, Migration> = allMigrations,
): Promise<MigrationStatus> {
  const infos = await retryOnSchemaRace(async () => (await migratorFor(db, migrations)).getMigrations());
  const known = infos.map((m) => m.name);
  const applied = infos.filter((m) => m.executedAt !== undefined).map((m) => m.name);
  const pending = infos.filter((m) => m.executedAt === undefined).map((m) => m.name);
  return { known, applied, pending, upToDate: pending.length === 0 };
}
