/**
 * @module first-runs
 * The quick start's first syncs (`firstSyncRequests`), enqueued one after another, and in the demo
 * shop an order placed from the demo price list once they are done.
 */
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { firstSyncRequests } from '../app/first-syncs.js';
import { placeDemoOrder } from '../app/demo-order.js';
import type { EnqueueRequest, JobQueue } from '../queue/index.js';
import type { Db } from '../store/db.js';
import { IntegrationRepository } from '../store/repositories/integration-repository.js';
import { PriceListRepository } from '../store/repositories/price-list-repository.js';
import { OUTBOX_KIND } from '../sync/outbox/kinds.js';
import type { SyncRegistry } from '../sync/sync-registry.js';
import type { OutboxWake } from '../app/order-service.js';
import type { ServiceLogger } from './runtime-types.js';

/** Enqueues each request after the previous job has finished (checked every second of clock time). */
export async function runInOrder(queue: Pick<JobQueue, 'enqueue' | 'get'>, clock: Clock, requests: EnqueueRequest[], signal: AbortSignal): Promise<void> {
  for (const request of requests) {
    const { jobId } = await queue.enqueue(request);
    for (;;) {
      const job = await queue.get(jobId);
      if (!job || job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled') break;
      await clock.sleep(1000, signal);
    }
  }
}

/**
 * Starts the first syncs of an active integration in the background; returns their abort (for the
 * shutdown), or null when the integration is not active.
 */
export async function startFirstRuns(o: {
  db: Db;
  clock: Clock;
  queue: JobQueue;
  syncs: SyncRegistry;
  integrationId: number;
  /** The demo shop: place a demo order after the first syncs. */
  demo: boolean;
  wake?: OutboxWake | undefined;
  logger: ServiceLogger;
}): Promise<(() => Promise<void>) | null> {
  const { db, clock, queue, logger } = o;
  const integration = await new IntegrationRepository(db, clock).get(o.integrationId);
  if (!integration.active) return null;
  const priceLists = (await new PriceListRepository(db, clock).list(integration.regionId)).filter((p) => p.msStoreId !== null);
  const requests = firstSyncRequests(o.syncs, o.integrationId, priceLists.map((p) => Number(p.id)));
  const abort = new AbortController();
  const demoPriceList = o.demo ? priceLists[0] : undefined;
  void runInOrder(queue, clock, requests, abort.signal)
    .then(async () => {
      // The demo shop: a variant ordered from the demo price list, exported with its reserve.
      if (!demoPriceList || abort.signal.aborted) return;
      const placed = await placeDemoOrder({ db, clock, ...(o.wake ? { wake: o.wake } : {}) }, { regionId: integration.regionId, priceListId: Number(demoPriceList.id) });
      if (!placed.placed) return;
      logger.info({ orderId: placed.orderId, part: `${placed.brand} ${placed.article}`, kind: placed.kind }, 'demo order placed');
      if (!o.wake) await queue.enqueue({ kind: OUTBOX_KIND, trigger: 'manual' });
    })
    .catch((e: unknown) => {
      if (!abort.signal.aborted) logger.warn({ err: { message: errorMessage(e) } }, 'first syncs stopped');
    });
  return async () => abort.abort();
}
