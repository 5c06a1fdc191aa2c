/**
 * Migration 0004 (owned by src/sync/outbox): at most ONE running outbox row per aggregate.
 * Two workers may claim two different outbox rows of the same order (an export and a later
 * position change); processing them at once could add a position twice. This partial unique
 * index makes the claim itself the lock, atomically on SQLite and PostgreSQL: the second
 * `update … set state = 'running'` for the same aggregate fails with a unique violation and the
 * claimer skips the row until the first one finishes.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`create unique index outbox_running_aggregate_uq on outbox (aggregate_type, aggregate_id) where state = 'running'`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists outbox_running_aggregate_uq`.execute(db);
}
