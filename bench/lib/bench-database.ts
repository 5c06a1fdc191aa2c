/**
 * @module bench-database
 * A fresh, empty database for one benchmark scenario (a temp SQLite file, or a schema of its own
 * on PostgreSQL), opened through the same helper the tests use. The scenario migrates it itself.
 */
import type { DialectName, StoreDatabase } from '../../src/store/database.js';
import { openTestDatabase } from '../../test/helpers/databases.js';

export async function openBenchDatabase(
  dialect: DialectName,
  databaseUrl?: string,
): Promise<{ store: StoreDatabase; dispose: () => Promise<void> }> {
  const tdb = await openTestDatabase(dialect, { migrate: false, ...(databaseUrl ? { databaseUrl } : {}) });
  return { store: tdb, dispose: () => tdb.dispose() };
}
