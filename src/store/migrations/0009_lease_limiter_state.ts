/**
 * @module 0009_lease_limiter_state
 * Owned by src/queue. `queue_leases.state`: what the last holder of a credential lease knew about the
 * credential's MoySklad rate-limit budget when it released the lease (the client limiter's snapshot as
 * JSON: bucket level and when it was taken, units in flight, pauses). The next holder's limiter starts from
 * it instead of assuming a full bucket, so a lease can pass between worker processes at once without 429s.
 * NULL for leases that carry no state (the scheduler's, or a lease never released).
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('queue_leases').addColumn('state', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('queue_leases').dropColumn('state').execute();
}
