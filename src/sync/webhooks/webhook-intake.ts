/**
 * @module webhook-intake
 * B3: what happens when MoySklad POSTs to `/hooks/moysklad/{key}?requestId=…`. MoySklad wants 200/204
 * within 1500 ms and re-sends the same requestId up to 3 times, so the intake only validates (zod),
 * deduplicates by requestId (`webhook_receipts`) and enqueues jobs; it never calls MoySklad. One
 * receiver per MoySklad account fans out to every ACTIVE integration (region) of that account:
 *
 * - product / variant / productfolder events → `nomenclature.incremental` per integration, plus
 *   `categories` for productfolder events when the integration syncs categories;
 * - a webhookstock notification → `stock.incremental` per bound price list of those integrations whose
 *   warehouse is affected (all bound price lists when the notification does not name stores; MoySklad's
 *   `reportUrl` normally does not).
 *
 * The queue merges a job into an already queued one of the same (kind, integration / price list), so a
 * burst of notifications costs one run. Events can be lost (MoySklad drops a notification after 4
 * failed tries): the scheduled incremental and nightly full syncs stay the reconciliation.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { EnqueueRequest, JobEnqueuer } from '../../queue/types.js';
import type { Database } from '../../store/schema.js';
import { WebhookReceiptRepository } from '../../store/repositories/webhook-receipt-repository.js';
import { accountByWebhookKey } from './webhook-keys.js';
import { parseNotification, storeIdsOf, type WebhookNotification } from './webhook-payload.js';

/** Entity types whose events start a nomenclature run. */
export const NOMENCLATURE_EVENT_TYPES: ReadonlySet<string> = new Set(['product', 'variant', 'productfolder']);

export interface WebhookIntakeDeps {
  db: Kysely<Database>;
  clock: Clock;
  enqueuer: JobEnqueuer;
  logger?: { info(obj: object, msg?: string): void; warn(obj: object, msg?: string): void };
}

export interface WebhookDelivery {
  key: string;
  requestId: string | null | undefined;
  body: unknown;
}

export type IntakeResult =
  | { status: 204; duplicate: boolean; enqueued: EnqueueRequest[] }
  | { status: 400 | 404; error: string };

const REQUEST_ID = /^[A-Za-z0-9-]{8,100}$/;

/** Handles one delivery. 404 unknown key, 400 bad requestId/body, 204 otherwise (a repeat enqueues nothing). */
export async function acceptWebhook(deps: WebhookIntakeDeps, delivery: WebhookDelivery): Promise<IntakeResult> {
  const msAccountId = await accountByWebhookKey(deps.db, delivery.key);
  if (msAccountId === undefined) return { status: 404, error: 'unknown webhook key' };
  if (!delivery.requestId || !REQUEST_ID.test(delivery.requestId)) return { status: 400, error: 'requestId is missing or malformed' };
  const notification = parseNotification(delivery.body);
  if (!notification) return { status: 400, error: 'not a MoySklad webhook or webhookstock notification' };

  const receipts = new WebhookReceiptRepository(deps.db, deps.clock);
  if (!(await receipts.recordOnce(delivery.requestId, msAccountId))) return { status: 204, duplicate: true, enqueued: [] };

  const requests = await fanOut(deps.db, msAccountId, notification, delivery.requestId);
  try {
    for (const r of requests) await deps.enqueuer.enqueue(r);
  } catch (e) {
    // Forget the receipt so that MoySklad's immediate retry (same requestId) is processed.
    await deps.db.deleteFrom('webhookReceipts').where('requestId', '=', delivery.requestId).execute().catch(() => undefined);
    throw e;
  }
  deps.logger?.info(
    { msAccountId, requestId: delivery.requestId, notification: notification.kind, jobs: requests.map((r) => `${r.kind}:${r.priceListId ?? r.integrationId ?? ''}`) },
    'MoySklad webhook accepted',
  );
  return { status: 204, duplicate: false, enqueued: requests };
}

/** The jobs one notification asks for (before the queue merges duplicates). */
export async function fanOut(db: Kysely<Database>, msAccountId: number, n: WebhookNotification, requestId: string): Promise<EnqueueRequest[]> {
  const integrations = await db
    .selectFrom('integrations')
    .select(['id', 'regionId', 'categorySyncEnabled'])
    .where('msAccountId', '=', msAccountId)
    .where('active', '=', 1)
    .orderBy('id')
    .execute();
  if (integrations.length === 0) return [];
  const trigger = 'webhook';
  const payload = { requestId };
  const out: EnqueueRequest[] = [];
  if (n.kind === 'entity') {
    const types = new Set(n.body.events.map((e) => e.meta.type));
    const nomenclature = [...types].some((t) => NOMENCLATURE_EVENT_TYPES.has(t));
    const folders = types.has('productfolder');
    for (const i of integrations) {
      const integrationId = Number(i.id);
      if (nomenclature) out.push({ kind: 'nomenclature.incremental', integrationId, trigger, payload });
      if (folders && i.categorySyncEnabled === 1) out.push({ kind: 'categories', integrationId, trigger, payload });
    }
    return out;
  }
  const stores = storeIdsOf(n.body);
  const regionToIntegration = new Map(integrations.map((i) => [Number(i.regionId), Number(i.id)]));
  const priceLists = await db
    .selectFrom('priceLists')
    .select(['id', 'regionId', 'msStoreId'])
    .where('regionId', 'in', [...regionToIntegration.keys()])
    .where('msStoreId', 'is not', null)
    .orderBy('id')
    .execute();
  for (const p of priceLists) {
    if (stores && !stores.includes(String(p.msStoreId))) continue;
    out.push({ kind: 'stock.incremental', priceListId: Number(p.id), integrationId: regionToIntegration.get(Number(p.regionId)) ?? null, trigger, payload });
  }
  return out;
}
