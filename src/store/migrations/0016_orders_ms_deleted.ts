/**
 * @module 0016_orders_ms_deleted
 * C6: when every line of an exported order is rejected or withdrawn, its MoySklad order is
 * deleted. The store order keeps its history: `ms_order_id` stays, `ms_deleted_at` says when the
 * MoySklad order was deleted (null = it exists, or was never created).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').addColumn('ms_deleted_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').dropColumn('ms_deleted_at').execute();
}
