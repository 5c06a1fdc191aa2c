/**
 * @module outbox-repository
 * B1 durable outbox: jobs are written in the same transaction as the store change that needs them
 * (pass the transaction as `db`; a dedupe key makes enqueueing idempotent), and the outbox drain
 * reads and settles them here: due rows, a safe claim on SQLite and PostgreSQL, and the outcomes
 * (sent, retry later, failed), plus the listings the admin panel and API show.
 *
 * Claim = `update outbox set state='running' where id=? and state='pending'` (compare-and-set:
 * exactly one claimer wins on either dialect). Migration 0004 adds a partial unique index on
 * (aggregate_type, aggregate_id) where state='running', so a second row of the SAME order cannot
 * be claimed while the first runs: the update fails with a unique violation and the row is
 * skipped until later. P3: a claim names its claimer and expires unless the claimer's heartbeat
 * extends it; a restarted process takes its own rows back at once (`recoverOwn`), others' rows come
 * back when their claim ran out (`requeueExpired`).
 */
import type { Clock } from '../../core/clock.js';
import { NotFoundError } from '../../core/errors.js';
import { isUniqueViolation } from '../db-errors.js';
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

/** P3: who claims a row and until when the claim holds without a heartbeat. */
export interface OutboxClaim {
  owner: string;
  expiresAt: Date;
}

export interface OutboxItemView {
  id: number;
  kind: string;
  integrationId: number | null;
  aggregateType: string;
  aggregateId: string;
  state: OutboxRow['state'];
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  createdAt: string;
  updatedAt: string;
  sentAt: string | null;
}

export const outboxItemView = (r: OutboxRow): OutboxItemView => ({
  id: Number(r.id),
  kind: r.kind,
  integrationId: r.integrationId === null ? null : Number(r.integrationId),
  aggregateType: r.aggregateType,
  aggregateId: r.aggregateId,
  state: r.state,
  attempts: Number(r.attempts),
  nextAttemptAt: r.nextAttemptAt,
  lastError: r.lastError,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
  sentAt: r.sentAt,
});

