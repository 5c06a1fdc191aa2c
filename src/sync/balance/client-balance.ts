/**
 * @module client-balance
 * The one place that decides which balance a client has (R29–R31), used by the REST API:
 *
 * - Option `balance_sync_enabled` OFF: the store's own calculation — the sum of the client's
 *   `balance_records` (kopecks).
 * - Option ON: MoySklad's figure stored in `ms_balances` (read by the `balance` sync). The store's
 *   own calculation is paused (not computed, not shown) and its records stay untouched; turning the
 *   option off resumes it from the same records.
 *
 * Sign convention (both sources, one figure, kopecks): MoySklad's `report/counterparty.balance`
 * as is — NEGATIVE = the client owes the shop (goods shipped, not paid); POSITIVE = the shop owes
 * the client (prepayment). The store's own ledger uses the same sign: a record of +N kopecks is a
 * payment/credit to the client, −N a charge.
 *
 * Activity (R30): when the platform reports a client active, or asks for the balance, a refresh is
 * requested if the stored value is older than 30 minutes and MoySklad was not asked for this
 * client in the last 30 minutes; requests of many clients merge into one `balance` job per
 * integration, which reads them all with ONE `POST report/counterparty`.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { JobEnqueuer } from '../../queue/types.js';
import { BalanceRepository } from '../../store/repositories/balance-repository.js';
import { IntegrationProblemRepository } from '../../store/repositories/integration-problem-repository.js';
import { IntegrationRepository } from '../../store/repositories/integration-repository.js';
import type { BalanceCardState, Database, IntegrationRow, MsBalanceRow } from '../../store/schema.js';

/** R30 */
export const BALANCE_REFRESH_INTERVAL_MS = 30 * 60_000;
export const BALANCE_KIND = 'balance';

export interface ClientBalanceDeps {
  db: Kysely<Database>;
  clock: Clock;
  enqueuer: JobEnqueuer;
}

export interface ClientBalance {
  clientId: number;
  /** Kopecks; null only while balance sync is on and MoySklad was not read yet for this client. */
  balanceKopecks: number | null;
  source: 'moysklad' | 'store';
  /** When MoySklad was read (source moysklad). */
  readAt: string | null;
  /** Why MoySklad's figure is missing or old (no CRM, no right, …), else null. */
  problem: string | null;
  /**
   * C12 the client's MoySklad card as the last balance read found it: `linked`; `none` — no card
   * («нет карточки в МойСклад»: a state, not an error; none is created for a balance); `ambiguous` —
   * several cards fit and none is guessed; null — not looked for yet (or source `store`).
   */
  card: BalanceCardState | null;
}

export interface ActivityOutcome {
  clientId: number;
  refreshQueued: boolean;
  jobId: string | null;
  reason: string;
}

/**
 * The integration serving a client: its region's; clients without a region (or whose region has
 * no integration) are served by the central region's. Undefined when there is none.
 */
export function integrationOfClient(deps: Pick<ClientBalanceDeps, 'db' | 'clock'>, regionId: number | null): Promise<IntegrationRow | undefined> {
  return new IntegrationRepository(deps.db, deps.clock).rowServingRegion(regionId);
}

/** The store's own balance calculation (R31): the sum of the client's balance records. */
export function ownBalance(deps: Pick<ClientBalanceDeps, 'db' | 'clock'>, counterpartyId: number): Promise<number> {
  return new BalanceRepository(deps.db, deps.clock).ledgerBalance(counterpartyId);
}

/** Whether MoySklad may be asked for this balance now (R30). */
export function isDue(row: Pick<MsBalanceRow, 'readAt' | 'attemptedAt'> | undefined, nowMs: number): boolean {
  if (!row) return true;
  const last = row.attemptedAt ?? row.readAt;
  return last === null || nowMs - Date.parse(last) >= BALANCE_REFRESH_INTERVAL_MS;
}

/** Balance sync is effective for this integration (option on and integration active). */
export const balanceSyncOn = (i: IntegrationRow | undefined): i is IntegrationRow => !!i && i.balanceSyncEnabled === 1 && i.active === 1;

async function msBalanceRow(deps: ClientBalanceDeps, counterpartyId: number, msAccountId: number): Promise<MsBalanceRow | undefined> {
  return (await new BalanceRepository(deps.db, deps.clock).getMsBalance(counterpartyId, msAccountId)) ?? undefined;
}

/** Marks a client active (R30) and queues a refresh when due. The client must exist (kind client). */
export async function recordClientActivity(deps: ClientBalanceDeps, client: { id: number; regionId: number | null }): Promise<ActivityOutcome> {
  const integration = await integrationOfClient(deps, client.regionId);
  if (!balanceSyncOn(integration)) {
    return { clientId: client.id, refreshQueued: false, jobId: null, reason: 'balance sync is off for this client' };
  }
  const now = deps.clock.now();
  const existing = await msBalanceRow(deps, client.id, integration.msAccountId);
  await new BalanceRepository(deps.db, deps.clock).markActive(client.id, integration.msAccountId, now.toISOString());
  if (!isDue(existing, now.getTime())) {
    return { clientId: client.id, refreshQueued: false, jobId: null, reason: 'balance was asked of MoySklad less than 30 minutes ago' };
  }
  // C10: MoySklad refused the balance job (no CRM, no right): it waits for the fix, not for every active client.
  if (await new IntegrationProblemRepository(deps.db, deps.clock).isBlocked(Number(integration.id), 'balance')) {
    return { clientId: client.id, refreshQueued: false, jobId: null, reason: 'MoySklad refused the balance report; it waits until the integration problem is fixed' };
  }
  // One job per integration drains every due client: concurrent activity merges into one request.
  const res = await deps.enqueuer.enqueue({ kind: BALANCE_KIND, integrationId: Number(integration.id), trigger: 'api', payload: { counterpartyId: client.id } });
  return { clientId: client.id, refreshQueued: true, jobId: res.jobId, reason: res.merged ? 'merged into a waiting refresh' : 'refresh queued' };
}

/**
 * The client's balance as the platform sees it — one figure (R29). With balance sync on, asking
 * counts as activity (R30) and may queue a refresh; the answer is the stored MoySklad figure.
 */
export async function readClientBalance(deps: ClientBalanceDeps, client: { id: number; regionId: number | null }): Promise<ClientBalance> {
  const integration = await integrationOfClient(deps, client.regionId);
  if (!balanceSyncOn(integration)) {
    return { clientId: client.id, balanceKopecks: await ownBalance(deps, client.id), source: 'store', readAt: null, problem: null, card: null };
  }
  await recordClientActivity(deps, client);
  const row = await msBalanceRow(deps, client.id, integration.msAccountId);
  const balanceKopecks = row?.balance === null || row?.balance === undefined ? null : Number(row.balance);
  const open = await new IntegrationProblemRepository(deps.db, deps.clock).find(Number(integration.id), 'balance');
  const problem = row?.lastError ?? open?.message ?? null;
  return { clientId: client.id, balanceKopecks, source: 'moysklad', readAt: row?.readAt ?? null, problem, card: row?.cardState ?? null };
}
