/**
 * @module 0006_ms_balance_attempts
 * Owned by src/sync/balance. R30 "at most once per 30 minutes per client" counts requests, not
 * only successful reads: `ms_balances.attempted_at` is when the client's balance was last asked
 * of MoySklad (successfully or not), so a failing account (no CRM) is not asked on every click.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ms_balances').addColumn('attempted_at', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ms_balances').dropColumn('attempted_at').execute();
}
