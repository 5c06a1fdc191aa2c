/**
 * @module balance-sync
 * The `balance` job (R29–R30): for one integration, reads the MoySklad balance of every client
 * that was active and is due (not asked in the last 30 minutes) with ONE `POST report/counterparty`
 * for the whole set (the client splits above 1000), and stores it in `ms_balances`.
 *
 * Without the CRM option on the tariff (403/1043) or without the right to the report (403), the
 * integration's status says so (`status_code` `balance_no_crm` / `balance_forbidden`,
 * `status_message`), the integration log gets an error and every pending client row carries the
 * reason — the option never silently does nothing. A later successful read clears that status.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { AppError } from '../../core/errors.js';
import { isMoySkladError } from '../../moysklad/errors.js';
import { BalanceRepository } from '../../store/repositories/balance-repository.js';
import type { Database, IntegrationRow, SyncTrigger } from '../../store/schema.js';
import type { MoySkladClientPool } from '../client-pool.js';
import { loadIntegrationContext } from '../integration-context.js';
import { recordRun, type FinishedRun, type SyncRunDeps } from '../sync-run.js';
import { BALANCE_KIND, BALANCE_REFRESH_INTERVAL_MS } from './client-balance.js';

export interface BalanceSyncDeps {
  db: Kysely<Database>;
  clock: Clock;
  clients: MoySkladClientPool;
  runDeps: SyncRunDeps;
}

export const BALANCE_STATUS_CODES = ['balance_no_crm', 'balance_forbidden'] as const;

/** Messages shown in the integration's status and log. */
export const BALANCE_MESSAGES = {
  balance_no_crm:
    'Balance sync is on, but the MoySklad tariff has no CRM option: MoySklad refuses the counterparty report (403/1043). Turn on CRM in MoySklad or turn the balance option off. / Синхронизация баланса включена, но тариф МойСклад без опции CRM.',
  balance_forbidden:
    'Balance sync is on, but the MoySklad user has no right to the counterparty report (403). Give the user the right or use an admin login. / У пользователя МойСклад нет прав на отчёт по контрагентам.',
} as const;

export class BalanceSyncUnavailableError extends AppError {
  constructor(code: (typeof BALANCE_STATUS_CODES)[number], cause?: unknown) {
    super(code, BALANCE_MESSAGES[code], { status: 422, cause });
    this.name = 'BalanceSyncUnavailableError';
  }
}

interface DueClient {
  rowId: number;
  counterpartyId: number;
  msCounterpartyId: string | null;
}

/** Clients of the integration's region active since their last attempt and due (R30). */
async function dueClients(db: Kysely<Database>, integration: IntegrationRow, nowMs: number, only?: readonly number[]): Promise<DueClient[]> {
  const cutoff = new Date(nowMs - BALANCE_REFRESH_INTERVAL_MS).toISOString();
  let q = db
    .selectFrom('msBalances as b')
    .innerJoin('counterparties as c', 'c.id', 'b.counterpartyId')
    .leftJoin('counterpartyLinks as l', (j) => j.onRef('l.counterpartyId', '=', 'b.counterpartyId').onRef('l.msAccountId', '=', 'b.msAccountId'))
    .select(['b.id as rowId', 'b.counterpartyId', 'l.msCounterpartyId'])
    .where('b.msAccountId', '=', integration.msAccountId)
    .where('c.kind', '=', 'client')
    .where((eb) => {
      // The integration's own region; clients without a region (or of a region without an
      // integration) belong to the central region's integration (see integrationOfClient).
      const mine = eb('c.regionId', '=', integration.regionId);
      const regionHasIntegration = eb.exists(eb.selectFrom('integrations as oi').select('oi.id').whereRef('oi.regionId', '=', 'c.regionId'));
      const central = eb.exists(eb.selectFrom('regions as r').select('r.id').where('r.id', '=', integration.regionId).where('r.isCentral', '=', 1));
      return eb.or([mine, eb.and([central, eb.or([eb('c.regionId', 'is', null), eb.not(regionHasIntegration)])])]);
    })
    .where('b.lastActivityAt', 'is not', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('b.attemptedAt', 'is', null), eb.or([eb('b.readAt', 'is', null), eb('b.readAt', '<=', cutoff)])]),
        eb('b.attemptedAt', '<=', cutoff),
      ]),
    )
    // Only clients active since they were last asked (an idle client is not re-read every 30 min).
    .where((eb) => eb.or([eb('b.attemptedAt', 'is', null), eb('b.lastActivityAt', '>', eb.ref('b.attemptedAt'))]));
  if (only && only.length) q = q.where('b.counterpartyId', 'in', [...only]);
  const rows = await q.orderBy('b.id').execute();
  return rows.map((r) => ({ rowId: Number(r.rowId), counterpartyId: Number(r.counterpartyId), msCounterpartyId: r.msCounterpartyId ?? null }));
}

