/**
 * @module data-quality-repository
 * B5 the data-quality report: products that could not be synced, with the reason (one current
 * entry per MoySklad product).
 */
import type { Clock } from '../../core/clock.js';
import { chunk, nowIso } from '../database.js';
import type { Db } from '../db.js';

export interface DataQualityIssueInput {
  msProductId: string;
  code?: string | null;
  article?: string | null;
  name?: string | null;
  reason: string;
  message: string;
  /** E4: `product` or `variant` (which MoySklad web card the report links); default product. */
  msType?: 'product' | 'variant' | null;
}

export interface DataQualityPageQuery {
  reason?: string;
  limit: number;
  offset: number;
}

export class DataQualityRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async record(msAccountId: number, runId: number | null, issues: readonly DataQualityIssueInput[]): Promise<void> {
    const at = nowIso(this.clock);
    for (const part of chunk(issues, 500)) {
      await this.db
        .insertInto('dataQualityIssues')
        .values(
          part.map((i) => ({
            msAccountId,
            msProductId: i.msProductId,
            code: i.code ?? null,
            article: i.article ?? null,
            name: i.name ?? null,
            reason: i.reason,
            message: i.message,
            runId,
            detectedAt: at,
            msType: i.msType ?? null,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['msAccountId', 'msProductId']).doUpdateSet((eb) => ({
            code: eb.ref('excluded.code'),
            article: eb.ref('excluded.article'),
            name: eb.ref('excluded.name'),
            reason: eb.ref('excluded.reason'),
            message: eb.ref('excluded.message'),
            runId: eb.ref('excluded.runId'),
            detectedAt: eb.ref('excluded.detectedAt'),
            msType: eb.ref('excluded.msType'),
          })),
        )
        .execute();
    }
  }

  /** Products that synced fine again are no longer issues. */
  async resolve(msAccountId: number, msProductIds: readonly string[]): Promise<void> {
    for (const part of chunk(msProductIds, 1000)) {
      await this.db.deleteFrom('dataQualityIssues').where('msAccountId', '=', msAccountId).where('msProductId', 'in', part).execute();
    }
  }

  /** E4 the report as the API pages it: every account, newest first, optionally one reason. */
  async page(q: DataQualityPageQuery) {
    let base = this.db.selectFrom('dataQualityIssues');
    if (q.reason !== undefined) base = base.where('reason', '=', q.reason);
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const items = await base.selectAll().orderBy('detectedAt', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
    return { items, total: Number(total) };
  }

  async list(msAccountId: number, limit = 1000) {
    return this.db.selectFrom('dataQualityIssues').selectAll().where('msAccountId', '=', msAccountId).orderBy('id').limit(limit).execute();
  }
}
