/**
 * Helpers shared by the nomenclature, category and photo sync tests: run one sync kind for the
 * fixture's integration through the real registry runner, and read back the store.
 */
import { CatalogScopeRepository } from '../../src/store/repositories/catalog-scope-repository.js';
import type { SyncFixture } from '../helpers/sync-fixture.js';
import { createNomenclatureSyncKinds, type NomenclatureSyncKindsDeps } from '../../src/sync/nomenclature/nomenclature-sync-kinds.js';
import type { SyncKind, SyncOutcome, SyncProgress } from '../../src/sync/sync-registry.js';

export function kindsFor(fx: SyncFixture, options: NomenclatureSyncKindsDeps['options'] = {}): Map<string, SyncKind> {
  const kinds = createNomenclatureSyncKinds({ db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps, dataDir: fx.database.dataDir, options });
  return new Map(kinds.map((k) => [k.kind, k]));
}

export interface RunOptions {
  /** Another integration than the fixture's (e.g. a second region on the same account). */
  integrationId?: number;
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  options?: NomenclatureSyncKindsDeps['options'];
}

export async function runKind(fx: SyncFixture, kind: string, opts: RunOptions = {}): Promise<SyncOutcome> {
  const k = kindsFor(fx, opts.options).get(kind);
  if (!k) throw new Error(`no kind ${kind}`);
  return k.runner({
    request: { kind: k.kind, integrationId: opts.integrationId ?? fx.integrationId, trigger: 'manual' },
    signal: opts.signal ?? new AbortController().signal,
    progress: (p) => opts.onProgress?.(p),
  });
}

/** The last sync_runs row of a kind. */
export async function lastRun(fx: SyncFixture, kind: string) {
  const row = await fx.db.selectFrom('syncRuns').selectAll().where('kind', '=', kind).orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
  return { ...row, counts: JSON.parse(row.counts) as Record<string, number> };
}

/** A comparable snapshot of the product directory and the data-quality report. */
export async function snapshot(fx: SyncFixture) {
  const products = await fx.db
    .selectFrom('products')
    .select(['msId', 'brand', 'article', 'articleNorm', 'code', 'name', 'archived', 'deleted', 'syncState', 'skipReason', 'msUpdated', 'msFolderId'])
    .orderBy('msId')
    .execute();
  const issues = await fx.db.selectFrom('dataQualityIssues').select(['msProductId', 'reason', 'code', 'article']).orderBy('msProductId').execute();
  return { products, issues };
}

/** A second region and integration on the fixture's MoySklad account (C8: two regions, one account). */
export async function addIntegration(fx: SyncFixture, values: { code: string; rootFolderMsId?: string | null; siteCategoryId?: number | null; categorySyncEnabled?: 0 | 1 }): Promise<number> {
  const now = fx.clock.now().toISOString();
  const region = await fx.db.insertInto('regions').values({ name: values.code, code: values.code, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
  const first = await fx.db.selectFrom('integrations').selectAll().where('id', '=', fx.integrationId).executeTakeFirstOrThrow();
  const row = await fx.db
    .insertInto('integrations')
    .values({
      regionId: region.id,
      msAccountId: fx.msAccountId,
      organizationMsId: first.organizationMsId,
      organizationName: first.organizationName,
      active: 1,
      status: 'ok',
      rootFolderMsId: values.rootFolderMsId ?? null,
      siteCategoryId: values.siteCategoryId ?? null,
      categorySyncEnabled: values.categorySyncEnabled ?? 1,
      defaultStoreMsId: null,
      statusCode: null,
      statusMessage: null,
      createdAt: now,
      updatedAt: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The category of every product (by MoySklad id) in one integration, as the catalog derives it (C8). */
export async function categoriesIn(fx: SyncFixture, integrationId: number): Promise<Map<string, number | null>> {
  const repo = new CatalogScopeRepository(fx.db, fx.clock);
  const root = await repo.rootOf(integrationId);
  if (!root) throw new Error(`no integration ${integrationId}`);
  const products = await fx.db.selectFrom('products').select(['id', 'msId', 'msFolderId']).where('msAccountId', '=', fx.msAccountId).where('syncState', '=', 'ok').execute();
  const byId = await repo.categoriesIn(root, products.map((p) => ({ id: Number(p.id), msFolderId: p.msFolderId })));
  return new Map(products.map((p) => [p.msId, byId.get(Number(p.id)) ?? null]));
}
