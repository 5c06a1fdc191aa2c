/**
 * @module 0033_order_ms_state
 * E7: what MoySklad says about an exported order comes back. `orders.ms_state_name` is the name of the
 * order's MoySklad state (null = not known yet), `ms_state_changed_at` when it was last seen to change;
 * `order_positions.shipped_quantity` is the position's shipped quantity from MoySklad's shipments
 * (demands), null until known.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('orders').addColumn('ms_state_name', 'text').execute();
  await db.schema.alterTable('orders').addColumn('ms_state_changed_at', 'text').execute();
  await db.schema.alterTable('order_positions').addColumn('shipped_quantity', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('order_positions').dropColumn('shipped_quantity').execute();
  await db.schema.alterTable('orders').dropColumn('ms_state_changed_at').execute();
  await db.schema.alterTable('orders').dropColumn('ms_state_name').execute();
}
