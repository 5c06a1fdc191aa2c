/**
 * @module queue/create-job-queue
 * Picks the engine: pg-boss on PostgreSQL, the embedded engine on SQLite. The CLI `start` / `worker`
 * commands call this, then `createWorker` and `startScheduler`, then `onShutdownSignals`.
 */
import type { Clock } from '../core/clock.js';
import type { Metrics } from '../metrics/metrics.js';
import { EmbeddedJobQueue } from './embedded-queue.js';
import { PgBossJobQueue } from './pg-boss-queue.js';
import type { Db } from '../store/db.js';
import type { JobKind, JobQueue } from './types.js';
import type { QueueLogger } from './worker.js';

export interface CreateJobQueueOptions {
  dialect: 'sqlite' | 'postgres';
  db: Db;
  clock: Clock;
  /** Required on PostgreSQL (pg-boss opens its own pool). */
  databaseUrl?: string | null;
  /** pg-boss schema (default `pgboss`). */
  pgBossSchema?: string;
  maxAttempts?: number;
  kinds?: readonly JobKind[];
  metrics?: Pick<Metrics, 'jobsMerged'>;
}

export function createJobQueue(options: CreateJobQueueOptions): JobQueue {
  if (options.dialect === 'postgres') {
    if (!options.databaseUrl) throw new Error('the pg-boss queue needs DATABASE_URL');
    return new PgBossJobQueue({
      connectionString: options.databaseUrl,
      ...(options.pgBossSchema ? { schema: options.pgBossSchema } : {}),
      ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.kinds ? { kinds: options.kinds } : {}),
      ...(options.metrics ? { metrics: options.metrics } : {}),
    });
  }
  return new EmbeddedJobQueue({
    db: options.db,
    clock: options.clock,
    ...(options.maxAttempts ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
  });
}

export interface Stoppable {
  stop(options?: { deadlineMs?: number }): Promise<void>;
}

/**
 * Graceful shutdown on SIGTERM/SIGINT: stops the scheduler (no new fires), then the worker (no new jobs;
 * running jobs get `deadlineMs` to finish, then their abort signal asks them to checkpoint and they are
 * re-queued), then the queue, then `after` (close the database, the HTTP server…). A second signal exits
 * at once. Returns a function that removes the handlers.
 */
export function onShutdownSignals(
  parts: { scheduler?: Stoppable; worker?: Stoppable; queue?: Stoppable; after?: () => Promise<void> },
  options: { deadlineMs?: number; logger?: QueueLogger; exit?: (code: number) => void; proc?: NodeJS.Process } = {},
): () => void {
  const proc = options.proc ?? process;
  const exit = options.exit ?? ((code: number) => proc.exit(code));
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      options.logger?.warn({ signal }, 'second signal: exiting now');
      exit(1);
      return;
    }
    stopping = true;
    options.logger?.info({ signal, deadlineMs: options.deadlineMs ?? 30_000 }, 'shutting down gracefully');
    void (async () => {
      try {
        await parts.scheduler?.stop();
        await parts.worker?.stop({ deadlineMs: options.deadlineMs ?? 30_000 });
        await parts.queue?.stop();
        await parts.after?.();
        exit(0);
      } catch (e) {
        options.logger?.error({ err: e instanceof Error ? e.message : String(e) }, 'shutdown failed');
        exit(1);
      }
    })();
  };
  proc.on('SIGTERM', handler);
  proc.on('SIGINT', handler);
  return () => {
    proc.off('SIGTERM', handler);
    proc.off('SIGINT', handler);
  };
}
