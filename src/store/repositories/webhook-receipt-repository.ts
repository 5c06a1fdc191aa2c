/**
 * @module webhook-receipt-repository
 * B3 webhook deduplication: a MoySklad request id is processed once.
 */
import type { Clock } from '../../core/clock.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';

export class WebhookReceiptRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** True the first time a request id is seen, false for a repeat. */
  async recordOnce(requestId: string, msAccountId: number | null = null): Promise<boolean> {
    const r = await this.db
      .insertInto('webhookReceipts')
      .values({ requestId, msAccountId, receivedAt: nowIso(this.clock) })
      .onConflict((oc) => oc.column('requestId').doNothing())
      .returning('id')
      .executeTakeFirst();
    return r !== undefined;
  }

  async deleteOlderThan(iso: string): Promise<number> {
    const r = await this.db.deleteFrom('webhookReceipts').where('receivedAt', '<', iso).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Forgets a request id (its processing failed; MoySklad's retry of the same id is then processed). */
  async forget(requestId: string): Promise<void> {
    await this.db.deleteFrom('webhookReceipts').where('requestId', '=', requestId).execute();
  }
}
