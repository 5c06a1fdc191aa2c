/**
 * Helpers shared by the nomenclature, category and photo sync tests: run one sync kind for the
 * fixture's integration through the real registry runner, and read back the store.
 */
import type { SyncFixture } from '../helpers/sync-fixture.js';
import { createNomenclatureSyncKinds, type NomenclatureSyncKindsDeps } from '../../src/sync/nomenclature/nomenclature-sync-kinds.js';
import type { SyncKind, SyncOutcome, SyncProgress } from '../../src/sync/sync-registry.js';

export function kindsFor(fx: SyncFixture, options: NomenclatureSyncKindsDeps['options'] = {}): Map<string, SyncKind> {
  const kinds = createNomenclatureSyncKinds({ db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps, dataDir: fx.database.dataDir, options });
  return new Map(kinds.map((k) => [k.kind, k]));
}

export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: SyncProgress) => void;
  options?: NomenclatureSyncKindsDeps['options'];
}

export async function runKind(fx: SyncFixture, kind: string, opts: RunOptions = {}): Promise<SyncOutcome> {
  const k = kindsFor(fx, opts.options).get(kind);
  if (!k) throw new Error(`no kind ${kind}`);
  return k.runner({
    request: { kind, integrationId: fx.integrationId, trigger: 'manual' },
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
