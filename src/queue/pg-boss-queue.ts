/**
 * @module queue/pg-boss-queue
 * The PostgreSQL engine: pg-boss 10 in its own schema (default `pgboss`). One pg-boss queue per job kind
 * with the `stately` policy (at most one created, one retry and one active job per singleton key — so a
 * run can never be active twice), plus a merge step: `enqueue` takes a transaction-scoped advisory lock on
 * the merge key, looks for a created/retry/active job with that key and returns it (`merged: true`), else
 * sends the new job in the same transaction (pg-boss `send` with the `db` option). Any number of worker
 * processes on any machines fetch with pg-boss (`FOR UPDATE SKIP LOCKED`).
 *
 * Retries: pg-boss's own (`retryLimit`, `retryDelay`, `retryBackoff`). A non-retryable failure lowers the
 * job's `retry_limit` to its `retry_count` before `fail`, so pg-boss records it as failed without retrying;
 * a shutdown checkpoint puts the job back to `retry` immediately and raises `retry_limit` by one (the
 * interrupted run does not use up an attempt). Those two updates are the only writes to pg-boss's tables
 * outside its API; reads (`get`, `depth`) query its `job` and `archive` tables. That SQL lives in
 * `store/queue/pg-boss-job-table.ts`.
 * A job left active by a killed worker is failed by pg-boss's expiration (`expireInSeconds`) and retried.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import PgBoss from 'pg-boss';
import type { Metrics } from '../metrics/metrics.js';
import { inPgTransaction, PgBossJobTable } from '../store/queue/pg-boss-job-table.js';
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

export interface PgBossQueueOptions {
  connectionString: string;
  /** pg-boss schema (default `pgboss`). */
  schema?: string;
  /** Attempts per job including the first (default 5). */
  maxAttempts?: number;
  /** Base delay of pg-boss's exponential retry backoff, seconds (default 30). */
  retryDelaySeconds?: number;
  /** A job active for longer is failed by pg-boss (and retried): the crash detector (default 4 h). */
  expireInSeconds?: number;
  /** Kinds whose queues are created at start (others are created on first use). */
  kinds?: readonly JobKind[];
  /** pg-boss's own maintenance (default true; tests may turn it off). */
  supervise?: boolean;
  /** Pool size of pg-boss (default 4) and of the enqueue pool (2). */
  poolMax?: number;
  /** Counts merged requests (`msx_jobs_merged_total`). */
  metrics?: Pick<Metrics, 'jobsMerged'>;
}

interface JobData {
  integrationId: string | null;
  priceListId: string | null;
  trigger: string;
  payload: Record<string, unknown>;
}

interface JobOutput {
  result?: unknown;
  error?: SerializedJobError;
  progress?: unknown;
}

const STATE: Record<string, JobState> = {
  created: 'queued',
  retry: 'queued',
  active: 'running',
  completed: 'completed',
  cancelled: 'cancelled',
  failed: 'failed',
};

export class PgBossJobQueue implements JobQueue {
  readonly engine = 'pg-boss' as const;
  readonly boss: PgBoss;
  readonly #pool: pg.Pool;
  readonly #schema: string;
  readonly #jobs: PgBossJobTable;
  readonly #maxAttempts: number;
  readonly #retryDelaySeconds: number;
  readonly #expireInSeconds: number;
  readonly #kinds: readonly JobKind[];
  readonly #metrics: Pick<Metrics, 'jobsMerged'> | undefined;
  readonly #queues = new Map<string, Promise<void>>();
  readonly #handlers = new Map<JobKind, JobHandler>();
  readonly #listeners = new Set<() => void>();
  #rr = 0;
  #started = false;

  constructor(options: PgBossQueueOptions) {
    this.#schema = options.schema ?? 'pgboss';
    this.#jobs = new PgBossJobTable(this.#schema);
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#retryDelaySeconds = options.retryDelaySeconds ?? 30;
    this.#expireInSeconds = options.expireInSeconds ?? 4 * 3600;
    this.#kinds = options.kinds ?? [];
    this.#metrics = options.metrics;
    this.boss = new PgBoss({
      connectionString: options.connectionString,
      schema: this.#schema,
      max: options.poolMax ?? 4,
      supervise: options.supervise ?? true,
      schedule: false, // schedules are ours (croner on the injected clock)
      application_name: 'moysklad-exchange-queue',
    });
    this.boss.on('error', () => undefined); // maintenance errors are retried by pg-boss; surfaced via fetch/send
    this.#pool = new pg.Pool({ connectionString: options.connectionString, max: 2, application_name: 'moysklad-exchange-enqueue' });
    this.#pool.on('error', () => undefined);
  }

