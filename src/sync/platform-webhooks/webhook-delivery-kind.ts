/**
 * @module webhook-delivery-kind
 * E3 the `webhooks.deliver` registry kind: one run of `deliverDueWebhooks`. Global scope (no
 * integration, no price list), so the worker takes no MoySklad credential lease for it and the
 * queue runs one at a time (its merge key is `webhooks.deliver|global`). Fired by the scheduler
 * while an active subscription exists, and right after a job that queued deliveries (main.ts).
 */
import type { SyncKind, SyncOutcome } from '../sync-registry.js';
import { deliverDueWebhooks, type WebhookDeliveryDeps, type WebhookDeliveryOptions } from './webhook-delivery.js';

export const WEBHOOK_DELIVERY_KIND = 'webhooks.deliver';

export function createWebhookDeliveryKinds(deps: WebhookDeliveryDeps, options: Omit<WebhookDeliveryOptions, 'signal'> = {}): SyncKind[] {
  return [
    {
      kind: WEBHOOK_DELIVERY_KIND,
      description: "Sends the platform's signed webhooks that are due (orders, price lists, balances); retries with backoff for 24 h (E3)",
      scope: 'global',
      runner: async ({ signal }): Promise<SyncOutcome> => {
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
