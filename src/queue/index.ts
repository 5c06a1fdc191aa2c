/**
 * @module queue
 * The job queue: one `JobQueue` interface, two engines (embedded on the app database, pg-boss on
 * PostgreSQL), the worker loop, schedules and per-credential leases. See docs/queue.md.
 */
export * from './types.js';
export { EmbeddedJobQueue, type EmbeddedQueueOptions } from './embedded-queue.js';
export { LeaseManager, type LeaseHandover, type LeaseManagerOptions } from './lease-manager.js';
export { DEFAULT_RETRY_POLICY, isRetryable, retryDelayMs, serializeJobError, type RetryPolicy } from './retry-policy.js';
export {
  createWorker,
  silentLogger,
  type LeaseKeyResolver,
  type QueueLogger,
  type Worker,
  type WorkerOptions,
} from './worker.js';
export {
  buildScheduleEntries,
  cronEntry,
  intervalEntry,
  startScheduler,
  type ScheduleEntry,
  type ScheduleEntryOptions,
  type Scheduler,
  type SchedulerOptions,
  type ScheduleTargets,
} from './scheduler.js';
export { PgBossJobQueue, type PgBossQueueOptions } from './pg-boss-queue.js';
export { createJobQueue, onShutdownSignals, type CreateJobQueueOptions, type Stoppable } from './create-job-queue.js';
