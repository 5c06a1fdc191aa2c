/**
 * @module queue/embedded-queue
 * The embedded engine: jobs are rows of `queueJobs` in the application's own database (SQLite by default),
 * claimed atomically by an `UPDATE … WHERE state = 'queued' … RETURNING`. Jobs survive restarts; a job left
 * `running` by a killed process is reclaimed once its heartbeat is older than `staleAfterMs`.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { Metrics } from '../metrics/metrics.js';
import type { Db } from '../store/db.js';
import { QueueJobRepository, type QueueJobRow } from '../store/queue/queue-job-repository.js';
import { iso } from '../store/queue/queue-tables.js';
import {
  asJobTrigger,
  singletonKeyFor,
  type EnqueueRequest,
  type EnqueueResult,
  type Job,
  type JobHandler,
  type JobKind,
  type JobQueue,
  type JobRecord,
  type JobState,
  type QueueDepth,
  type SerializedJobError,
} from './types.js';

export interface EmbeddedQueueOptions {
  /** The application database: the engine keeps its jobs in `queueJobs` (through `QueueJobRepository`). */
  db: Db;
  clock: Clock;
  /** Attempts per job including the first (default 5). */
  maxAttempts?: number;
  /** A running job whose heartbeat is older than this is considered abandoned (default 120 s). */
  staleAfterMs?: number;
  /** Counts merged requests (`msx_jobs_merged_total`). */
  metrics?: Pick<Metrics, 'jobsMerged'>;
}

export function isUniqueViolation(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

const idOrNull = (v: number | string | null | undefined): string | null => (v == null ? null : String(v));

const parseJson = (text: string | null): unknown => (text == null ? null : (JSON.parse(text) as unknown));

export function rowToJob(row: QueueJobRow): Job {
  return {
    id: row.id,
    // a kind no sync defines any more (an older version's row) finds no handler and fails as such
    kind: row.kind as JobKind,
    integrationId: row.integrationId,
    priceListId: row.priceListId,
    trigger: asJobTrigger(row.trigger),
    payload: (parseJson(row.payload) ?? {}) as Record<string, unknown>,
    attempt: row.attempt,
    maxAttempts: row.maxAttempts,
    singletonKey: row.singletonKey,
  };
}

export class EmbeddedJobQueue implements JobQueue {
  readonly engine = 'embedded' as const;
  readonly #jobs: QueueJobRepository;
  readonly #clock: Clock;
  readonly #maxAttempts: number;
  readonly #staleAfterMs: number;
  readonly #metrics: Pick<Metrics, 'jobsMerged'> | undefined;
  readonly #handlers = new Map<JobKind, JobHandler>();
  readonly #listeners = new Set<() => void>();
  #lastReclaimMs = Number.NEGATIVE_INFINITY;

  constructor(options: EmbeddedQueueOptions) {
    this.#jobs = new QueueJobRepository(options.db);
    this.#clock = options.clock;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#staleAfterMs = options.staleAfterMs ?? 120_000;
    this.#metrics = options.metrics;
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}

  work(kind: JobKind, handler: JobHandler): void {
    this.#handlers.set(kind, handler);
  }

  handlers(): ReadonlyMap<JobKind, JobHandler> {
    return this.#handlers;
  }

  onEnqueued(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async enqueueMany(requests: readonly EnqueueRequest[]): Promise<EnqueueResult[]> {
    // one process, one SQLite file: a loop of enqueue is already cheap
    const results: EnqueueResult[] = [];
    for (const r of requests) results.push(await this.enqueue(r));
    return results;
  }

  async enqueue(request: EnqueueRequest): Promise<EnqueueResult> {
    const key = singletonKeyFor(request);
    for (let i = 0; i < 5; i++) {
      const existing = await this.#jobs.openIdByKey(key);
      if (existing) {
        this.#metrics?.jobsMerged.inc({ kind: request.kind });
        return { jobId: existing, merged: true };
      }
      const now = iso(this.#clock.nowMs());
      const id = randomUUID();
      try {
        await this.#jobs.insert({
          id,
          kind: request.kind,
          integrationId: idOrNull(request.integrationId),
          priceListId: idOrNull(request.priceListId),
          singletonKey: key,
          trigger: request.trigger,
          payload: JSON.stringify(request.payload ?? {}),
          maxAttempts: this.#maxAttempts,
          runAfter: request.runAt ? iso(request.runAt) : now,
          createdAt: now,
        });
      } catch (e) {
        if (isUniqueViolation(e)) continue; // another enqueue won the race: merge into it
        throw e;
      }
      for (const l of this.#listeners) l();
      return { jobId: id, merged: false };
    }
    throw new Error(`could not enqueue ${key}: the merge key kept changing`);
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const row = await this.#jobs.byId(jobId);
    if (!row) return undefined;
    return {
      ...rowToJob(row),
      state: row.state as JobState,
      createdAt: row.createdAt,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
      lastError: parseJson(row.lastError) as SerializedJobError | null,
      result: parseJson(row.result),
      progress: parseJson(row.progress),
    };
  }

  async depth(): Promise<QueueDepth> {
    const rows = await this.#jobs.openCounts();
    const depth: QueueDepth = {};
    for (const r of rows) {
      const d = (depth[r.kind as JobKind] ??= { queued: 0, running: 0 });
      if (r.state === 'queued') d.queued = r.n;
      else d.running = r.n;
    }
    return depth;
  }

  /** Puts back (or fails, when out of attempts) jobs whose worker stopped heart-beating. */
  async reclaimStale(): Promise<number> {
    const nowMs = this.#clock.nowMs();
    this.#lastReclaimMs = nowMs;
    const cutoff = iso(nowMs - this.#staleAfterMs);
    const now = iso(nowMs);
    const lost = JSON.stringify({ message: 'the worker running this job stopped (crash or kill)', code: 'worker_lost', retryable: true });
    return this.#jobs.reclaimStale(cutoff, now, lost);
  }

  async fetch(kinds: readonly JobKind[], workerId: string): Promise<Job | undefined> {
    if (kinds.length === 0) return undefined;
    const nowMs = this.#clock.nowMs();
    if (nowMs - this.#lastReclaimMs >= this.#staleAfterMs / 4) await this.reclaimStale();
    const now = iso(nowMs);
    const row = await this.#jobs.claimNext(kinds, workerId, now);
    return row ? rowToJob(row) : undefined;
  }

  async heartbeat(job: Job, progress?: unknown): Promise<void> {
    await this.#jobs.heartbeat(job.id, iso(this.#clock.nowMs()), progress === undefined ? undefined : JSON.stringify(progress));
  }

  async complete(job: Job, result: unknown): Promise<void> {
    await this.#jobs.complete(job.id, iso(this.#clock.nowMs()), JSON.stringify(result ?? null));
  }

  async fail(job: Job, error: SerializedJobError, retryAt?: Date): Promise<void> {
    await this.#jobs.fail(job.id, iso(this.#clock.nowMs()), JSON.stringify(error), retryAt ? iso(retryAt) : undefined);
  }

  async requeue(job: Job): Promise<void> {
    await this.#jobs.requeue(job.id, iso(this.#clock.nowMs()));
  }
}
