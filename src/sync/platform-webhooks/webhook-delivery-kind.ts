/**
 * @module webhook-delivery-kind
 * E3 the `webhooks.deliver` registry kind: one run of `deliverDueWebhooks`. Global scope (no
 * integration, no price list), so the worker takes no MoySklad credential lease for it and the
 * queue runs one at a time (its merge key is `webhooks.deliver|global`). Fired by the scheduler
 * while an active subscription exists, and right after a job that queued deliveries (main.ts).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { JobEnqueuer } from '../../queue/types.js';
import { PlatformWebhookRepository } from '../../store/repositories/platform-webhook-repository.js';
import type { Database } from '../../store/schema.js';
import type { HandlerRegistrar, SyncKind, SyncOutcome } from '../sync-registry.js';
import { announceCatalogChanges } from './catalog-events.js';
import { deliverDueWebhooks, type WebhookDeliveryDeps, type WebhookDeliveryOptions } from './webhook-delivery.js';

export { WEBHOOK_DELIVERY_KIND } from './kinds.js';
import { WEBHOOK_DELIVERY_KIND } from './kinds.js';

export function createWebhookDeliveryKinds(deps: WebhookDeliveryDeps, options: Omit<WebhookDeliveryOptions, 'signal'> = {}): SyncKind[] {
  return [
    {
      kind: WEBHOOK_DELIVERY_KIND,
      description: "Sends the platform's signed webhooks that are due (orders, price lists, balances); retries with backoff for 24 h (E3)",
      scope: 'global',
      runner: async ({ signal }): Promise<SyncOutcome> => {
        await announceCatalogChanges(deps.db, deps.clock);
        const r = await deliverDueWebhooks(deps, { ...options, signal });
        const counts = { attempted: r.attempted, delivered: r.delivered, retried: r.retried, failed: r.failed, deferred: r.deferred };
        return {
          status: r.retried + r.failed === 0 ? 'ok' : r.delivered > 0 ? 'partial' : 'failed',
          counts,
          message: `webhooks: ${r.delivered} delivered, ${r.retried} to retry, ${r.failed} given up, ${r.deferred} deferred`,
        };
      },
    },
  ];
}

/**
 * Wraps a queue's handler registration so that after every other job (an order export, a stock or
 * balance sync…) a `webhooks.deliver` run is enqueued when a delivery is due: the events it wrote
 * go out at once instead of at the next scheduled run; the catalog changes the job made are turned
 * into product.* events first (`catalog-events.ts`). One indexed read per job; failures of the
 * check are logged and never fail the job.
 */
export function wakeDeliveriesAfterJobs(
  queue: HandlerRegistrar & JobEnqueuer,
  deps: { db: Kysely<Database>; clock: Clock; logger?: { warn(obj: object, msg?: string): void } },
): HandlerRegistrar {
  const repo = new PlatformWebhookRepository(deps.db, deps.clock);
  const wake = async (): Promise<void> => {
    try {
      // E1: catalog changes made by the job become product.* events first.
      await announceCatalogChanges(deps.db, deps.clock);
      const due = await repo.nextDueAt();
      if (due !== null && Date.parse(due) <= deps.clock.nowMs()) await queue.enqueue({ kind: WEBHOOK_DELIVERY_KIND, trigger: 'schedule' });
    } catch (e) {
      deps.logger?.warn({ err: { message: errorMessage(e) } }, 'could not check for due platform webhooks');
    }
  };
  return {
    work: (kind, handler) =>
      queue.work(
        kind,
        kind === WEBHOOK_DELIVERY_KIND
          ? handler
          : async (ctx) => {
              try {
                return await handler(ctx);
              } finally {
                await wake();
              }
            },
      ),
  };
}
