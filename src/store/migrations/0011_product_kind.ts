/**
 * @module 0011_product_kind
 * C2: a catalog item is a MoySklad `product` or a `variant` (модификация). Order positions must
 * reference a variant as `variant`, never as `product`, so the kind is kept on the row, with the
 * parent product's MoySklad id for variants. Existing rows are products.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('products').addColumn('kind', 'text', (c) => c.notNull().defaultTo('product')).execute();
  await db.schema.alterTable('products').addColumn('parent_ms_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('products').dropColumn('parent_ms_id').execute();
  await db.schema.alterTable('products').dropColumn('kind').execute();
}
