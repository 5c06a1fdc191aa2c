/**
 * @module queue/types
 * The job queue's public vocabulary, shared by both engines (embedded on SQLite, pg-boss on PostgreSQL).
 */

import type { JobKind } from '../sync/job-kinds.js';

/**
 * Job kinds: a closed union collected from the sync modules (`src/sync/job-kinds.ts`, each module's
 * `kinds.ts`); the queue owns no list of its own.
 */
export type { JobKind };

/** Why a job runs. `order`: a stock run enqueued right after an order export moved reserves (C4). */
export const JOB_TRIGGERS = ['schedule', 'manual', 'api', 'cli', 'webhook', 'admin', 'retry', 'test', 'order'] as const;
export type JobTrigger = (typeof JOB_TRIGGERS)[number];

/** Narrows a trigger read from the database (unknown values read as `manual`). */
export const asJobTrigger = (trigger: string): JobTrigger => ((JOB_TRIGGERS as readonly string[]).includes(trigger) ? (trigger as JobTrigger) : 'manual');

export interface EnqueueRequest {
  kind: JobKind;
  integrationId?: number | string | null;
  priceListId?: number | string | null;
  trigger: JobTrigger;
  /** Extra data for the handler (JSON-serialisable). Not part of the merge key. */
  payload?: Record<string, unknown>;
  /** Earliest start (default: now). */
  runAt?: Date;
}

export interface EnqueueResult {
  jobId: string;
  /** True when a queued or running job with the same (kind, integration/price list) already existed. */
  merged: boolean;
}

/** The interface the REST API / CLI depend on. */
export interface JobEnqueuer {
  enqueue(request: EnqueueRequest): Promise<EnqueueResult>;
}

export type JobState = 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';

/** A job as a handler sees it. */
export interface Job {
  id: string;
  kind: JobKind;
  integrationId: string | null;
  priceListId: string | null;
  trigger: JobTrigger;
  payload: Record<string, unknown>;
  /** 1 for the first run, 2 for the first retry… */
  attempt: number;
  maxAttempts: number;
  /** The merge key: one queued-or-running job per key. */
  singletonKey: string;
}

export interface JobRecord extends Job {
  state: JobState;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  lastError: SerializedJobError | null;
  result: unknown;
  progress: unknown;
}

export interface SerializedJobError {
  message: string;
  code?: string;
  retryable: boolean;
}

export interface JobContext {
  job: Job;
  /** Aborted on shutdown past the deadline: checkpoint and throw (the job is re-queued, not failed). */
  signal: AbortSignal;
  /** Report progress (stored with the job; throttled by the engine). */
  progress(progress: Record<string, unknown>): Promise<void>;
}

/** A job handler; its resolved value is stored as the job's result. */
export type JobHandler = (ctx: JobContext) => Promise<unknown>;

export type QueueDepth = Partial<Record<JobKind, { queued: number; running: number }>>;

/**
 * One interface, two engines. `enqueue`/`get`/`depth` are for everyone; `fetch`/`complete`/`fail`/
 * `requeue`/`heartbeat` are used by the worker loop (`createWorker`).
 */
export interface JobQueue extends JobEnqueuer {
  readonly engine: 'embedded' | 'pg-boss';
  /**
   * `enqueue` for many requests at once, with the same merge rule (a request merges into a queued or
   * running job of its key, or into an earlier request of the same batch); results in request order.
   */
  enqueueMany(requests: readonly EnqueueRequest[]): Promise<EnqueueResult[]>;
  /** Register a handler for a kind; `createWorker` runs the registered handlers (plus its own `handlers`). */
  work(kind: JobKind, handler: JobHandler): void;
  /** Handlers registered with `work`. */
  handlers(): ReadonlyMap<JobKind, JobHandler>;
  get(jobId: string): Promise<JobRecord | undefined>;
  /** Queued and running jobs per kind (for /metrics and the admin panel). */
  depth(): Promise<QueueDepth>;

  /** Claim the next runnable job of one of the kinds for `workerId`, or undefined. */
  fetch(kinds: readonly JobKind[], workerId: string): Promise<Job | undefined>;
  /** Keeps a running job's claim alive and stores its progress. */
  heartbeat(job: Job, progress?: unknown): Promise<void>;
  complete(job: Job, result: unknown): Promise<void>;
  /** Records a failure; with `retryAt` the job runs again then (attempt + 1), else it stops as failed. */
  fail(job: Job, error: SerializedJobError, retryAt?: Date): Promise<void>;
  /** Puts a claimed job back without counting an attempt (shutdown checkpoint). */
  requeue(job: Job): Promise<void>;
  /** Calls `listener` when a job is enqueued through this instance (lets a local worker skip its poll wait). */
  onEnqueued(listener: () => void): () => void;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** The merge key: one queued-or-running run per (integration or price list, kind). */
export function singletonKeyFor(request: Pick<EnqueueRequest, 'kind' | 'integrationId' | 'priceListId'>): string {
  const scope =
    request.priceListId != null
      ? `pl:${request.priceListId}`
      : request.integrationId != null
        ? `int:${request.integrationId}`
        : 'global';
  return `${request.kind}|${scope}`;
}
