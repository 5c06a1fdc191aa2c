/**
 * @module data-quality-repository
 * B5 the data-quality report: products that could not be synced, with the reason (one current
 * entry per MoySklad product), with the item's folder so that each integration sees the entries of
 * its root folder's subtree (C5).
 */
import { sql } from 'kysely';
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
  /** C5: the item's MoySklad folder (the report of an integration shows its subtree only). */
  msFolderId?: string | null;
}

export interface DataQualityPageQuery {
  reason?: string;
  /** C5/E4: only the entries this integration shows (its account, its root folder's subtree). */
  integration?: { msAccountId: number; rootFolderMsId: string | null };
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
            msFolderId: i.msFolderId ?? null,
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
            msFolderId: eb.ref('excluded.msFolderId'),
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

  /** After a full pass: the account's entries not reported again since it started (fixed or deleted products) go. */
  async resolveDetectedBefore(msAccountId: number, before: string): Promise<void> {
    await this.db.deleteFrom('dataQualityIssues').where('msAccountId', '=', msAccountId).where('detectedAt', '<', before).execute();
  }

  /** E4 the report as the API pages it: every account, newest first, optionally one reason. */
  async page(q: DataQualityPageQuery) {
    let base = this.db.selectFrom('dataQualityIssues');
    if (q.reason !== undefined) base = base.where('reason', '=', q.reason);
    if (q.integration) {
      const { msAccountId, rootFolderMsId } = q.integration;
      base = base.where('msAccountId', '=', msAccountId);
      if (rootFolderMsId !== null) {
        base = base.where((eb) =>
          eb.exists(
            eb
              .selectFrom('msFolders as f')
              .select(sql`1`.as('one'))
              .whereRef('f.msAccountId', '=', 'dataQualityIssues.msAccountId')
              .whereRef('f.msId', '=', 'dataQualityIssues.msFolderId')
              .where('f.path', 'like', `%/${rootFolderMsId.replace(/[%_\\]/g, '')}/%`),
          ),
        );
      }
    }
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    const items = await base.selectAll().orderBy('detectedAt', 'desc').orderBy('id', 'desc').limit(q.limit).offset(q.offset).execute();
    return { items, total: Number(total) };
  }

  /**
   * C5: entries per integration — those of its account whose item lies in its root folder's
   * subtree (all of them when it has no root folder).
   */
  async countsByIntegration(): Promise<Map<number, number>> {
    const r = await sql<{ integrationId: number | string; n: number | string }>`
      select i.id as "integrationId", count(d.id) as "n" from integrations i
      join data_quality_issues d on d.ms_account_id = i.ms_account_id
      where i.root_folder_ms_id is null or exists (select 1 from ms_folders f where f.ms_account_id = d.ms_account_id and f.ms_id = d.ms_folder_id
        and f.path like '%/' || i.root_folder_ms_id || '/%')
      group by i.id`.execute(this.db);
    return new Map(r.rows.map((x) => [Number(x.integrationId), Number(x.n)]));
  }

  async list(msAccountId: number, limit = 1000) {
    return this.db.selectFrom('dataQualityIssues').selectAll().where('msAccountId', '=', msAccountId).orderBy('id').limit(limit).execute();
  }
}
