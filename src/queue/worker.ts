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
  handlers?: Record<JobKind, JobHandler> | ReadonlyMap<JobKind, JobHandler>;
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
  const { queue, clock } = options;
  const logger = options.logger ?? silentLogger;
  const concurrency = options.concurrency ?? 4;
  const pollMs = options.pollMs ?? 1000;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const id = options.workerId ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  const leaseKeyFor = options.leaseKeyFor;
  const leases = new LeaseManager({
    db: options.db,
    clock,
    owner: id,
    ttlMs: options.leaseTtlMs ?? 60_000,
    pollMs: options.leasePollMs ?? 100,
    ...(options.handover ? { handover: options.handover } : {}),
  });
  const metrics = options.metrics;

  const extra = options.handlers;
  /** Handlers registered with `queue.work` (read at every fetch, so late registrations count) plus `handlers`. */
  const allHandlers = (): Map<JobKind, JobHandler> => {
    const m = new Map<JobKind, JobHandler>(queue.handlers());
    if (extra) for (const [k, h] of extra instanceof Map ? extra : Object.entries(extra)) m.set(k, h);
    return m;
  };

  const running = new Map<string, { job: Job; abort: AbortController; progress?: unknown; done: Promise<void> }>();
  const stopController = new AbortController();
  const heartbeatController = new AbortController();
  let wakeController = new AbortController();
  let loopDone: Promise<void> | undefined;
  let heartbeatDone: Promise<void> | undefined;
  let stopping = false;
  let idleWaiters: Array<() => void> = [];
  let lastFetchEmpty = false;

  const wake = (): void => wakeController.abort();
  let unsubscribe: (() => void) | undefined;

  const checkIdle = (): void => {
    if (running.size === 0 && lastFetchEmpty) {
      const w = idleWaiters;
      idleWaiters = [];
      for (const r of w) r();
    }
  };

  async function runJob(job: Job, abort: AbortController): Promise<void> {
    const startedMs = clock.nowMs();
    const handler = allHandlers().get(job.kind);
    let release: (() => Promise<void>) | undefined;
    let outcome: 'ok' | 'partial' | 'failed' | 'retry' | 'interrupted' = 'ok';
    try {
      if (!handler) throw Object.assign(new Error(`no handler for job kind ${job.kind}`), { retryable: false });
      const leaseKey = await leaseKeyFor(job);
      if (leaseKey) release = await leases.hold(leaseKey, abort.signal);
      logger.info({ jobId: job.id, kind: job.kind, attempt: job.attempt, leaseKey }, 'job started');
      const entry = running.get(job.id);
      const result = await handler({
        job,
        signal: abort.signal,
        progress: async (p) => {
          if (entry) entry.progress = p;
        },
      });
      await queue.complete(job, result ?? null);
      // A sync reports per-item failures as data (`{status:'partial'|'failed'}`): the job is done, the
      // metric says how it went.
      const status = (result as { status?: unknown } | null | undefined)?.status;
      if (status === 'partial' || status === 'failed') outcome = status;
    } catch (e) {
      const error = serializeJobError(e);
      try {
        if (abort.signal.aborted) {
          outcome = 'interrupted';
          await queue.requeue(job);
        } else if (isRetryable(e) && job.attempt < job.maxAttempts) {
          outcome = 'retry';
          await queue.fail(job, error, new Date(clock.nowMs() + retryDelayMs(retry, job.attempt)));
        } else {
          outcome = 'failed';
          await queue.fail(job, error);
        }
      } catch (e2) {
        logger.error({ jobId: job.id, err: serializeJobError(e2) }, 'could not record the job outcome');
      }
      logger[outcome === 'failed' ? 'error' : 'warn']({ jobId: job.id, kind: job.kind, attempt: job.attempt, error }, `job ${outcome}`);
    } finally {
      if (release) await release().catch(() => undefined);
    }
    const seconds = (clock.nowMs() - startedMs) / 1000;
    metrics?.jobRuns.inc({ kind: job.kind, outcome });
    metrics?.jobDuration.observe({ kind: job.kind, outcome }, seconds);
    if (outcome === 'ok' || outcome === 'partial') logger.info({ jobId: job.id, kind: job.kind, seconds, outcome }, 'job done');
  }

  function launch(job: Job): void {
    const abort = new AbortController();
    const entry: { job: Job; abort: AbortController; progress?: unknown; done: Promise<void> } = {
      job,
      abort,
      done: Promise.resolve(),
    };
    running.set(job.id, entry);
    entry.done = runJob(job, abort).finally(() => {
      running.delete(job.id);
      wake();
      checkIdle();
    });
  }

  async function loop(): Promise<void> {
    while (!stopping) {
      const kinds = [...allHandlers().keys()];
      while (!stopping && running.size < concurrency) {
        let job: Job | undefined;
        try {
          job = await queue.fetch(kinds, id);
        } catch (e) {
          logger.error({ err: serializeJobError(e) }, 'fetching a job failed');
          break;
        }
        if (!job) {
          lastFetchEmpty = true;
          checkIdle();
          break;
        }
        lastFetchEmpty = false;
        if (stopping) {
          await queue.requeue(job);
          break;
        }
        launch(job);
      }
      if (stopping) break;
      try {
        await clock.sleep(pollMs, AbortSignal.any([wakeController.signal, stopController.signal]));
      } catch {
        // woken early
      }
      if (wakeController.signal.aborted) wakeController = new AbortController();
    }
  }

  async function heartbeatLoop(): Promise<void> {
    for (;;) {
      try {
        await clock.sleep(heartbeatMs, heartbeatController.signal);
      } catch {
        return;
      }
      for (const entry of running.values()) {
        await queue.heartbeat(entry.job, entry.progress).catch((e: unknown) => {
          logger.warn({ jobId: entry.job.id, err: serializeJobError(e) }, 'heartbeat failed');
        });
      }
      const lost = await leases.renewAll().catch(() => []);
      if (lost.length) logger.error({ lost }, 'credential leases lost (expired and taken over)');
    }
  }

  return {
    id,
    get running() {
      return running.size;
    },
    start() {
      if (loopDone) return;
      unsubscribe = queue.onEnqueued(wake);
      logger.info({ workerId: id, kinds: [...allHandlers().keys()], concurrency }, 'worker started');
      loopDone = loop();
      heartbeatDone = heartbeatLoop();
    },
    async stop({ deadlineMs = 30_000 } = {}) {
      if (stopping) return;
      stopping = true;
      unsubscribe?.();
      stopController.abort();
      wake();
      await loopDone;
      const all = Promise.all([...running.values()].map((r) => r.done));
      if (running.size > 0) {
        const deadline = new AbortController();
        const timer = clock.sleep(deadlineMs, deadline.signal).then(
          () => 'deadline' as const,
          () => 'done' as const,
        );
        const first = await Promise.race([all.then(() => 'done' as const), timer]);
        deadline.abort();
        if (first === 'deadline') {
          logger.warn({ running: running.size }, 'shutdown deadline reached: aborting running jobs');
          for (const r of running.values()) r.abort.abort(new Error('worker shutting down'));
          await all;
        }
      }
      heartbeatController.abort();
      await heartbeatDone;
      await leases.releaseAll().catch(() => undefined);
      checkIdle();
      logger.info({ workerId: id }, 'worker stopped');
    },
    idle() {
      return new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
        checkIdle();
      });
    },
  };
}
