/**
 * @module store/queue/queue-lease-repository
 * The rows of `queueLeases` (credential and leadership leases, `src/queue/lease-manager.ts`) and of
 * `queueScheduleSlots` (each schedule slot fires once, `src/queue/scheduler.ts`). Both are upserts that
 * only succeed under a condition, the same on SQLite and PostgreSQL. Instants are ISO strings.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../db.js';
import { queueDb, type QueueTables } from './queue-tables.js';

export class QueueLeaseRepository {
  readonly #db: Kysely<QueueTables>;

  constructor(db: Db) {
    this.#db = queueDb(db);
  }

  /**
   * Takes or extends the lease row of `key` for `owner` when it is free, expired (before `now`) or already
   * the owner's. Returns the row's owner after the statement (the caller compares) and the state left on it.
   */
  async acquire(key: string, owner: string, now: string, expiresAt: string): Promise<{ owner: string; state: string | null } | undefined> {
    return this.#db
      .insertInto('queueLeases')
      .values({ key, owner, acquiredAt: now, expiresAt })
      .onConflict((oc) =>
        oc
          .column('key')
          .doUpdateSet({ owner, acquiredAt: now, expiresAt })
          .where((eb) => eb.or([eb('queueLeases.owner', '=', owner), eb('queueLeases.expiresAt', '<', now)])),
      )
      .returning(['owner', 'state'])
      .executeTakeFirst();
  }

  /** Frees the row of `key` if `owner` holds it: expires it at `releasedAt` and leaves `state` for the next holder. */
  async release(key: string, owner: string, releasedAt: string, state: string | null): Promise<void> {
    await this.#db.updateTable('queueLeases').set({ expiresAt: releasedAt, state }).where('key', '=', key).where('owner', '=', owner).execute();
  }

  /** Claims the slot `slotAt` of the schedule entry `name`; true when this caller is the one that fires it. */
  async claimSlot(name: string, slotAt: string, firedAt: string): Promise<boolean> {
    const row = await this.#db
      .insertInto('queueScheduleSlots')
      .values({ name, slotAt, firedAt })
      .onConflict((oc) => oc.column('name').doUpdateSet({ slotAt, firedAt }).where('queueScheduleSlots.slotAt', '<', slotAt))
      .returning('name')
      .executeTakeFirst();
    return row !== undefined;
  }
}