  async start(): Promise<void> {
    if (this.#started) return;
    await this.boss.start();
    this.#started = true;
    for (const k of this.#kinds) await this.#ensureQueue(k);
  }

  async stop(): Promise<void> {
    if (this.#started) await this.boss.stop({ graceful: false, wait: true, close: true });
    this.#started = false;
    await this.#pool.end();
  }

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

  #ensureQueue(kind: JobKind): Promise<void> {
    let p = this.#queues.get(kind);
    if (!p) {
      p = (async () => {
        // Several processes may create the same queue at once (pg-boss's DDL can then deadlock): retry.
        for (let attempt = 1; ; attempt++) {
          if (await this.boss.getQueue(kind)) return;
          try {
            await this.boss.createQueue(kind, {
              name: kind,
              policy: 'stately',
              retryLimit: this.#maxAttempts - 1,
              retryDelay: this.#retryDelaySeconds,
              retryBackoff: true,
              expireInSeconds: this.#expireInSeconds,
            });
            return;
          } catch (e) {
            if (attempt >= 5) throw e;
          }
        }
      })();
      p.catch(() => this.#queues.delete(kind));
      this.#queues.set(kind, p);
    }
    return p;
  }

  /** Runs `work` in one transaction on one pooled connection (rolled back if it throws). */
  #inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inPgTransaction(this.#pool, work);
  }

  async enqueue(request: EnqueueRequest): Promise<EnqueueResult> {
    const key = singletonKeyFor(request);
    await this.#ensureQueue(request.kind);
    const data = jobDataOf(request);
    let result = await this.#inTransaction(async (client): Promise<EnqueueResult | undefined> => {
      await this.#jobs.lockKey(client, `msx-enqueue:${key}`);
      const existing = await this.#jobs.activeJobId(client, request.kind, key);
      if (existing) return { jobId: existing, merged: true };
      const options: PgBoss.SendOptions = { singletonKey: key, db: bossDbOf(client) };
      if (request.runAt) options.startAfter = request.runAt;
      const id = await this.boss.send(request.kind, data as unknown as object, options);
      return id ? { jobId: id, merged: false } : undefined;
    });
    if (!result) {
      // pg-boss's stately policy refused a duplicate (only if someone sent around our lock): merge into it
      const holder = await this.#jobs.activeJobId(this.#pool, request.kind, key);
      if (!holder) throw new Error(`pg-boss refused job ${key} and no active job holds the key`);
      result = { jobId: holder, merged: true };
    }
    if (result.merged) this.#metrics?.jobsMerged.inc({ kind: request.kind });
    else for (const l of this.#listeners) l();
    return result;
  }

  /**
   * One transaction for the whole batch: the merge keys' advisory locks (in key order, so two batches
   * cannot deadlock), one look-up of the queued/running jobs holding those keys, then one pg-boss
   * `insert` of the new jobs (ids chosen here). 200 nightly jobs cost 6 round trips instead of 1,000.
   */
  async enqueueMany(requests: readonly EnqueueRequest[]): Promise<EnqueueResult[]> {
    if (requests.length === 0) return [];
    for (const kind of new Set(requests.map((r) => r.kind))) await this.#ensureQueue(kind);
    const keys = requests.map((r) => singletonKeyFor(r));
    const results: Array<EnqueueResult | undefined> = new Array<EnqueueResult | undefined>(requests.length);
    await this.#inTransaction(async (client) => {
      await this.#jobs.lockKeys(client, keys.map((k) => `msx-enqueue:${k}`));
      const existing = await this.#jobs.activeHolders(client, [...new Set(keys)]);
      const holder = new Map(existing.map((r) => [`${r.name}\u0000${r.singletonKey}`, r.id]));
      const inserts: Array<Record<string, unknown>> = [];
      requests.forEach((request, i) => {
        const mapKey = `${request.kind}\u0000${keys[i]!}`;
        const id = holder.get(mapKey);
        if (id) {
          results[i] = { jobId: id, merged: true };
          return;
        }
        const newId = randomUUID();
        holder.set(mapKey, newId);
        results[i] = { jobId: newId, merged: false };
        inserts.push({ id: newId, name: request.kind, data: jobDataOf(request), singletonKey: keys[i], ...(request.runAt ? { startAfter: request.runAt.toISOString() } : {}) });
      });
      if (inserts.length) {
        await this.boss.insert(inserts as unknown as PgBoss.JobInsert[], { db: bossDbOf(client) });
        // pg-boss's insert skips (ON CONFLICT DO NOTHING) a job its stately policy refuses — only possible if
        // someone sent around our locks: then fail the batch rather than report jobs that do not exist
        const n = await this.#jobs.countExisting(client, inserts.map((j) => j.id as string));
        if (n !== inserts.length) throw new Error(`pg-boss refused ${inserts.length - n} of ${inserts.length} jobs of a batch`);
      }
    });
    const out = results as EnqueueResult[];
    for (let i = 0; i < out.length; i++) if (out[i]!.merged) this.#metrics?.jobsMerged.inc({ kind: requests[i]!.kind });
    if (out.some((r) => !r.merged)) for (const l of this.#listeners) l();
    return out;
  }

