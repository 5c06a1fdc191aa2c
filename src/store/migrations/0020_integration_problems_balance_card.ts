/**
 * @module 0020_integration_problems_balance_card
 * Owned by the accounts area (C10, C12).
 * - `integration_problems`: the open permission or tariff problem of an integration per job family
 *   (`stock`, `balance`, …): its code, the Russian sentence for the shop, when it was met, how often,
 *   and when the family's scheduled job may try again (`retry_at`). One row per (integration, family).
 * - `ms_balances.card_state`: C12 what the balance read knows about the client's MoySklad card:
 *   `linked` | `none` (no card: «нет карточки в МойСклад») | `ambiguous`; null until first read.
 */
import type { Kysely } from 'kysely';
import { dialectOf } from '../dialect-of.js';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('integration_problems')
    .addColumn('id', 'integer', (c) => (dialectOf(db) === 'postgres' ? c.generatedByDefaultAsIdentity().primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('integration_id', 'integer', (c) => c.notNull().references('integrations.id').onDelete('cascade'))
    .addColumn('family', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('ms_code', 'integer')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('detected_at', 'text', (c) => c.notNull())
    .addColumn('last_seen_at', 'text', (c) => c.notNull())
    .addColumn('retry_at', 'text', (c) => c.notNull())
    .addColumn('occurrences', 'integer', (c) => c.notNull().defaultTo(1))
    .addUniqueConstraint('integration_problems_integration_family_uq', ['integration_id', 'family'])
    .execute();
  await db.schema.alterTable('ms_balances').addColumn('card_state', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ms_balances').dropColumn('card_state').execute();
  await db.schema.dropTable('integration_problems').execute();
}
