/**
 * @module 0023_platform_webhooks
 * E3 outbound webhooks to the store platform (docs/platform-webhooks.md):
 * - `platform_webhooks`: a subscription — the receiver's URL, its signing secret encrypted with the
 *   SecretBox (the previous secret stays valid for a while after a rotation), active or paused;
 * - `platform_webhook_event_types`: which event types a subscription asked for (closed union
 *   `PLATFORM_EVENT_TYPES`);
 * - `platform_webhook_messages`: one row per event, written in the same transaction as the change
 *   that causes it, holding the exact body that is signed and sent (`message_id` is `webhook-id`);
 * - `platform_webhook_deliveries`: one row per message and subscription — the delivery outbox the
 *   `webhooks.deliver` job drains, with its attempts, backoff and outcome (the admin delivery log).
 */
import { sql, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely } from 'kysely';
import { dialectOf } from '../dialect-of.js';

type Table = CreateTableBuilder<any, any>;

export async function up(db: Kysely<any>): Promise<void> {
  const pg = dialectOf(db) === 'postgres';
  const id = (t: Table): Table =>
    t.addColumn('id', 'integer', (c: ColumnDefinitionBuilder) => (pg ? c.generatedByDefaultAsIdentity().primaryKey() : c.primaryKey().autoIncrement()));

  await id(db.schema.createTable('platform_webhooks'))
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('secret_enc', 'text', (c) => c.notNull())
    .addColumn('previous_secret_enc', 'text')
    .addColumn('previous_secret_until', 'text')
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('platform_webhook_event_types')
    .addColumn('webhook_id', 'integer', (c) => c.notNull().references('platform_webhooks.id').onDelete('cascade'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('platform_webhook_event_types_pk', ['webhook_id', 'event_type'])
    .execute();
  await db.schema.createIndex('platform_webhook_event_types_type_idx').on('platform_webhook_event_types').columns(['event_type', 'webhook_id']).execute();

  await id(db.schema.createTable('platform_webhook_messages'))
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await id(db.schema.createTable('platform_webhook_deliveries'))
    .addColumn('message_id', 'integer', (c) => c.notNull().references('platform_webhook_messages.id').onDelete('cascade'))
    .addColumn('webhook_id', 'integer', (c) => c.notNull().references('platform_webhooks.id').onDelete('cascade'))
    .addColumn('state', 'text', (c) => c.notNull().defaultTo('pending').check(sql`state in ('pending', 'running', 'delivered', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'text', (c) => c.notNull())
    .addColumn('deadline_at', 'text', (c) => c.notNull())
    .addColumn('last_attempt_at', 'text')
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('delivered_at', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('platform_webhook_deliveries_due_idx').on('platform_webhook_deliveries').columns(['state', 'next_attempt_at']).execute();
  await db.schema.createIndex('platform_webhook_deliveries_webhook_idx').on('platform_webhook_deliveries').columns(['webhook_id', 'id']).execute();
  await db.schema.createIndex('platform_webhook_deliveries_message_idx').on('platform_webhook_deliveries').column('message_id').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('platform_webhook_deliveries').execute();
  await db.schema.dropTable('platform_webhook_messages').execute();
  await db.schema.dropTable('platform_webhook_event_types').execute();
  await db.schema.dropTable('platform_webhooks').execute();
}
