/**
 * @module sqlite-rebuild
 * SQLite cannot drop a NOT NULL or a table constraint in place; the documented way is to build the
 * table anew (https://sqlite.org/lang_altertable.html#otheralter): foreign keys off, create the new
 * table, copy the rows (ids kept), drop the old one, rename, recreate the indexes, check the
 * foreign keys, foreign keys on. The table's triggers (e.g. the E1 change sequence, migration 0034)
 * are recreated on the new table. Used by migrations only; it runs in its own transaction.
 */
import { sql, type Kysely } from 'kysely';

export interface SqliteRebuild {
  table: string;
  /** `create table "<table>__new" (…)` with the new shape. */
  createNew: string;
  /** Columns copied from the old table (same names in the new one). */
  columns: readonly string[];
  /** Index statements to run once the new table has the old name. */
  indexes: readonly string[];
}

export async function rebuildSqliteTable(db: Kysely<any>, r: SqliteRebuild): Promise<void> {
  const cols = r.columns.map((c) => `"${c}"`).join(', ');
  await sql`pragma foreign_keys = off`.execute(db);
  try {
    await db.transaction().execute(async (tx) => {
      const triggers = await sql<{ sql: string }>`select sql from sqlite_master where type = 'trigger' and tbl_name = ${r.table} and sql is not null`.execute(tx);
      await sql.raw(r.createNew).execute(tx);
      await sql.raw(`insert into "${r.table}__new" (${cols}) select ${cols} from "${r.table}"`).execute(tx);
      await sql.raw(`drop table "${r.table}"`).execute(tx);
      await sql.raw(`alter table "${r.table}__new" rename to "${r.table}"`).execute(tx);
      for (const ix of r.indexes) await sql.raw(ix).execute(tx);
      for (const t of triggers.rows) await sql.raw(t.sql).execute(tx);
      const broken = await sql.raw(`pragma foreign_key_check("${r.table}")`).execute(tx);
      if (broken.rows.length > 0) throw new Error(`rebuilding ${r.table}: ${broken.rows.length} row(s) break a foreign key`);
    });
  } finally {
    await sql`pragma foreign_keys = on`.execute(db);
  }
}
