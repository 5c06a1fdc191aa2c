/**
 * @module job-target-repository
 * What the job queue needs to know of the product and integration tables, given to it as functions
 * (wired in `src/main.ts`): the credential a job uses (its lease key) and the targets of the schedules.
 * - `leaseKeyFor`: integration → MoySklad account, or price list → region → integration → account (B2: all
 *   jobs of one login share one lease `ms-account:<id>`);
 * - `scheduleTargets`: active integrations with their region's time zone (C14), bound price lists with a
 *   sync interval, and whether a platform webhook subscription is active (E3).
 */
import type { Db } from '../db.js';

/** The shape `src/queue/scheduler.ts` calls `ScheduleTargets`. */
export interface ScheduleTargetRows {
  integrations: Array<{ id: number; categorySync: boolean; balanceSync: boolean; timeZone: string }>;
  priceLists: Array<{ id: number; integrationId: number | null; syncIntervalMinutes: number; timeZone: string }>;
  webhookSubscriptions: boolean;
}

export class JobTargetRepository {
  constructor(private readonly db: Db) {}

  /** The lease key of the MoySklad account a job of this integration or price list uses, or undefined. */
  readonly leaseKeyFor = async (job: { integrationId: string | null; priceListId: string | null }): Promise<string | undefined> => {
    if (job.integrationId != null) {
      const row = await this.db.selectFrom('integrations').select('msAccountId').where('id', '=', Number(job.integrationId)).executeTakeFirst();
      if (row?.msAccountId != null) return `ms-account:${row.msAccountId}`;
    }
    if (job.priceListId != null) {
      const row = await this.db
        .selectFrom('priceLists')
        .innerJoin('integrations', 'integrations.regionId', 'priceLists.regionId')
        .select('integrations.msAccountId')
        .where('priceLists.id', '=', Number(job.priceListId))
        .executeTakeFirst();
      if (row?.msAccountId != null) return `ms-account:${row.msAccountId}`;
    }
    return undefined;
  };

  /** Active integrations and bound price lists with a sync interval, for the scheduler. */
  readonly scheduleTargets = async (): Promise<ScheduleTargetRows> => {
    const integrations = await this.db
      .selectFrom('integrations')
      .innerJoin('regions', 'regions.id', 'integrations.regionId')
      .select(['integrations.id as id', 'integrations.regionId as regionId', 'integrations.categorySyncEnabled as categorySyncEnabled', 'integrations.balanceSyncEnabled as balanceSyncEnabled', 'regions.timeZone as timeZone'])
      .where('integrations.active', '=', 1)
      .execute();
    const byRegion = new Map(integrations.map((i) => [i.regionId, i.id]));
    const priceLists = await this.db
      .selectFrom('priceLists')
      .innerJoin('regions', 'regions.id', 'priceLists.regionId')
      .select(['priceLists.id as id', 'priceLists.regionId as regionId', 'priceLists.syncIntervalMinutes as syncIntervalMinutes', 'regions.timeZone as timeZone'])
      .where('priceLists.syncIntervalMinutes', 'is not', null)
      .where('priceLists.msStoreId', 'is not', null)
      .execute();
    const webhook = await this.db.selectFrom('platformWebhooks').select('id').where('active', '=', 1).limit(1).executeTakeFirst();
    return {
      webhookSubscriptions: webhook !== undefined,
      integrations: integrations.map((i) => ({ id: i.id, categorySync: i.categorySyncEnabled === 1, balanceSync: i.balanceSyncEnabled === 1, timeZone: i.timeZone })),
      priceLists: priceLists.flatMap((p) =>
        p.syncIntervalMinutes != null && p.syncIntervalMinutes > 0
          ? [{ id: p.id, integrationId: byRegion.get(p.regionId) ?? null, syncIntervalMinutes: p.syncIntervalMinutes, timeZone: p.timeZone }]
          : [],
      ),
    };
  };
}
