/**
 * @module 0037_sync_run_progress
 * B9 live progress of a running sync, readable by every process (the admin panel's progress bars
 * poll it): `sync_runs.progress_done` items processed so far and `progress_total` of how many
 * (null while unknown), written by the run recorder as the sync reports progress.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_runs').addColumn('progress_done', 'integer').execute();
  await db.schema.alterTable('sync_runs').addColumn('progress_total', 'integer').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sync_runs').dropColumn('progress_total').execute();
  await db.schema.alterTable('sync_runs').dropColumn('progress_done').execute();
}
