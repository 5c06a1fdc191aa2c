/**
 * @module queue/worker
 * The worker loop shared by both engines: polls the queue on the injected clock (and wakes early when a
 * job is enqueued locally or a slot frees), runs up to `concurrency` jobs, holds the job's credential lease
 * while it runs (one MoySklad budget per credential across all workers), heartbeats, retries retryable
 * failures with backoff, records metrics, and stops gracefully.
 */
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Clock } from '../core/clock.js';
import type { Metrics } from '../metrics/metrics.js';
import { LeaseManager, type LeaseHandover } from './lease-manager.js';
import { DEFAULT_RETRY_POLICY, isRetryable, retryDelayMs, serializeJobError, type RetryPolicy } from './retry-policy.js';
import type { Db } from '../store/db.js';
import type { Job, JobHandler, JobKind, JobQueue } from './types.js';

/** pino-compatible subset. */
export interface QueueLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLogger: QueueLogger = { debug() {}, info() {}, warn() {}, error() {} };

/** Returns the lease key of the credential a job uses (e.g. `ms-account:3`), or undefined for none. */
export type LeaseKeyResolver = (job: Job) => Promise<string | undefined> | string | undefined;

export interface WorkerOptions {
  /** The application database: credential leases are rows of `queueLeases`. */
  db: Db;
  queue: JobQueue;
  clock: Clock;
  logger?: QueueLogger;
  /** Handlers by kind, added to those registered with `queue.work`. */
  handlers?: Partial<Record<JobKind, JobHandler>> | ReadonlyMap<JobKind, JobHandler>;
  /** Jobs run in parallel by this worker (default 4). */
  concurrency?: number;
  /** Poll interval when idle (default 1000 ms of clock time). */
  pollMs?: number;
  /** Heartbeat and lease renewal interval (default 15 s). */
  heartbeatMs?: number;
  /** Credential lease time to live (default 60 s). */
  leaseTtlMs?: number;
  /**
   * How often a job whose credential another worker holds checks the lease again (default 100 ms of clock
   * time). Each check is one upsert; the wait sits between an account's requests when its jobs hop workers.
   */
  leasePollMs?: number;
  /**
   * How the credential of a job is found: `JobTargetRepository.leaseKeyFor` in src/store (integration or
   * price list → MoySklad account), or `() => undefined` for jobs without a credential.
   */
  leaseKeyFor: LeaseKeyResolver;
  /**
   * What travels with a credential lease between worker processes: pass the client pool's
   * `leaseHandover()` so that a process taking a credential over continues its limiter's state (bucket
   * level, pauses) instead of assuming a full bucket. Without it a hand-over may cost 429s.
   */
  handover?: LeaseHandover;
  retry?: Partial<RetryPolicy>;
  metrics?: Metrics;
  /** Unique id (default host:pid:random). */
  workerId?: string;
}

export interface Worker {
  readonly id: string;
  /** Jobs running now. */
  readonly running: number;
  start(): void;
  /**
   * Graceful stop: takes no new jobs, waits for running ones up to `deadlineMs` (clock time), then aborts
   * their signal so they checkpoint; jobs that end by abort are re-queued without counting an attempt.
   */
  stop(options?: { deadlineMs?: number }): Promise<void>;
  /** Resolves when no job is running or queued for this worker's kinds is left to fetch right now (tests). */
  idle(): Promise<void>;
}

export function createWorker(options: WorkerOptions): Worker {
  return new QueueWorker(options);
}

/** What the worker keeps of a job it runs. */
interface RunningJob {
  job: Job;
  abort: AbortController;
  progress?: unknown;
  done: Promise<void>;
}

type JobOutcome = 'ok' | 'partial' | 'failed' | 'retry' | 'interrupted';

class QueueWorker implements Worker {
  readonly id: string;
  readonly #queue: JobQueue;
  readonly #clock: Clock;
  readonly #logger: QueueLogger;
  readonly #concurrency: number;
  readonly #pollMs: number;
  readonly #heartbeatMs: number;
  readonly #retry: RetryPolicy;
  readonly #leaseKeyFor: LeaseKeyResolver;
  readonly #leases: LeaseManager;
  readonly #metrics: Metrics | undefined;
  readonly #extra: WorkerOptions['handlers'];
  readonly #running = new Map<string, RunningJob>();
  readonly #stopController = new AbortController();
  readonly #heartbeatController = new AbortController();
  #wakeController = new AbortController();
  #loopDone: Promise<void> | undefined;
  #heartbeatDone: Promise<void> | undefined;
  #stopping = false;
  #idleWaiters: Array<() => void> = [];
  #lastFetchEmpty = false;
  #unsubscribe: (() => void) | undefined;

