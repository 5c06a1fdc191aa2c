/**
 * @module nomenclature-sync-kinds
 * The sync kinds of the catalogue, for the `SyncRegistry` (queue worker, CLI, API, quick start):
 * `nomenclature.full` (R17/R19), `nomenclature.incremental` (B3), `categories` (R2, R21–R23) and
 * `photos` (R1, R18). Each run is recorded with `recordRun` (counts, requests, duration, log).
 *
 * Photos have no schedule of their own: when the integration's photos option is on, a photo pass
 * (its own `photos` run record) follows every successful nomenclature run, so new and changed
 * products get their images within the same job. `photos` can also be triggered alone.
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { Database } from '../../store/schema.js';
import { CATEGORIES_KIND, runCategorySync } from '../categories/category-sync.js';
import type { MoySkladClientPool } from '../client-pool.js';
import { loadIntegrationContext, type IntegrationContext } from '../integration-context.js';
import { BlobStore } from '../photos/blob-store.js';
import { PHOTOS_KIND, runPhotoSync } from '../photos/photo-sync.js';
import type { SyncKind, SyncOutcome, SyncRunContext, SyncRunRequest } from '../sync-registry.js';
import { runTriggerOf } from '../run-trigger.js';
import { recordRun, type FinishedRun, type SyncRunDeps } from '../sync-run.js';
import { NOMENCLATURE_FULL, NOMENCLATURE_INCREMENTAL, runFullNomenclature, runIncrementalNomenclature, type NomenclatureOptions } from './nomenclature-sync.js';
import { logMsg } from '../../domain/log-messages.js';

export interface NomenclatureSyncKindsDeps {
  db: Kysely<Database>;
  clock: Clock;
  clients: MoySkladClientPool;
  /** Where runs are recorded and logged. */
  runDeps: SyncRunDeps;
  /** DATA_DIR: photos are stored under `<dataDir>/blobs`. */
  dataDir: string;
  /** Paging and overlap tuning (tests, benchmark). */
  options?: Pick<NomenclatureOptions, 'pageLimit' | 'overlapMs' | 'verifyBatch' | 'pagesInFlight'>;
}

const outcomeOf = (run: FinishedRun): SyncOutcome => {
  const o: SyncOutcome = { status: run.status, counts: { ...run.counts, requests: run.requests } };
  if (run.message !== null) o.message = run.message;
  return o;
};

function integrationIdOf(request: SyncRunRequest): number {
  if (request.integrationId === undefined) throw new Error(`${request.kind} needs an integration id`);
  return request.integrationId;
}

export function createNomenclatureSyncKinds(deps: NomenclatureSyncKindsDeps): SyncKind[] {
  const blobs = new BlobStore(deps.db, deps.clock, deps.dataDir);
  const core = { db: deps.db, clock: deps.clock };

  const photoPass = (ctx: IntegrationContext, rc: SyncRunContext): Promise<FinishedRun> =>
    recordRun(deps.runDeps, { kind: PHOTOS_KIND, trigger: runTriggerOf(rc.request.trigger), integrationId: ctx.integration.id }, async (run) => {
      if (ctx.integration.importPhotos !== 1) return { status: 'ok', message: 'photos option is off (R18): nothing imported' };
      const r = await runPhotoSync({ ...core, blobs }, { msAccountId: ctx.msAccount.id, client: ctx.client }, run, { signal: rc.signal, progress: rc.progress });
      return { status: r.failed > 0 ? 'partial' : 'ok', message: `${r.products} product(s) checked, ${r.downloaded} image(s) downloaded, ${r.removed} removed` };
    });

  const nomenclature = (kind: string, full: boolean) => async (rc: SyncRunContext): Promise<SyncOutcome> => {
    const ctx = await loadIntegrationContext(deps.db, deps.clients, integrationIdOf(rc.request));
    const target = { msAccountId: ctx.msAccount.id, client: ctx.client };
    const options: NomenclatureOptions = { ...deps.options, signal: rc.signal, progress: rc.progress };
    const finished = await recordRun(deps.runDeps, { kind, trigger: runTriggerOf(rc.request.trigger), integrationId: ctx.integration.id }, async (run) => {
      const r = full ? await runFullNomenclature(core, target, run, options) : await runIncrementalNomenclature(core, target, run, options);
      if (r.skipped > 0) await run.log('warn', `${r.skipped} product(s) not synced: see the data-quality report (B5)`, undefined, logMsg('products_skipped', { count: r.skipped }));
      return {
        status: 'ok',
        message: `${r.pages} page(s): ${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.skipped} skipped, ${r.archived} archived, ${r.deleted} deleted${r.handedOver ? `, ${r.handedOver} duplicate(s) handed over` : ''}${r.outsideRoot ? `, ${r.outsideRoot} outside the root folder(s)` : ''}${r.resumed ? ' (resumed from checkpoint)' : ''}`,
      };
    });
    if (finished.status === 'ok' && ctx.integration.importPhotos === 1) await photoPass(ctx, rc);
    return outcomeOf(finished);
  };

  return [
    {
      kind: NOMENCLATURE_FULL,
      description: 'Full nomenclature pass: every MoySklad product and variant into the product directory; infers deletions (R15–R17, R19)',
      scope: 'integration',
      firstRun: true,
      runner: nomenclature(NOMENCLATURE_FULL, true),
    },
    {
      kind: NOMENCLATURE_INCREMENTAL,
      description: 'Incremental nomenclature pass: only products changed since the cursor, checkpointed per page (B3)',
      scope: 'integration',
      runner: nomenclature(NOMENCLATURE_INCREMENTAL, false),
    },
    {
      kind: CATEGORIES_KIND,
      description: 'MoySklad product folders → site categories under the site category, limited to the root folder (R2, R21–R23)',
      scope: 'integration',
      firstRun: true,
      runner: async (rc) => {
        const ctx = await loadIntegrationContext(deps.db, deps.clients, integrationIdOf(rc.request));
        const finished = await recordRun(deps.runDeps, { kind: CATEGORIES_KIND, trigger: runTriggerOf(rc.request.trigger), integrationId: ctx.integration.id }, async (run) => {
          if (ctx.integration.categorySyncEnabled !== 1) return { status: 'ok', message: 'category sync is off (R23): nothing changed' };
          const r = await runCategorySync(
            core,
            { integrationId: ctx.integration.id, msAccountId: ctx.msAccount.id, client: ctx.client, rootFolderMsId: ctx.integration.rootFolderMsId, siteCategoryId: ctx.integration.siteCategoryId },
            run,
            rc.signal,
          );
          if (r.status === 'failed') await run.log('error', r.message ?? 'category sync failed', undefined, logMsg('category_sync_failed', { error: { text: r.message ?? '' } }));
          return {
            status: r.status,
            message: r.message ?? `${r.created} created, ${r.updated} updated, ${r.unchanged} unchanged, ${r.archived} archived`,
          };
        });
        return outcomeOf(finished);
      },
    },
    {
      kind: PHOTOS_KIND,
      description: 'Product images MoySklad → store, only for products changed since the last photo pass (R1, R18)',
      scope: 'integration',
      runner: async (rc) => {
        const ctx = await loadIntegrationContext(deps.db, deps.clients, integrationIdOf(rc.request));
        return outcomeOf(await photoPass(ctx, rc));
      },
    },
  ];
}
