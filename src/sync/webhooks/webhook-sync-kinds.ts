/**
 * @module webhook-sync-kinds
 * The `webhooks` registry kind (B3): reconciles the module's MoySklad webhooks — for the account of
 * `integrationId` when given (enqueued when an integration is activated or deactivated), else for
 * every account (nightly). Each run leaves a `sync_runs` record; refusals are data, not failures.
 * Also registers `nomenclature.deletions` (`webhook-deletion-kind.ts`), which the intake enqueues for
 * DELETE events.
 */
import { MsWebhookRepository } from '../../store/repositories/ms-webhook-repository.js';
import { WebhookReceiptRepository } from '../../store/repositories/webhook-receipt-repository.js';
import type { SyncTrigger } from '../../store/schema.js';
import type { SyncKind, SyncOutcome } from '../sync-registry.js';
import { recordRun, type SyncRunDeps } from '../sync-run.js';
import { ensureAllWebhooks, ensureWebhooks, type EnsureWebhooksResult, type WebhookRegistrationDeps } from './ensure-webhooks.js';
import { purgePendingDeletions } from './pending-deletions.js';
import { createDeletionSyncKind } from './webhook-deletion-kind.js';

export const WEBHOOKS_KIND = 'webhooks';

/** Delivery receipts are kept this long (MoySklad re-sends a requestId only within seconds). */
export const RECEIPT_RETENTION_MS = 2 * 24 * 3600_000;

export interface WebhookSyncDeps extends WebhookRegistrationDeps {
  runDeps: SyncRunDeps;
}

const TRIGGERS: ReadonlySet<string> = new Set(['schedule', 'manual', 'api', 'cli', 'webhook']);

export function createWebhookSyncKinds(deps: WebhookSyncDeps): SyncKind[] {
  return [
    {
      kind: WEBHOOKS_KIND,
      description: "Registers the module's MoySklad webhooks on accounts with an active integration, removes them when none is left (B3)",
      scope: 'global',
      runner: async (ctx): Promise<SyncOutcome> => {
        const integrationId = ctx.request.integrationId;
        const trigger = (TRIGGERS.has(ctx.request.trigger) ? ctx.request.trigger : 'manual') as SyncTrigger;
        const finished = await recordRun(deps.runDeps, { kind: WEBHOOKS_KIND, trigger, integrationId: integrationId ?? null }, async (run) => {
          let results: EnsureWebhooksResult[];
          if (integrationId !== undefined) {
            results = [await ensureWebhooks(deps, await new MsWebhookRepository(deps.db).msAccountOfIntegration(integrationId), ctx.signal)];
          } else {
            results = await ensureAllWebhooks(deps, ctx.signal);
            const cutoff = new Date(deps.clock.nowMs() - RECEIPT_RETENTION_MS).toISOString();
            run.count('receiptsPurged', await new WebhookReceiptRepository(deps.db, deps.clock).deleteOlderThan(cutoff));
            // DELETE ids whose check never ran (integration deactivated meanwhile): the nightly full pass has reconciled them.
            run.count('pendingDeletionsPurged', await purgePendingDeletions(deps, cutoff));
          }
          for (const r of results) {
            run.count(r.state);
            run.count('created', r.created);
            run.count('removed', r.removed);
          }
          const errors = results.filter((r) => r.state === 'error');
          const message = results.map((r) => `account ${r.msAccountId}: ${r.message}`).join('; ') || 'no MoySklad account needs webhooks';
          return { status: errors.length === 0 ? 'ok' : errors.length === results.length ? 'failed' : 'partial', message };
        });
        return { status: finished.status, counts: finished.counts, ...(finished.message ? { message: finished.message } : {}) };
      },
    },
    createDeletionSyncKind(deps),
  ];
}
