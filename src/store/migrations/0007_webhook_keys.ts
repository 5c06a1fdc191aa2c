/**
 * @module 0007_webhook_keys
 * Owned by src/sync/webhooks (B3). `ms_accounts.webhook_key` is the unguessable per-account token in
 * the intake URL `/hooks/moysklad/{key}`; `integrations.webhook_state` / `webhook_message` say whether
 * MoySklad webhooks are registered for the integration's account (`registered`, `refused` on tariff
 * or rights refusals 30006/30004, `skipped` when MoySklad could not reach PUBLIC_BASE_URL, `error`,
 * `removed`); polling stays the fallback in every case.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('ms_accounts').addColumn('webhook_key', 'text').execute();
  await db.schema.createIndex('ms_accounts_webhook_key_uq').unique().on('ms_accounts').column('webhook_key').execute();
  await db.schema.alterTable('integrations').addColumn('webhook_state', 'text').execute();
  await db.schema.alterTable('integrations').addColumn('webhook_message', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('integrations').dropColumn('webhook_message').execute();
  await db.schema.alterTable('integrations').dropColumn('webhook_state').execute();
  await db.schema.dropIndex('ms_accounts_webhook_key_uq').execute();
  await db.schema.alterTable('ms_accounts').dropColumn('webhook_key').execute();
}
