/**
 * @module outbox-repository
 * B1 durable outbox: jobs written in the same transaction as the store change that needs them
 * (pass the transaction as `db`). A dedupe key makes enqueueing idempotent.
 */
import type { Clock } from '../../core/clock.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';
import type { OutboxRow } from '../schema.js';

export interface OutboxJobInput {
  kind: string;
  integrationId?: number | null;
  aggregateType: string;
  aggregateId: string | number;
  payload?: unknown;
  /** Same key → the job is not enqueued twice while the first exists. */
  dedupeKey?: string | null;
  /** ISO time; default now. */
  nextAttemptAt?: string;
}

export class OutboxRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Enqueues a job; returns its id, or null when an unfinished job with the dedupe key exists (keys are freed when a job is sent or fails for good). */
  async enqueue(job: OutboxJobInput): Promise<number | null> {
    const at = nowIso(this.clock);
    const row = await this.db
      .insertInto('outbox')
      .values({
        kind: job.kind,
        integrationId: job.integrationId ?? null,
        aggregateType: job.aggregateType,
        aggregateId: String(job.aggregateId),
        payload: JSON.stringify(job.payload ?? {}),
        nextAttemptAt: job.nextAttemptAt ?? at,
        lastError: null,
        dedupeKey: job.dedupeKey ?? null,
        createdAt: at,
        updatedAt: at,
        sentAt: null,
      })
      .onConflict((oc) => oc.column('dedupeKey').doNothing())
      .returning('id')
      .executeTakeFirst();
    return row?.id ?? null;
  }

  /** Pending jobs that are due, oldest first. */
  async listDue(limit = 100): Promise<OutboxRow[]> {
    return this.db
      .selectFrom('outbox')
      .selectAll()
      .where('state', '=', 'pending')
      .where('nextAttemptAt', '<=', nowIso(this.clock))
      .orderBy('nextAttemptAt')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /**
   * Claims one pending job (compare-and-set on state); false when another worker took it.
   * Claiming frees the dedupe key, so a change made while the job runs enqueues a fresh job.
   */
  async claim(id: number): Promise<boolean> {
    const r = await this.db
      .updateTable('outbox')
      .set((eb) => ({ state: 'running', attempts: eb('attempts', '+', 1), dedupeKey: null, updatedAt: nowIso(this.clock) }))
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async markSent(id: number): Promise<void> {
    const at = nowIso(this.clock);
    await this.db.updateTable('outbox').set({ state: 'sent', sentAt: at, lastError: null, dedupeKey: null, updatedAt: at }).where('id', '=', id).execute();
  }

  /** Back to pending with a retry time, or `failed` for good when `retryAt` is null. Frees the dedupe key when failed. */
  async markFailed(id: number, error: string, retryAt: string | null): Promise<void> {
    const at = nowIso(this.clock);
    await this.db
      .updateTable('outbox')
      .set(
        retryAt === null
          ? { state: 'failed', lastError: error, dedupeKey: null, updatedAt: at }
          : { state: 'pending', lastError: error, nextAttemptAt: retryAt, updatedAt: at },
      )
      .where('id', '=', id)
      .execute();
  }

  /** Running jobs whose worker died: back to pending (crash recovery, B1). */
  async requeueStale(olderThanIso: string): Promise<number> {
    const r = await this.db
      .updateTable('outbox')
      .set({ state: 'pending', updatedAt: nowIso(this.clock) })
      .where('state', '=', 'running')
      .where('updatedAt', '<', olderThanIso)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  async get(id: number): Promise<OutboxRow | null> {
    return (await this.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  async listFor(aggregateType: string, aggregateId: string | number): Promise<OutboxRow[]> {
    return this.db
      .selectFrom('outbox')
      .selectAll()
      .where('aggregateType', '=', aggregateType)
      .where('aggregateId', '=', String(aggregateId))
      .orderBy('id')
      .execute();
  }
}