  #toJob(row: { id: string; name: string; data: JobData | null; retry_count?: number; retryCount?: number; retry_limit?: number; retryLimit?: number; singleton_key?: string | null; singletonKey?: string | null }): Job {
    const data = row.data ?? { integrationId: null, priceListId: null, trigger: 'unknown', payload: {} };
    const retryCount = row.retry_count ?? row.retryCount ?? 0;
    const retryLimit = row.retry_limit ?? row.retryLimit ?? this.#maxAttempts - 1;
    return {
      id: row.id,
      kind: row.name as JobKind, // pg-boss queues are named after the kinds this engine was given
      integrationId: data.integrationId,
      priceListId: data.priceListId,
      trigger: asJobTrigger(data.trigger),
      payload: data.payload ?? {},
      attempt: retryCount + 1,
      maxAttempts: retryLimit + 1,
      singletonKey: row.singleton_key ?? row.singletonKey ?? '',
    };
  }

  async get(jobId: string): Promise<JobRecord | undefined> {
    const row = await this.#jobs.find<JobData, JobOutput>(this.#pool, jobId);
    if (!row) return undefined;
    return {
      ...this.#toJob(row),
      state: STATE[row.state] ?? 'failed',
      createdAt: row.created_on.toISOString(),
      startedAt: row.started_on ? row.started_on.toISOString() : null,
      finishedAt: row.completed_on ? row.completed_on.toISOString() : null,
      lastError: row.output?.error ?? null,
      result: row.output?.result ?? null,
      progress: row.output?.progress ?? null,
    };
  }

  async depth(): Promise<QueueDepth> {
    const depth: QueueDepth = {};
    for (const r of await this.#jobs.unfinishedCounts(this.#pool)) {
      const d = (depth[r.name as JobKind] ??= { queued: 0, running: 0 });
      if (r.state === 'active') d.running += r.n;
      else d.queued += r.n;
    }
    return depth;
  }

  async fetch(kinds: readonly JobKind[], _workerId: string): Promise<Job | undefined> {
    if (kinds.length === 0) return undefined;
    const start = this.#rr++ % kinds.length;
    for (let i = 0; i < kinds.length; i++) {
      const kind = kinds[(start + i) % kinds.length]!;
      await this.#ensureQueue(kind);
      const jobs = await this.boss.fetch<JobData>(kind, { includeMetadata: true, batchSize: 1 });
      const j = jobs[0];
      if (j) return this.#toJob({ id: j.id, name: j.name, data: j.data, retryCount: j.retryCount, retryLimit: j.retryLimit, singletonKey: j.singletonKey });
    }
    return undefined;
  }

  async heartbeat(job: Job, progress?: unknown): Promise<void> {
    if (progress === undefined) return; // pg-boss detects dead workers by expiration, not heartbeats
    await this.#jobs.setProgress(this.#pool, job.kind, job.id, { progress });
  }

  async complete(job: Job, result: unknown): Promise<void> {
    await this.boss.complete(job.kind, job.id, { result: result ?? null });
  }

  async fail(job: Job, error: SerializedJobError, retryAt?: Date): Promise<void> {
    if (!retryAt) {
      await this.#jobs.forbidRetry(this.#pool, job.kind, job.id);
    }
    await this.boss.fail(job.kind, job.id, { error });
  }

  async requeue(job: Job): Promise<void> {
    await this.#jobs.requeueActive(this.#pool, job.kind, job.id);
  }
}

/** What a job carries in pg-boss's `data` column. */
function jobDataOf(request: EnqueueRequest): JobData {
  return {
    integrationId: request.integrationId == null ? null : String(request.integrationId),
    priceListId: request.priceListId == null ? null : String(request.priceListId),
    trigger: request.trigger,
    payload: request.payload ?? {},
  };
}

/** pg-boss's `db` option: its statements run on our connection, inside our transaction. */
function bossDbOf(client: pg.PoolClient): { executeSql: (text: string, values: unknown[]) => Promise<pg.QueryResult> } {
  return { executeSql: async (text: string, values: unknown[]) => client.query(text, values) };
}
