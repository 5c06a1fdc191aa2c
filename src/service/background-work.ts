/**
 * @module background-work
 * The work a process runs besides HTTP: the job queue (over the registry's kinds), the worker, the
 * P1 outbox sender and the schedules. Each start returns what its stop needs.
 */
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { startOrderSender } from '../app/order-sender.js';
import { metrics } from '../metrics/metrics.js';
import { createJobQueue } from '../queue/create-job-queue.js';
import { createWorker, startScheduler, type JobEnqueuer, type JobQueue, type Worker } from '../queue/index.js';
import { cronEntry } from '../queue/scheduler.js';
import type { StoreDatabase } from '../store/database.js';
import { IntegrationProblemRepository } from '../store/repositories/integration-problem-repository.js';
import type { JobTargetRepository } from '../store/repositories/job-target-repository.js';
import type { MoySkladClientPool } from '../sync/client-pool.js';
import { drainOrderOutbox } from '../sync/orders/order-outbox.js';
import { wakeDeliveriesAfterJobs } from '../sync/platform-webhooks/webhook-delivery-kind.js';
import type { SyncRegistry } from '../sync/sync-registry.js';
import { WEBHOOKS_KIND } from '../sync/webhooks/webhook-sync-kinds.js';
import { orderSyncDepsOf, type SyncDeps } from './compose-syncs.js';
import type { RuntimeConfig, ServiceLogger, ServiceModes } from './runtime-types.js';

/**
 * The registry is built before the queue (the queue needs its kinds); runners reach the queue
 * through this enqueuer, which works once `attach` has been called.
 */
export function lateEnqueuer(): JobEnqueuer & { attach(queue: JobQueue): void } {
  let queueRef: JobQueue | null = null;
  return {
    enqueue: (request) => {
      if (!queueRef) throw new Error('the job queue is not started yet');
      return queueRef.enqueue(request);
    },
    attach: (queue) => {
      queueRef = queue;
    },
  };
}

/** Starts the job queue over the registry's kinds; `addStop` receives its stop steps in order. */
export async function startJobQueue(
  o: { config: RuntimeConfig; store: StoreDatabase; clock: Clock; logger: ServiceLogger; syncs: SyncRegistry; enqueuer: ReturnType<typeof lateEnqueuer> },
  addStop: (step: () => Promise<void>) => void,
): Promise<JobQueue> {
  const { store, clock, syncs } = o;
  const queue: JobQueue = createJobQueue({ dialect: store.dialect, db: store.db, clock, databaseUrl: o.config.databaseUrl, kinds: syncs.list().map((k) => k.kind), metrics });
  // E3: a job that queued platform webhook deliveries is followed by a delivery run at once.
  syncs.attachToQueue(wakeDeliveriesAfterJobs(queue, { db: store.db, clock, logger: o.logger }));
  o.enqueuer.attach(queue);
  await queue.start();
  addStop(() => queue.stop());
  // Every kind is reported, idle ones as 0, so that the series exist before the first job.
  const idle = Object.fromEntries(syncs.list().map((k) => [k.kind, { queued: 0, running: 0 }]));
  metrics.setQueueDepthSource(async () => ({ ...idle, ...(await queue.depth()) }));
  addStop(async () => metrics.setQueueDepthSource(undefined));
  return queue;
}

/** The job worker; B2: a credential lease carries its limiter state to the next worker that takes it (no burst into 429s). */
export function startWorker(o: { store: StoreDatabase; queue: JobQueue; clock: Clock; logger: ServiceLogger; jobTargets: JobTargetRepository; clients: MoySkladClientPool }): Worker {
  const worker = createWorker({ db: o.store.db, queue: o.queue, clock: o.clock, logger: o.logger, metrics, leaseKeyFor: o.jobTargets.leaseKeyFor, handover: o.clients.leaseHandover() });
  worker.start();
  return worker;
}

/** P1: this process's outbox sender (it runs a worker) or its wake-up of the workers' (NOTIFY on PostgreSQL). */
export function startProcessOrderSender(config: RuntimeConfig, modes: ServiceModes, store: StoreDatabase, syncDeps: SyncDeps, logger: ServiceLogger): ReturnType<typeof startOrderSender> {
  const orderDeps = orderSyncDepsOf(syncDeps);
  return startOrderSender({
    db: store.db,
    clock: syncDeps.clock,
    dialect: store.dialect,
    databaseUrl: config.databaseUrl,
    owner: syncDeps.instanceId!,
    sends: modes.worker,
    drain: (signal) => drainOrderOutbox(orderDeps, { trigger: 'api', signal }),
    onError: (e, what) => logger.warn({ err: { message: errorMessage(e) } }, `${what} failed`),
  });
}

/** The schedules (B3: the module's MoySklad webhooks reconciled nightly, and once at start); returns their stop. */
export function startSchedules(config: RuntimeConfig, queue: JobQueue, store: StoreDatabase, clock: Clock, logger: ServiceLogger, jobTargets: JobTargetRepository): () => Promise<void> {
  // B3: the module's MoySklad webhooks are reconciled nightly, and once at start.
  const webhooksNightly = cronEntry(`nightly:${WEBHOOKS_KIND}`, '20 0 * * *', config.timezone, { kind: WEBHOOKS_KIND, trigger: 'schedule' });
  const scheduler = startScheduler({
    queue,
    db: store.db,
    clock,
    logger,
    timezone: config.timezone,
    targets: jobTargets.scheduleTargets,
    blocked: () => new IntegrationProblemRepository(store.db, clock).blockedNow(),
    extraEntries: [webhooksNightly],
  });
  void queue.enqueue({ kind: WEBHOOKS_KIND, trigger: 'schedule' }).catch((e: unknown) => logger.warn({ err: { message: errorMessage(e) } }, 'enqueueing the webhooks run failed'));
  return () => scheduler.stop();
}
