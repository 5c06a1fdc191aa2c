/**
 * @module 0042_shipped_quantity_float
 * E7: `order_positions.shipped_quantity` (migration 0033) becomes a float column, like
 * `order_positions.quantity`: MoySklad quantities are fractional for goods sold by weight or length
 * (1.5 kg, 2.75 m), and a position's `shipped` is one of them. PostgreSQL changes the type in place
 * (`double precision`); SQLite cannot, so the column is added anew as `real`, filled from the old
 * one, and takes its name (the column has no index, constraint or trigger).
 */
import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../dialect-of.js';

async function retype(db: Kysely<any>, pgType: string, sqliteType: 'real' | 'integer', convert: string): Promise<void> {
  if (dialectOf(db) === 'postgres') {
    await sql.raw(`alter table order_positions alter column shipped_quantity type ${pgType} using ${convert}`).execute(db);
    return;
  }
  await db.transaction().execute(async (tx) => {
    await tx.schema.alterTable('order_positions').addColumn('shipped_quantity__new', sqliteType).execute();
    await sql.raw(`update order_positions set shipped_quantity__new = ${convert}`).execute(tx);
    await tx.schema.alterTable('order_positions').dropColumn('shipped_quantity').execute();
    await tx.schema.alterTable('order_positions').renameColumn('shipped_quantity__new', 'shipped_quantity').execute();
  });
}

export async function up(db: Kysely<any>): Promise<void> {
  await retype(db, 'double precision', 'real', 'shipped_quantity');
}

export async function down(db: Kysely<any>): Promise<void> {
  await retype(db, 'integer', 'integer', 'cast(round(shipped_quantity) as integer)');
}
