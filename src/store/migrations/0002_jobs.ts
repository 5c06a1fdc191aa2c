/**
 * Migration 0002: tables of the job queue (owned by src/queue).
 * - `queue_jobs`: the embedded engine's durable jobs (SQLite; unused when pg-boss runs the queue on PostgreSQL,
 *   which keeps its jobs in its own `pgboss` schema).
 * - `queue_leases`: per-MoySklad-credential leases (and the scheduler's slot claims) on both dialects.
 * - `queue_schedule_slots`: the last fired slot of each schedule, so a slot fires once across processes and restarts.
 * Timestamps are ISO-8601 UTC text, like every other table.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('queue_jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('integration_id', 'text')
    .addColumn('price_list_id', 'text')
    .addColumn('singleton_key', 'text', (c) => c.notNull())
    .addColumn('trigger', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempt', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull())
    .addColumn('run_after', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('finished_at', 'text')
    .addColumn('locked_by', 'text')
    .addColumn('heartbeat_at', 'text')
    .addColumn('progress', 'text')
    .addColumn('result', 'text')
    .addColumn('last_error', 'text')
    .execute();
  // One queued-or-running job per merge key: the database, not the code, forbids a duplicate.
  await sql`create unique index queue_jobs_active_singleton on queue_jobs (singleton_key) where state in ('queued', 'running')`.execute(
    db,
  );
  await db.schema.createIndex('queue_jobs_state_run_after').on('queue_jobs').columns(['state', 'run_after']).execute();

  await db.schema
    .createTable('queue_leases')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('acquired_at', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('queue_schedule_slots')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('slot_at', 'text', (c) => c.notNull())
    .addColumn('fired_at', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('queue_schedule_slots').ifExists().execute();
  await db.schema.dropTable('queue_leases').ifExists().execute();
  await db.schema.dropTable('queue_jobs').ifExists().execute();
}