  constructor(options: WorkerOptions) {
    this.#queue = options.queue;
    this.#clock = options.clock;
    this.#logger = options.logger ?? silentLogger;
    this.#concurrency = options.concurrency ?? 4;
    this.#pollMs = options.pollMs ?? 1000;
    this.#heartbeatMs = options.heartbeatMs ?? 15_000;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.id = options.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
    this.#leaseKeyFor = options.leaseKeyFor;
    this.#leases = new LeaseManager({
      db: options.db,
      clock: this.#clock,
      owner: this.id,
      ttlMs: options.leaseTtlMs ?? 60_000,
      pollMs: options.leasePollMs ?? 100,
      ...(options.handover ? { handover: options.handover } : {}),
    });
    this.#metrics = options.metrics;
    this.#extra = options.handlers;
  }

  get running(): number {
    return this.#running.size;
  }

  /** Handlers registered with `queue.work` (read at every fetch, so late registrations count) plus `handlers`. */
  #allHandlers(): Map<JobKind, JobHandler> {
    const m = new Map<JobKind, JobHandler>(this.#queue.handlers());
    const extra = this.#extra;
    if (extra) for (const [k, h] of extra instanceof Map ? extra : (Object.entries(extra) as Array<[JobKind, JobHandler | undefined]>)) if (h) m.set(k, h);
    return m;
  }

  #wake(): void {
    this.#wakeController.abort();
  }

  #checkIdle(): void {
    if (this.#running.size === 0 && this.#lastFetchEmpty) {
      const waiters = this.#idleWaiters;
      this.#idleWaiters = [];
      for (const r of waiters) r();
    }
  }

  async #runJob(entry: RunningJob): Promise<void> {
    const { job, abort } = entry;
    const startedMs = this.#clock.nowMs();
    const handler = this.#allHandlers().get(job.kind);
    let release: (() => Promise<void>) | undefined;
    let outcome: JobOutcome = 'ok';
    try {
      if (!handler) throw Object.assign(new Error(`no handler for job kind ${job.kind}`), { retryable: false });
      const leaseKey = await this.#leaseKeyFor(job);
      if (leaseKey) release = await this.#leases.hold(leaseKey, abort.signal);
      this.#logger.info({ jobId: job.id, kind: job.kind, attempt: job.attempt, leaseKey }, 'job started');
      const result = await handler({
        job,
        signal: abort.signal,
        progress: async (p) => {
          entry.progress = p;
        },
      });
      await this.#queue.complete(job, result ?? null);
      // A sync reports per-item failures as data (`{status:'partial'|'failed'}`): the job is done, the
      // metric says how it went.
      const status = (result as { status?: unknown } | null | undefined)?.status;
      if (status === 'partial' || status === 'failed') outcome = status;
    } catch (e) {
      outcome = await this.#recordFailure(job, abort, e);
    } finally {
      if (release) await release().catch(() => undefined);
    }
    const seconds = (this.#clock.nowMs() - startedMs) / 1000;
    this.#metrics?.jobRuns.inc({ kind: job.kind, outcome });
    this.#metrics?.jobDuration.observe({ kind: job.kind, outcome }, seconds);
    if (outcome === 'ok' || outcome === 'partial') this.#logger.info({ jobId: job.id, kind: job.kind, seconds, outcome }, 'job done');
  }

  /** A job threw: re-queued (shutdown), retried with backoff (retryable, attempts left) or failed. */
  async #recordFailure(job: Job, abort: AbortController, e: unknown): Promise<JobOutcome> {
    const error = serializeJobError(e);
    let outcome: JobOutcome = 'failed';
    try {
      if (abort.signal.aborted) {
        outcome = 'interrupted';
        await this.#queue.requeue(job);
      } else if (isRetryable(e) && job.attempt < job.maxAttempts) {
        outcome = 'retry';
        await this.#queue.fail(job, error, new Date(this.#clock.nowMs() + retryDelayMs(this.#retry, job.attempt)));
      } else {
        await this.#queue.fail(job, error);
      }
    } catch (e2) {
      this.#logger.error({ jobId: job.id, err: serializeJobError(e2) }, 'could not record the job outcome');
    }
    this.#logger[outcome === 'failed' ? 'error' : 'warn']({ jobId: job.id, kind: job.kind, attempt: job.attempt, error }, `job ${outcome}`);
    return outcome;
  }

  #launch(job: Job): void {
    const entry: RunningJob = { job, abort: new AbortController(), done: Promise.resolve() };
    this.#running.set(job.id, entry);
    entry.done = this.#runJob(entry).finally(() => {
      this.#running.delete(job.id);
      this.#wake();
      this.#checkIdle();
    });
  }

  /** Fetches and launches jobs while slots are free; returns when none is runnable or all slots are busy. */
  async #fillSlots(): Promise<void> {
    const kinds = [...this.#allHandlers().keys()];
    while (!this.#stopping && this.#running.size < this.#concurrency) {
      let job: Job | undefined;
      try {
        job = await this.#queue.fetch(kinds, this.id);
      } catch (e) {
        this.#logger.error({ err: serializeJobError(e) }, 'fetching a job failed');
        return;
      }
      if (!job) {
        this.#lastFetchEmpty = true;
        this.#checkIdle();
        return;
      }
      this.#lastFetchEmpty = false;
      if (this.#stopping) {
        await this.#queue.requeue(job);
        return;
      }
      this.#launch(job);
    }
  }

  async #loop(): Promise<void> {
    while (!this.#stopping) {
      await this.#fillSlots();
      if (this.#stopping) break;
      try {
        await this.#clock.sleep(this.#pollMs, AbortSignal.any([this.#wakeController.signal, this.#stopController.signal]));
      } catch {
        // woken early
      }
      if (this.#wakeController.signal.aborted) this.#wakeController = new AbortController();
    }
  }

  async #heartbeatLoop(): Promise<void> {
    for (;;) {
      try {
        await this.#clock.sleep(this.#heartbeatMs, this.#heartbeatController.signal);
      } catch {
        return;
      }
      for (const entry of this.#running.values()) {
        await this.#queue.heartbeat(entry.job, entry.progress).catch((e: unknown) => {
          this.#logger.warn({ jobId: entry.job.id, err: serializeJobError(e) }, 'heartbeat failed');
        });
      }
      const lost = await this.#leases.renewAll().catch(() => []);
      if (lost.length) this.#logger.error({ lost }, 'credential leases lost (expired and taken over)');
    }
  }

  start(): void {
    if (this.#loopDone) return;
    this.#unsubscribe = this.#queue.onEnqueued(() => this.#wake());
    this.#logger.info({ workerId: this.id, kinds: [...this.#allHandlers().keys()], concurrency: this.#concurrency }, 'worker started');
    this.#loopDone = this.#loop();
    this.#heartbeatDone = this.#heartbeatLoop();
  }

  async stop({ deadlineMs = 30_000 }: { deadlineMs?: number } = {}): Promise<void> {
    if (this.#stopping) return;
    this.#stopping = true;
    this.#unsubscribe?.();
    this.#stopController.abort();
    this.#wake();
    await this.#loopDone;
    await this.#drain(deadlineMs);
    this.#heartbeatController.abort();
    await this.#heartbeatDone;
    await this.#leases.releaseAll().catch(() => undefined);
    this.#checkIdle();
    this.#logger.info({ workerId: this.id }, 'worker stopped');
  }

  /** Waits for running jobs up to `deadlineMs` of clock time, then aborts them (they checkpoint and are re-queued). */
  async #drain(deadlineMs: number): Promise<void> {
    if (this.#running.size === 0) return;
    const all = Promise.all([...this.#running.values()].map((r) => r.done));
    const deadline = new AbortController();
    const timer = this.#clock.sleep(deadlineMs, deadline.signal).then(
      () => 'deadline' as const,
      () => 'done' as const,
    );
    const first = await Promise.race([all.then(() => 'done' as const), timer]);
    deadline.abort();
    if (first === 'deadline') {
      this.#logger.warn({ running: this.#running.size }, 'shutdown deadline reached: aborting running jobs');
      for (const r of this.#running.values()) r.abort.abort(new Error('worker shutting down'));
      await all;
    }
  }

  idle(): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#idleWaiters.push(resolve);
      this.#checkIdle();
    });
  }
}
