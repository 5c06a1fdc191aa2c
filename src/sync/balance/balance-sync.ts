/**
 * @module balance-sync
 * The `balance` job (R29–R30, C12): for one integration, reads the MoySklad balance of EVERY client
 * that was active and is due (not asked in the last 30 minutes) with ONE `POST report/counterparty`
 * for the whole set (the client splits above 1000), and stores it in `ms_balances`.
 *
 * C12 a client never linked to a MoySklad counterparty (it has had no order yet) is matched at its
 * first balance read like an order export matches (R25: INN, then e-mail, then phone — same rules,
 * same requests): a unique match is linked and read; otherwise the client gets the state «нет
 * карточки в МойСклад» (`card_state` `none`, or `ambiguous` when several cards fit and none is
 * guessed) — a state, not an error. No card is ever created for a balance read.
 *
 * C10 without the CRM option (1043) or the right to the report (1016) the run fails with the
 * MoySklad refusal: `recordRun` shows the problem in the integration's status (what to change in
 * MoySklad) and the balance job waits; each client row carries the same sentence.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { PROBLEM_TEXT } from '../../domain/permission-problem.js';
import { BalanceRepository, type BalanceReadOutcome, type DueBalance } from '../../store/repositories/balance-repository.js';
import { CounterpartyRepository } from '../../store/repositories/counterparty-repository.js';
import type { Database, SyncTrigger } from '../../store/schema.js';
import type { MoySkladClientPool } from '../client-pool.js';
import { CounterpartyCache, matchAgainstMoySklad } from '../counterparties/counterparty-export.js';
import { loadIntegrationContext, type IntegrationContext } from '../integration-context.js';
import { problemOfError } from '../permission-problems.js';
import { recordRun, type FinishedRun, type SyncRun, type SyncRunDeps } from '../sync-run.js';
import { BALANCE_KIND, BALANCE_REFRESH_INTERVAL_MS } from './client-balance.js';
import { logMsg } from '../../domain/log-messages.js';

export interface BalanceSyncDeps {
  db: Kysely<Database>;
  clock: Clock;
  clients: MoySkladClientPool;
  runDeps: SyncRunDeps;
}

/** What the first balance read of never-linked clients found (C12). */
interface CardSearch {
  linked: Array<DueBalance & { msCounterpartyId: string }>;
  outcomes: BalanceReadOutcome[];
  counts: { matched: number; noCard: number; ambiguous: number };
}

/**
 * C12 matches each never-linked due client against MoySklad (R25 rules, read only): a unique match
 * is linked (`matched_by` inn/email/phone) and joins the read; otherwise the client has no card.
 */
async function findCards(deps: BalanceSyncDeps, ctx: IntegrationContext, due: DueBalance[]): Promise<CardSearch> {
  const repo = new CounterpartyRepository(deps.db, deps.clock);
  const msAccountId = Number(ctx.msAccount.id);
  const cache = new CounterpartyCache();
  const out: CardSearch = { linked: [], outcomes: [], counts: { matched: 0, noCard: 0, ambiguous: 0 } };
  for (const d of due) {
    const cp = await repo.get(d.counterpartyId);
    const decision = await matchAgainstMoySklad({ db: deps.db, clock: deps.clock, client: ctx.client, msAccountId }, cache, cp, await repo.phoneCountry(cp.regionId === null ? null : Number(cp.regionId)));
    if (decision.outcome === 'matched') {
      await repo.link(cp.id, msAccountId, decision.msId, decision.by);
      out.linked.push({ ...d, msCounterpartyId: decision.msId });
      out.counts.matched += 1;
    } else if (decision.outcome === 'ambiguous') {
      out.outcomes.push({ rowId: d.rowId, cardState: 'ambiguous', lastError: null });
      out.counts.ambiguous += 1;
    } else {
      out.outcomes.push({ rowId: d.rowId, cardState: 'none', lastError: null });
      out.counts.noCard += 1;
    }
  }
  return out;
}

async function logCards(run: SyncRun, search: CardSearch): Promise<void> {
  const { matched, noCard, ambiguous } = search.counts;
  if (matched) run.count('matched', matched);
  if (noCard) run.count('no_card', noCard);
  if (ambiguous) run.count('ambiguous', ambiguous);
  if (matched + noCard + ambiguous === 0) return;
  await run.log('info', `first balance read of ${matched + noCard + ambiguous} client(s) never linked: ${matched} matched and linked (R25), ${noCard} with no MoySklad card, ${ambiguous} with several fitting cards (none guessed, none created)`, {
    counts: search.counts,
  }, logMsg('balance_first_read', { matched, noCard, ambiguous }));
}

/**
 * Runs one `balance` job for an integration. Returns the finished run; a MoySklad failure is
 * rethrown after being recorded (the queue retries transient ones; C10 shows permission ones).
 */
export async function refreshDueBalances(
  deps: BalanceSyncDeps,
  request: { integrationId: number; trigger: SyncTrigger; signal?: AbortSignal; counterpartyIds?: readonly number[] },
): Promise<FinishedRun> {
  const { db, clock } = deps;
  const balances = new BalanceRepository(db, clock);
  return recordRun(deps.runDeps, { kind: BALANCE_KIND, trigger: request.trigger, integrationId: request.integrationId }, async (run) => {
    const ctx = await loadIntegrationContext(db, deps.clients, request.integrationId);
    if (ctx.integration.balanceSyncEnabled !== 1) {
      return { status: 'ok', message: 'balance sync is off for this integration; nothing read' };
    }
    const due = await balances.listDue(ctx.integration, clock.nowMs(), BALANCE_REFRESH_INTERVAL_MS, request.counterpartyIds);
    if (due.length === 0) return { status: 'ok', message: 'no client is due' };
    // Claim the attempt first: activity arriving meanwhile does not cause a second request (R30).
    await balances.claimAttempts(due.map((d) => d.rowId));
    const linked = due.filter((d): d is DueBalance & { msCounterpartyId: string } => d.msCounterpartyId !== null);
    const search = await findCards(deps, ctx, due.filter((d) => d.msCounterpartyId === null));
    await logCards(run, search);
    const toRead = [...linked, ...search.linked];
    if (toRead.length === 0) {
      await balances.applyReads(search.outcomes);
      return { status: 'ok', message: 'no due client has a MoySklad card' };
    }
    let rows;
    try {
      rows = await ctx.client.counterpartyReport(
        toRead.map((d) => d.msCounterpartyId),
        request.signal,
      );
    } catch (e) {
      const problem = problemOfError(e);
      if (problem) await balances.applyReads([...search.outcomes, ...toRead.map((d) => ({ rowId: d.rowId, cardState: 'linked' as const, lastError: PROBLEM_TEXT[problem.code].ru }))]);
      throw e;
    }
    const byMsId = new Map(rows.map((r) => [r.counterparty.id, r]));
    let missing = 0;
    const outcomes: BalanceReadOutcome[] = [...search.outcomes];
    for (const d of toRead) {
      const r = byMsId.get(d.msCounterpartyId);
      if (!r) {
        missing += 1;
        outcomes.push({ rowId: d.rowId, lastError: `MoySklad has no counterparty ${d.msCounterpartyId}` });
      } else outcomes.push({ rowId: d.rowId, balance: r.balance, cardState: 'linked', lastError: null });
    }
    await balances.applyReads(outcomes);
    const read = toRead.length - missing;
    run.count('read', read);
    if (missing) run.count('missing', missing);
    return { status: missing ? 'partial' : 'ok', message: `${read} balance(s) read with one report request` };
  });
}
