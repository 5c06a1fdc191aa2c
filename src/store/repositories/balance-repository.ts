/**
 * @module balance-repository
 * Client balances: the store's own ledger (kept, R31) and the balance read from MoySklad (R29, R30).
 */
import type { Clock } from '../../core/clock.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';
import { withTransaction } from '../db.js';
import { recordPlatformEvent } from './platform-event-recorder.js';
import { searchTextContains } from '../search-filter.js';
import type { BalanceCardState, BalanceRecordRow, IntegrationRow, MsBalanceRow } from '../schema.js';

/** A client whose MoySklad balance is due (R30), with its link in the integration's account when it has one. */
export interface DueBalance {
  rowId: number;
  counterpartyId: number;
  msCounterpartyId: string | null;
}

/** C12 what one balance read found for one client (`BalanceRepository.applyReads`). */
export interface BalanceReadOutcome {
  rowId: number;
  /** The balance read now (kopecks); absent when none was read (no card, or an error). */
  balance?: number;
  /** The client's MoySklad card: linked, none («нет карточки в МойСклад»), ambiguous; absent = unchanged. */
  cardState?: BalanceCardState;
  /** Why no balance was read (null clears it). */
  lastError: string | null;
}

/** A client with what MoySklad's balance read knows of it (admin panel). */
export interface ClientBalanceView {
  counterpartyId: number;
  externalId: string;
  name: string;
  inn: string | null;
  email: string | null;
  phone: string | null;
  balance: number | null;
  readAt: string | null;
  cardState: BalanceCardState | null;
  lastError: string | null;
}

