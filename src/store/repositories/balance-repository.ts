/**
 * @module balance-repository
 * Client balances: the store's own ledger (kept, R31) and the balance read from MoySklad (R29, R30).
 */
import type { Clock } from '../../core/clock.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';
import { withTransaction } from '../db.js';
import { recordPlatformEvent } from './platform-event-recorder.js';
import type { BalanceRecordRow, MsBalanceRow } from '../schema.js';

export class BalanceRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

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

  /** Stores a balance read from MoySklad (kopecks) at the clock's now. */
  async saveMsBalance(counterpartyId: number, msAccountId: number, balance: number): Promise<MsBalanceRow> {
    const at = nowIso(this.clock);
    return this.db
      .insertInto('msBalances')
      .values({ counterpartyId, msAccountId, balance: Math.round(balance), readAt: at, lastActivityAt: null, lastError: null })
      .onConflict((oc) => oc.columns(['counterpartyId', 'msAccountId']).doUpdateSet({ balance: Math.round(balance), readAt: at, lastError: null }))
      .returningAll()
      .executeTakeFirstOrThrow();
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
    const at = nowIso(this.clock);
    await this.db
      .insertInto('msBalances')
      .values({ counterpartyId, msAccountId, balance: null, readAt: null, lastActivityAt: at, lastError: null })
      .onConflict((oc) => oc.columns(['counterpartyId', 'msAccountId']).doUpdateSet({ lastActivityAt: at }))
      .execute();
    const row = await this.getMsBalance(counterpartyId, msAccountId);
    if (!row?.readAt) return true;
    return this.clock.nowMs() - Date.parse(row.readAt) >= maxAgeMs;
  }

  /**
   * R29/E3 stores a balance read from MoySklad on its `ms_balances` row (`readAt` given, last error
   * cleared) and, in the same transaction, a `balance.updated` event when it differs from the one
   * read before. Returns whether it changed.
   */
  async storeMsBalanceRead(rowId: number, balance: number, readAt: string): Promise<boolean> {
    return withTransaction(this.db, async (tx) => {
      const prev = await tx
        .selectFrom('msBalances as b')
        .innerJoin('counterparties as c', 'c.id', 'b.counterpartyId')
        .select(['b.balance', 'b.counterpartyId', 'c.externalId'])
        .where('b.id', '=', rowId)
        .executeTakeFirst();
      await tx.updateTable('msBalances').set({ balance, readAt, lastError: null }).where('id', '=', rowId).execute();
      const previous = prev?.balance === null || prev?.balance === undefined ? null : Number(prev.balance);
      if (!prev || previous === balance) return false;
      await recordPlatformEvent(tx, this.clock, {
        type: 'balance.updated',
        data: { clientId: Number(prev.counterpartyId), externalId: prev.externalId, balanceKopecks: balance, previousKopecks: previous, readAt },
      });
      return true;
    });
  }
}
