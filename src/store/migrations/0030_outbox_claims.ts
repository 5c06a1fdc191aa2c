/**
 * @module 0030_outbox_claims
 * P3: an outbox row being sent says who sends it and until when the claim holds. `claimed_by` is the
 * claiming process's instance id (a single process restarted with the same id takes its rows back at
 * once); `claim_expires_at` is pushed forward by the claimer's heartbeat, and a row whose claim ran out
 * (its worker died) is put back to pending by any drain. An index on (state, claim_expires_at) keeps
 * that look-up cheap.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox').addColumn('claimed_by', 'text').execute();
  await db.schema.alterTable('outbox').addColumn('claim_expires_at', 'text').execute();
  await db.schema.createIndex('outbox_claims_idx').on('outbox').columns(['state', 'claim_expires_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_claims_idx').execute();
  await db.schema.alterTable('outbox').dropColumn('claim_expires_at').execute();
  await db.schema.alterTable('outbox').dropColumn('claimed_by').execute();
}