export class BalanceRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Clients, newest first, with their MoySklad balance rows (none until the first activity); `q` searches name, INN, e-mail, phone. */
  async listClients(options: { q?: string; limit: number; offset: number }): Promise<{ items: ClientBalanceView[]; total: number }> {
    let q = this.db.selectFrom('counterparties as c').leftJoin('msBalances as b', 'b.counterpartyId', 'c.id').where('c.kind', '=', 'client');
    // E6: name, INN, e-mail or phone in any case, Cyrillic and Latin alike (the folded search column).
    const text = searchTextContains('c.searchText', options.q);
    const digits = options.q?.replace(/\D+/g, '') ?? '';
    if (text) q = q.where((eb) => eb.or([text, ...(digits.length >= 3 ? [eb('c.innNorm', 'like', `%${digits}%`), eb('c.phoneNorm', 'like', `%${digits}%`)] : [])]));
    const { total } = await q.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const rows = await q
      .select(['c.id as counterpartyId', 'c.externalId', 'c.name', 'c.inn', 'c.email', 'c.phone', 'b.balance', 'b.readAt', 'b.cardState', 'b.lastError'])
      .orderBy('c.id', 'desc')
      .limit(options.limit)
      .offset(options.offset)
      .execute();
    return {
      total: Number(total),
      items: rows.map((r) => ({
        counterpartyId: Number(r.counterpartyId),
        externalId: r.externalId,
        name: r.name,
        inn: r.inn,
        email: r.email,
        phone: r.phone,
        balance: r.balance === null || r.balance === undefined ? null : Number(r.balance),
        readAt: r.readAt ?? null,
        cardState: r.cardState ?? null,
        lastError: r.lastError ?? null,
      })),
    };
  }

  async addRecord(counterpartyId: number, amount: number, kind: string, note: string | null = null): Promise<BalanceRecordRow> {
    return this.db
      .insertInto('balanceRecords')
      .values({ counterpartyId, amount: Math.round(amount), kind, note, createdAt: nowIso(this.clock) })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  async listRecords(counterpartyId: number, limit = 100): Promise<BalanceRecordRow[]> {
    return this.db.selectFrom('balanceRecords').selectAll().where('counterpartyId', '=', counterpartyId).orderBy('id', 'desc').limit(limit).execute();
  }

  /** The store's own balance: sum of the ledger (kopecks). */
  async ledgerBalance(counterpartyId: number): Promise<number> {
    const r = await this.db
      .selectFrom('balanceRecords')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount'), eb.lit(0)).as('total'))
      .where('counterpartyId', '=', counterpartyId)
      .executeTakeFirstOrThrow();
    return Number(r.total);
  }

  async getMsBalance(counterpartyId: number, msAccountId: number): Promise<MsBalanceRow | null> {
    return (
      (await this.db
        .selectFrom('msBalances')
        .selectAll()
        .where('counterpartyId', '=', counterpartyId)
        .where('msAccountId', '=', msAccountId)
        .executeTakeFirst()) ?? null
    );
  }

  /** Stores a balance read from MoySklad (kopecks) at the clock's now (through `applyReads`). */
  async saveMsBalance(counterpartyId: number, msAccountId: number, balance: number): Promise<MsBalanceRow> {
    await this.db
      .insertInto('msBalances')
      .values({ counterpartyId, msAccountId, balance: null, readAt: null, lastActivityAt: null, lastError: null })
      .onConflict((oc) => oc.columns(['counterpartyId', 'msAccountId']).doNothing())
      .execute();
    const row = (await this.getMsBalance(counterpartyId, msAccountId))!;
    await this.applyReads([{ rowId: row.id, balance, cardState: 'linked', lastError: null }]);
    return (await this.getMsBalance(counterpartyId, msAccountId))!;
  }

  /**
   * R29, C12 THE write of MoySklad balance reads (the one place a balance value changes): per client,
   * the balance read now (with its time), the card state and the reason when nothing was read. E3: a
   * balance that differs from the one read before is announced to the platform (`balance.updated`)
   * in the same transaction as its write.
   */
  async applyReads(outcomes: readonly BalanceReadOutcome[]): Promise<void> {
    const at = nowIso(this.clock);
    for (const o of outcomes) {
      const balance = o.balance === undefined ? undefined : Math.round(o.balance);
      const write = (db: Db) =>
        db
          .updateTable('msBalances')
          .set({
            ...(balance !== undefined ? { balance, readAt: at } : {}),
            ...(o.cardState !== undefined ? { cardState: o.cardState } : {}),
            lastError: o.lastError,
          })
          .where('id', '=', o.rowId)
          .execute();
      if (balance === undefined) {
        await write(this.db);
        continue;
      }
      await withTransaction(this.db, async (tx) => {
        const prev = await tx
          .selectFrom('msBalances as b')
          .innerJoin('counterparties as c', 'c.id', 'b.counterpartyId')
          .select(['b.balance', 'b.counterpartyId', 'c.externalId'])
          .where('b.id', '=', o.rowId)
          .executeTakeFirst();
        await write(tx);
        const previous = prev?.balance === null || prev?.balance === undefined ? null : Number(prev.balance);
        if (prev && previous !== balance) {
          await recordPlatformEvent(tx, this.clock, {
            type: 'balance.updated',
            data: { clientId: Number(prev.counterpartyId), externalId: prev.externalId, balanceKopecks: balance, previousKopecks: previous, readAt: at },
          });
        }
      });
    }
  }

  /** R30 marks MoySklad asked for these rows now (before the request: activity meanwhile does not ask twice). */
  async claimAttempts(rowIds: readonly number[]): Promise<void> {
    const at = nowIso(this.clock);
    for (let i = 0; i < rowIds.length; i += 500) {
      await this.db.updateTable('msBalances').set({ attemptedAt: at }).where('id', 'in', rowIds.slice(i, i + 500)).execute();
    }
  }

  /**
   * R30 the clients of an integration that were active since MoySklad was last asked and are due
   * (not asked for 30 minutes): its region's clients, and — for the central region's integration —
   * clients without a region or whose region has no integration.
   */
  async listDue(integration: Pick<IntegrationRow, 'regionId' | 'msAccountId'>, nowMs: number, intervalMs: number, only?: readonly number[]): Promise<DueBalance[]> {
    const cutoff = new Date(nowMs - intervalMs).toISOString();
    let q = this.db
      .selectFrom('msBalances as b')
      .innerJoin('counterparties as c', 'c.id', 'b.counterpartyId')
      .leftJoin('counterpartyLinks as l', (j) => j.onRef('l.counterpartyId', '=', 'b.counterpartyId').onRef('l.msAccountId', '=', 'b.msAccountId'))
      .select(['b.id as rowId', 'b.counterpartyId', 'l.msCounterpartyId'])
      .where('b.msAccountId', '=', integration.msAccountId)
      .where('c.kind', '=', 'client')
      .where((eb) => {
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

  async saveMsBalanceError(counterpartyId: number, msAccountId: number, error: string): Promise<void> {
    await this.db
      .insertInto('msBalances')
      .values({ counterpartyId, msAccountId, balance: null, readAt: null, lastActivityAt: null, lastError: error })
      .onConflict((oc) => oc.columns(['counterpartyId', 'msAccountId']).doUpdateSet({ lastError: error }))
      .execute();
  }

  /**
   * R30 Records client activity; returns true when the MoySklad balance is stale (never read, or
   * read more than `maxAgeMs` ago, default 30 minutes) and a refresh should be scheduled.
   */
  async touchActivity(counterpartyId: number, msAccountId: number, maxAgeMs = 30 * 60_000): Promise<boolean> {
    await this.markActive(counterpartyId, msAccountId, nowIso(this.clock));
    const row = await this.getMsBalance(counterpartyId, msAccountId);
    if (!row?.readAt) return true;
    return this.clock.nowMs() - Date.parse(row.readAt) >= maxAgeMs;
  }

  /** R30 Records that the client was active at `at` (creates the client's row when there is none). */
  async markActive(counterpartyId: number, msAccountId: number, at: string): Promise<void> {
    await this.db
      .insertInto('msBalances')
      .values({ counterpartyId, msAccountId, balance: null, readAt: null, lastActivityAt: at, lastError: null })
      .onConflict((oc) => oc.columns(['counterpartyId', 'msAccountId']).doUpdateSet({ lastActivityAt: at }))
      .execute();
  }
}
