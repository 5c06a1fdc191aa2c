/**
 * @module 0015_integration_reserve
 * C4: the integration option *reserve ordered goods* (on by default, existing integrations too):
 * exported customer-order positions carry `reserve` so that MoySklad's available quantity drops.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('integrations').addColumn('reserve_positions', 'integer', (c) => c.notNull().defaultTo(1)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('integrations').dropColumn('reserve_positions').execute();
}
