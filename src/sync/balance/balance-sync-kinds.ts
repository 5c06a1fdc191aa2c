/**
 * @module balance-sync-kinds
 * The `balance` registry kind (R29–R30): scoped to an integration; the queue merges every
 * activity-triggered request of that integration into one job, which drains all due clients.
 */
import { AppError } from '../../core/errors.js';
import type { SyncKind } from '../sync-registry.js';
import { runTriggerOf } from '../run-trigger.js';
import { refreshDueBalances, type BalanceSyncDeps } from './balance-sync.js';
import { BALANCE_KIND } from './client-balance.js';

export function createBalanceSyncKinds(deps: BalanceSyncDeps): SyncKind[] {
  return [
    {
      kind: BALANCE_KIND,
      description: 'Balances of active clients from MoySklad report/counterparty, one request per batch, at most every 30 min per client (R29, R30)',
      scope: 'integration',
      runner: async (ctx) => {
        const integrationId = ctx.request.integrationId;
        if (integrationId === undefined) throw new AppError('integration_required', 'balance needs an integration id', { status: 400 });
        const run = await refreshDueBalances(deps, { integrationId, trigger: runTriggerOf(ctx.request.trigger), signal: ctx.signal });
        return { status: run.status, counts: run.counts, ...(run.message ? { message: run.message } : {}) };
      },
    },
  ];
}