export class OutboxRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  #now(): string {
    return this.clock.now().toISOString();
  }

  /** Enqueues a job; returns its id, or null when an unfinished job with the dedupe key exists (keys are freed when a job is sent or fails for good). */
  async enqueue(job: OutboxJobInput): Promise<number | null> {
    const at = this.#now();
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

  /** Pending rows of the given kinds that are due, oldest first. */
  async listDue(kinds: readonly string[], limit: number): Promise<OutboxRow[]> {
    if (kinds.length === 0) return [];
    return this.db
      .selectFrom('outbox')
      .selectAll()
      .where('state', '=', 'pending')
      .where('kind', 'in', [...kinds])
      .where('nextAttemptAt', '<=', this.#now())
      .orderBy('nextAttemptAt')
      .orderBy('id')
      .limit(limit)
      .execute();
  }

  /**
   * Claims one row: true when this caller now owns it. False when another worker took it, or when
   * another row of the same aggregate is running (the partial unique index of migration 0004).
   * Claiming frees the dedupe key, so a change made while the job runs enqueues a fresh job.
   * P3: with `by`, the row records its claimer and until when the claim holds (the claimer's
   * heartbeat pushes it forward; `requeueExpired` takes back a claim that ran out).
   */
  async claim(id: number, by?: OutboxClaim): Promise<boolean> {
    try {
      const r = await this.db
        .updateTable('outbox')
        .set((eb) => ({
          state: 'running',
          attempts: eb('attempts', '+', 1),
          dedupeKey: null,
          claimedBy: by?.owner ?? null,
          claimExpiresAt: by ? by.expiresAt.toISOString() : null,
          updatedAt: this.#now(),
        }))
        .where('id', '=', id)
        .where('state', '=', 'pending')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    } catch (e) {
      if (isUniqueViolation(e)) return false;
      throw e;
    }
  }

  /**
   * P2: claims many rows in one statement per chunk of 500 (the same compare-and-set as `claim`);
   * returns the ids this caller now owns. A chunk that meets another running row of one of its
   * aggregates (the unique violation) is claimed row by row instead, so each row ends exactly as
   * `claim` would leave it.
   */
  async claimMany(ids: readonly number[], by: OutboxClaim): Promise<Set<number>> {
    const out = new Set<number>();
    for (let i = 0; i < ids.length; i += 500) {
      const part = ids.slice(i, i + 500);
      try {
        const rows = await this.db
          .updateTable('outbox')
          .set((eb) => ({ state: 'running', attempts: eb('attempts', '+', 1), dedupeKey: null, claimedBy: by.owner, claimExpiresAt: by.expiresAt.toISOString(), updatedAt: this.#now() }))
          .where('id', 'in', part)
          .where('state', '=', 'pending')
          .returning('id')
          .execute();
        for (const r of rows) out.add(Number(r.id));
      } catch (e) {
        if (!isUniqueViolation(e)) throw e;
        for (const id of part) if (await this.claim(id, by)) out.add(id);
      }
    }
    return out;
  }

  /** P3 heartbeat: the claims of `owner` on the listed running rows hold until `until`. */
  async extendClaims(owner: string, ids: readonly number[], until: Date): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.db
      .updateTable('outbox')
      .set({ claimExpiresAt: until.toISOString() })
      .where('state', '=', 'running')
      .where('claimedBy', '=', owner)
      .where('id', 'in', [...ids])
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /**
   * P3 on start: the rows this instance had in flight when it stopped (it was killed) are due again
   * at once. Only a restarted process with the same instance id calls this; no one else sends them.
   */
  async recoverOwn(owner: string): Promise<number> {
    const at = this.#now();
    const r = await this.db
      .updateTable('outbox')
      .set({ state: 'pending', claimedBy: null, claimExpiresAt: null, nextAttemptAt: at, updatedAt: at })
      .where('state', '=', 'running')
      .where('claimedBy', '=', owner)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /**
   * P3: running rows whose claim ran out (the claimer stopped its heartbeat: it died) are due again;
   * so are rows claimed without an expiry (older code) that nobody touched since `legacyStaleBefore`.
   */
  async requeueExpired(legacyStaleBefore: Date): Promise<number> {
    const at = this.#now();
    const r = await this.db
      .updateTable('outbox')
      .set({ state: 'pending', claimedBy: null, claimExpiresAt: null, updatedAt: at })
      .where('state', '=', 'running')
      .where((eb) =>
        eb.or([
          eb.and([eb('claimExpiresAt', 'is not', null), eb('claimExpiresAt', '<', at)]),
          eb.and([eb('claimExpiresAt', 'is', null), eb('updatedAt', '<', legacyStaleBefore.toISOString())]),
        ]),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** P3: when the earliest running claim runs out (null: none), so a sender can look again then. */
  async earliestClaimExpiry(): Promise<string | null> {
    const row = await this.db
      .selectFrom('outbox')
      .select((eb) => eb.fn.min('claimExpiresAt').as('at'))
      .where('state', '=', 'running')
      .executeTakeFirst();
    return (row?.at as string | null | undefined) ?? null;
  }

  /** Ids of the pending rows of one aggregate with id ≤ `maxId` (coalesced into the current run). */
  async pendingIdsOf(aggregateType: string, aggregateId: string, kinds: readonly string[]): Promise<number[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .select('id')
      .where('aggregateType', '=', aggregateType)
      .where('aggregateId', '=', aggregateId)
      .where('kind', 'in', [...kinds])
      .where('state', 'in', ['pending', 'failed'])
      .execute();
    return rows.map((r) => Number(r.id));
  }

  /** P2: `pendingIdsOf` for many aggregates in one read: aggregate id → its waiting row ids. */
  async pendingIdsOfMany(aggregateType: string, aggregateIds: readonly string[], kinds: readonly string[]): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>(aggregateIds.map((a) => [a, []]));
    if (aggregateIds.length === 0) return out;
    const rows = await this.db
      .selectFrom('outbox')
      .select(['id', 'aggregateId'])
      .where('aggregateType', '=', aggregateType)
      .where('aggregateId', 'in', [...aggregateIds])
      .where('kind', 'in', [...kinds])
      .where('state', 'in', ['pending', 'failed'])
      .execute();
    for (const r of rows) out.get(r.aggregateId)?.push(Number(r.id));
    return out;
  }

  /** The waiting (pending or failed) rows of one aggregate, oldest first, with their payloads (coalesced into the current run). */
  async waitingOf(aggregateType: string, aggregateId: string, kinds: readonly string[]): Promise<OutboxRow[]> {
    return this.db
      .selectFrom('outbox')
      .selectAll()
      .where('aggregateType', '=', aggregateType)
      .where('aggregateId', '=', aggregateId)
      .where('kind', 'in', [...kinds])
      .where('state', 'in', ['pending', 'failed'])
      .orderBy('id')
      .execute();
  }

  /**
   * Marks the claimed row sent, and the listed other rows too (only while they are still
   * pending/failed), in ONE statement. Two statements would release the aggregate lock (the
   * claimed row leaving `running`) before the coalesced rows are settled, and a concurrent drain
   * could claim one of them in between and export the order a second time.
   */
  async markSent(id: number, coalesced: readonly number[] = []): Promise<void> {
    const at = this.#now();
    const others = coalesced.filter((x) => x !== id);
    await this.db
      .updateTable('outbox')
      .set((eb) => ({
        state: 'sent',
        sentAt: at,
        claimedBy: null,
        claimExpiresAt: null,
        lastError: others.length ? eb.case().when('id', '=', id).then(null).else(`coalesced into outbox item ${id}`).end() : null,
        updatedAt: at,
      }))
      .where((eb) => (others.length ? eb.or([eb('id', '=', id), eb.and([eb('id', 'in', others), eb('state', 'in', ['pending', 'failed'])])]) : eb('id', '=', id)))
      .execute();
  }

  /** P2: `markSent` of many claimed rows that coalesced nothing, in one statement per chunk of 500. */
  async markSentMany(ids: readonly number[]): Promise<void> {
    const at = this.#now();
    for (let i = 0; i < ids.length; i += 500) {
      await this.db
        .updateTable('outbox')
        .set({ state: 'sent', sentAt: at, claimedBy: null, claimExpiresAt: null, lastError: null, updatedAt: at })
        .where('id', 'in', ids.slice(i, i + 500))
        .execute();
    }
  }

  /** Back to pending, due at `retryAt`. */
  async markRetry(id: number, error: string, retryAt: Date): Promise<void> {
    await this.db
      .updateTable('outbox')
      .set({ state: 'pending', lastError: error, nextAttemptAt: retryAt.toISOString(), claimedBy: null, claimExpiresAt: null, updatedAt: this.#now() })
      .where('id', '=', id)
      .execute();
  }

  /** Failed for good until someone retries it by hand (`retry`). */
  async markFailed(id: number, error: string): Promise<void> {
    await this.db.updateTable('outbox').set({ state: 'failed', lastError: error, claimedBy: null, claimExpiresAt: null, updatedAt: this.#now() }).where('id', '=', id).execute();
  }

  /** Running rows not touched since `olderThan`, whatever their claim: put back (tests, tools). */
  async requeueStale(olderThan: Date): Promise<number> {
    const r = await this.db
      .updateTable('outbox')
      .set({ state: 'pending', claimedBy: null, claimExpiresAt: null, updatedAt: this.#now() })
      .where('state', '=', 'running')
      .where('updatedAt', '<', olderThan.toISOString())
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** C10 the rows of an integration waiting for a permission problem (`last_error` starts with `prefix`) become due now. */
  async redueWaiting(integrationId: number, prefix: string): Promise<number> {
    const at = this.#now();
    const r = await this.db
      .updateTable('outbox')
      .set({ nextAttemptAt: at, updatedAt: at })
      .where('integrationId', '=', integrationId)
      .where('state', '=', 'pending')
      .where('lastError', 'like', `${prefix}%`)
      .executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** Manual retry (admin panel / API): a failed or waiting row becomes due now. Sent rows are left alone. */
  async retry(id: number): Promise<OutboxItemView> {
    const row = await this.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('outbox item', id);
    if (row.state === 'failed' || row.state === 'pending') {
      await this.db
        .updateTable('outbox')
        .set({ state: 'pending', nextAttemptAt: this.#now(), updatedAt: this.#now() })
        .where('id', '=', id)
        .where('state', 'in', ['failed', 'pending'])
        .execute();
    }
    return outboxItemView((await this.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow()));
  }

  async get(id: number): Promise<OutboxItemView | null> {
    const row = await this.db.selectFrom('outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? outboxItemView(row) : null;
  }

  /** Rows of one aggregate (e.g. one order), oldest first: the export history the API/admin show. */
  async listFor(aggregateType: string, aggregateId: string | number): Promise<OutboxItemView[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      .where('aggregateType', '=', aggregateType)
      .where('aggregateId', '=', String(aggregateId))
      .orderBy('id')
      .execute();
    return rows.map(outboxItemView);
  }

  /** Rows for the admin panel / API, newest first (e.g. `{ state: 'failed' }`). */
  async list(options: { state?: OutboxRow['state']; kind?: string; integrationId?: number; limit?: number; offset?: number } = {}): Promise<OutboxItemView[]> {
    let q = this.db.selectFrom('outbox').selectAll();
    if (options.state) q = q.where('state', '=', options.state);
    if (options.kind) q = q.where('kind', '=', options.kind);
    if (options.integrationId !== undefined) q = q.where('integrationId', '=', options.integrationId);
    const rows = await q
      .orderBy('id', 'desc')
      .limit(options.limit ?? 100)
      .offset(options.offset ?? 0)
      .execute();
    return rows.map(outboxItemView);
  }

  /** Counts per state (admin panel, metrics). */
  async stateCounts(): Promise<Record<OutboxRow['state'], number>> {
    const rows = await this.db
      .selectFrom('outbox')
      .select((eb) => ['state', eb.fn.countAll<number>().as('n')])
      .groupBy('state')
      .execute();
    const out: Record<OutboxRow['state'], number> = { pending: 0, running: 0, sent: 0, failed: 0 };
    for (const r of rows) out[r.state] = Number(r.n);
    return out;
  }
}
