/**
 * @module store/queue/queue-job-repository
 * The rows of `queueJobs` for the embedded queue engine (`src/queue/embedded-queue.ts`): merge lookup,
 * insert, atomic claim (`UPDATE … WHERE id = (oldest runnable) … RETURNING`), state changes of a running
 * job and the reclaim of jobs whose worker stopped heart-beating. Instants are ISO strings.
 */
import type { Kysely } from 'kysely';
import type { Db } from '../db.js';
import { queueDb, type QueueJobsTable, type QueueTables } from './queue-tables.js';

export type QueueJobRow = QueueJobsTable;

/** The columns of a new job (the state is `queued`, attempt 0). */
export type NewQueueJob = Pick<
  QueueJobsTable,
  'id' | 'kind' | 'integrationId' | 'priceListId' | 'singletonKey' | 'trigger' | 'payload' | 'maxAttempts' | 'runAfter' | 'createdAt'
>;

export class QueueJobRepository {
  readonly #db: Kysely<QueueTables>;

  constructor(db: Db) {
    this.#db = queueDb(db);
  }

  /** The queued or running job of a merge key, if any. */
  async openIdByKey(singletonKey: string): Promise<string | undefined> {
    const row = await this.#db
      .selectFrom('queueJobs')
      .select('id')
      .where('singletonKey', '=', singletonKey)
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirst();
    return row?.id;
  }

  /** Inserts a queued job; throws the driver's unique violation when another open job holds the key. */
  async insert(job: NewQueueJob): Promise<void> {
    await this.#db
      .insertInto('queueJobs')
      .values({ ...job, state: 'queued', attempt: 0, updatedAt: job.createdAt })
      .execute();
  }

  async byId(id: string): Promise<QueueJobRow | undefined> {
    return this.#db.selectFrom('queueJobs').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** Queued and running jobs counted per (kind, state). */
  async openCounts(): Promise<Array<{ kind: string; state: string; n: number }>> {
    const rows = await this.#db
      .selectFrom('queueJobs')
      .select(['kind', 'state', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('state', 'in', ['queued', 'running'])
      .groupBy(['kind', 'state'])
      .execute();
    return rows.map((r) => ({ kind: r.kind, state: r.state, n: Number(r.n) }));
  }

  /**
   * Running jobs whose heartbeat is older than `cutoff`: those out of attempts fail, the others are queued
   * again at `now`; both carry `lastError`. Returns how many rows changed.
   */
  async reclaimStale(cutoff: string, now: string, lastError: string): Promise<number> {
    const failed = await this.#db
      .updateTable('queueJobs')
      .set({ state: 'failed', finishedAt: now, updatedAt: now, lockedBy: null, lastError })
      .where('state', '=', 'running')
      .where('heartbeatAt', '<', cutoff)
      .where((eb) => eb('attempt', '>=', eb.ref('maxAttempts')))
      .executeTakeFirst();
    const requeued = await this.#db
      .updateTable('queueJobs')
      .set({ state: 'queued', runAfter: now, updatedAt: now, lockedBy: null, lastError })
      .where('state', '=', 'running')
      .where('heartbeatAt', '<', cutoff)
      .executeTakeFirst();
    return Number(failed.numUpdatedRows) + Number(requeued.numUpdatedRows);
  }

  /** Claims the oldest runnable queued job of one of `kinds` for `workerId` (attempt + 1). */
  async claimNext(kinds: readonly string[], workerId: string, now: string): Promise<QueueJobRow | undefined> {
    return this.#db
      .updateTable('queueJobs')
      .set((eb) => ({
        state: 'running',
        attempt: eb('attempt', '+', 1),
        lockedBy: workerId,
        startedAt: now,
        heartbeatAt: now,
        updatedAt: now,
      }))
      .where('id', '=', (eb) =>
        eb
          .selectFrom('queueJobs')
          .select('id')
          .where('state', '=', 'queued')
          .where('kind', 'in', [...kinds])
          .where('runAfter', '<=', now)
          .orderBy('runAfter')
          .orderBy('createdAt')
          .limit(1),
      )
      .where('state', '=', 'queued')
      .returningAll()
      .executeTakeFirst();
  }

  /** Heartbeat of a running job, with its progress as JSON text when given. */
  async heartbeat(id: string, now: string, progress?: string): Promise<void> {
    await this.#db
      .updateTable('queueJobs')
      .set(progress === undefined ? { heartbeatAt: now } : { heartbeatAt: now, progress })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .execute();
  }

  async complete(id: string, now: string, result: string): Promise<void> {
    await this.#db
      .updateTable('queueJobs')
      .set({ state: 'completed', finishedAt: now, updatedAt: now, lockedBy: null, result })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .execute();
  }

  /** A failed run: queued again at `retryAt`, or failed for good without it. */
  async fail(id: string, now: string, lastError: string, retryAt?: string): Promise<void> {
    await this.#db
      .updateTable('queueJobs')
      .set(
        retryAt
          ? { state: 'queued', runAfter: retryAt, updatedAt: now, lockedBy: null, lastError }
          : { state: 'failed', finishedAt: now, updatedAt: now, lockedBy: null, lastError },
      )
      .where('id', '=', id)
      .where('state', '=', 'running')
      .execute();
  }

  /** Puts a running job back without counting the attempt. */
  async requeue(id: string, now: string): Promise<void> {
    await this.#db
      .updateTable('queueJobs')
      .set((eb) => ({ state: 'queued', attempt: eb('attempt', '-', 1), runAfter: now, updatedAt: now, lockedBy: null }))
      .where('id', '=', id)
      .where('state', '=', 'running')
      .execute();
  }
}
