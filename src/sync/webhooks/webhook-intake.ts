/**
 * @module webhook-intake
 * B3: what happens when MoySklad POSTs to `/hooks/moysklad/{key}?requestId=…`. MoySklad wants 200/204
 * within 1500 ms and re-sends the same requestId up to 3 times, so the intake only validates (zod),
 * deduplicates by requestId (`webhook_receipts`) and enqueues jobs; it never calls MoySklad. One
 * receiver per MoySklad account fans out to every ACTIVE integration (region) of that account:
 *
 * - product / variant CREATE / UPDATE and productfolder events → `nomenclature.incremental` per
 *   integration, plus `categories` for productfolder events when the integration syncs categories;
 * - product / variant DELETE events → their ids are recorded (`pending-deletions.ts`) and ONE
 *   `nomenclature.deletions` job for the account (on its first active integration) checks them by id
 *   against MoySklad; nothing is deleted on the event alone. Events naming another MoySklad account
 *   (`accountId` ≠ the account's known id) or without an entity id in `meta.href` are ignored;
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
import { MsWebhookRepository } from '../../store/repositories/ms-webhook-repository.js';
import { WebhookReceiptRepository } from '../../store/repositories/webhook-receipt-repository.js';
import { DELETABLE_TYPES, emptyCandidates, entityIdOfHref, type DeletableType, type DeletionCandidates } from '../nomenclature/deletion-check.js';
import { forgetPendingDeletions, hasCandidates, recordPendingDeletions } from './pending-deletions.js';
import { DELETIONS_KIND } from './webhook-deletion-kind.js';
import { accountByWebhookKey } from './webhook-keys.js';
import { parseNotification, storeIdsOf, type WebhookEvent, type WebhookNotification } from './webhook-payload.js';

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
  const deletion = requests.some((r) => r.kind === DELETIONS_KIND) && notification.kind === 'entity' ? await deletionCandidates(deps.db, msAccountId, notification.body.events) : undefined;
  try {
    // The ids first: the deletion job (maybe already running, then merged into) reads them from there.
    if (deletion) await recordPendingDeletions(deps, msAccountId, delivery.requestId, deletion);
    for (const r of requests) await deps.enqueuer.enqueue(r);
  } catch (e) {
    // Forget the receipt so that MoySklad's immediate retry (same requestId) is processed.
    await receipts.forget(delivery.requestId).catch(() => undefined);
    if (deletion) await forgetPendingDeletions(deps, msAccountId, delivery.requestId).catch(() => undefined);
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
  const hooks = new MsWebhookRepository(db);
  const integrations = await hooks.activeIntegrationsOfAccount(msAccountId);
  if (integrations.length === 0) return [];
  const trigger = 'webhook';
  const payload = { requestId };
  const out: EnqueueRequest[] = [];
  if (n.kind === 'entity') {
    const changes = n.body.events.filter((e) => !isItemDeletion(e));
    const types = new Set(changes.map((e) => e.meta.type));
    const nomenclature = [...types].some((t) => NOMENCLATURE_EVENT_TYPES.has(t));
    const folders = types.has('productfolder');
    for (const i of integrations) {
      const integrationId = Number(i.id);
      if (nomenclature) out.push({ kind: 'nomenclature.incremental', integrationId, trigger, payload });
      if (folders && i.categorySyncEnabled === 1) out.push({ kind: 'categories', integrationId, trigger, payload });
    }
    // The product directory is per MoySklad account: one check for all its integrations.
    if (hasCandidates(await deletionCandidates(db, msAccountId, n.body.events))) {
      out.push({ kind: DELETIONS_KIND, integrationId: Number(integrations[0]!.id), trigger, payload });
    }
    return out;
  }
  const stores = storeIdsOf(n.body);
  const regionToIntegration = new Map(integrations.map((i) => [Number(i.regionId), Number(i.id)]));
  const priceLists = await hooks.boundPriceLists([...regionToIntegration.keys()]);
  for (const p of priceLists) {
    if (stores && !stores.includes(String(p.msStoreId))) continue;
    out.push({ kind: 'stock.incremental', priceListId: Number(p.id), integrationId: regionToIntegration.get(Number(p.regionId)) ?? null, trigger, payload });
  }
  return out;
}

const isItemDeletion = (e: WebhookEvent): boolean => e.action === 'DELETE' && (DELETABLE_TYPES as readonly string[]).includes(e.meta.type);

/**
 * The product / variant ids of a notification's DELETE events. Events whose `accountId` is not this
 * account's MoySklad id (when known) and hrefs without an entity id are left out.
 */
export async function deletionCandidates(db: Kysely<Database>, msAccountId: number, events: readonly WebhookEvent[]): Promise<DeletionCandidates> {
  const out = emptyCandidates();
  const deletions = events.filter(isItemDeletion);
  if (deletions.length === 0) return out;
  const own = (await new MsWebhookRepository(db).moyskladAccountIdOf(msAccountId))?.toLowerCase() ?? null;
  const seen = new Set<string>();
  for (const e of deletions) {
    if (own !== null && e.accountId !== undefined && e.accountId.toLowerCase() !== own) continue;
    const type = e.meta.type as DeletableType;
    const id = entityIdOfHref(e.meta.href, type);
    if (id === undefined || seen.has(id)) continue;
    seen.add(id);
    out[type].push(id);
  }
  return out;
}