async function setIntegrationStatus(db: Kysely<Database>, clock: Clock, integration: IntegrationRow, code: string | null, message: string | null): Promise<void> {
  const isOurs = integration.statusCode !== null && (BALANCE_STATUS_CODES as readonly string[]).includes(integration.statusCode);
  if (code === null && !isOurs) return; // never clear another module's status
  await db
    .updateTable('integrations')
    .set({ statusCode: code, statusMessage: message, updatedAt: clock.now().toISOString() })
    .where('id', '=', integration.id)
    .execute();
}

/**
 * Runs one `balance` job for an integration. Returns the finished run; a MoySklad failure other
 * than no-CRM/forbidden is rethrown after being recorded (the queue retries transient ones).
 */
export async function refreshDueBalances(
  deps: BalanceSyncDeps,
  request: { integrationId: number; trigger: SyncTrigger; signal?: AbortSignal; counterpartyIds?: readonly number[] },
): Promise<FinishedRun> {
  const { db, clock } = deps;
  return recordRun(deps.runDeps, { kind: BALANCE_KIND, trigger: request.trigger, integrationId: request.integrationId }, async (run) => {
    const ctx = await loadIntegrationContext(db, deps.clients, request.integrationId);
    if (ctx.integration.balanceSyncEnabled !== 1) {
      return { status: 'ok', message: 'balance sync is off for this integration; nothing read' };
    }
    const now = clock.now();
    const due = await dueClients(db, ctx.integration, now.getTime(), request.counterpartyIds);
    if (due.length === 0) return { status: 'ok', message: 'no client is due' };
    const nowIso = now.toISOString();
    // Claim the attempt first: activity arriving meanwhile does not cause a second request (R30).
    for (let i = 0; i < due.length; i += 500) {
      await db.updateTable('msBalances').set({ attemptedAt: nowIso }).where('id', 'in', due.slice(i, i + 500).map((d) => d.rowId)).execute();
    }
    const unlinked = due.filter((d) => d.msCounterpartyId === null);
    if (unlinked.length) {
      run.count('unlinked', unlinked.length);
      for (let i = 0; i < unlinked.length; i += 500) {
        await db
          .updateTable('msBalances')
          .set({ lastError: 'the client is not linked to a MoySklad counterparty yet (it is linked on its first order export, R24)' })
          .where('id', 'in', unlinked.slice(i, i + 500).map((d) => d.rowId))
          .execute();
      }
      await run.log('warn', `${unlinked.length} active client(s) have no MoySklad counterparty yet; their balance cannot be read`, {
        counterpartyIds: unlinked.slice(0, 20).map((d) => d.counterpartyId),
      });
    }
    const linked = due.filter((d): d is DueClient & { msCounterpartyId: string } => d.msCounterpartyId !== null);
    if (linked.length === 0) return { status: 'partial', message: 'no due client is linked to MoySklad' };

    let rows;
    try {
      rows = await ctx.client.counterpartyReport(
        linked.map((d) => d.msCounterpartyId),
        request.signal,
      );
    } catch (e) {
      if (isMoySkladError(e) && e.status === 403) {
        const code = e.msCode === 1043 ? 'balance_no_crm' : 'balance_forbidden';
        await setIntegrationStatus(db, clock, ctx.integration, code, BALANCE_MESSAGES[code]);
        for (let i = 0; i < linked.length; i += 500) {
          await db.updateTable('msBalances').set({ lastError: BALANCE_MESSAGES[code] }).where('id', 'in', linked.slice(i, i + 500).map((d) => d.rowId)).execute();
        }
        throw new BalanceSyncUnavailableError(code, e);
      }
      throw e;
    }
    const byMsId = new Map(rows.map((r) => [r.counterparty.id, r]));
    let read = 0;
    let missing = 0;
    for (const d of linked) {
      const r = byMsId.get(d.msCounterpartyId);
      if (!r) {
        missing += 1;
        await db.updateTable('msBalances').set({ lastError: `MoySklad has no counterparty ${d.msCounterpartyId}` }).where('id', '=', d.rowId).execute();
        continue;
      }
      // E3: with a balance.updated event for the platform when it changed (same transaction).
      await new BalanceRepository(db, clock).storeMsBalanceRead(d.rowId, Math.round(r.balance), nowIso);
      read += 1;
    }
    run.count('read', read);
    if (missing) run.count('missing', missing);
    await setIntegrationStatus(db, clock, ctx.integration, null, null);
    return { status: missing || unlinked.length ? 'partial' : 'ok', message: `${read} balance(s) read with one report request` };
  });
}
