/**
 * @module first-syncs
 * The first syncs of an integration, in dependency order: categories before products (products
 * are placed in categories), products before stock (stock rows join products), photos last (many
 * downloads, nothing waits for them). The quick start runs them one after the other; activating an
 * integration in the admin panel enqueues them (`enqueueFirstSyncs`).
 */
import type { EnqueueRequest, JobEnqueuer } from '../queue/types.js';
import { CATEGORIES_KIND } from '../sync/categories/kinds.js';
import type { JobKind } from '../sync/job-kinds.js';
import { PHOTOS_KIND } from '../sync/photos/kinds.js';
import type { SyncRegistry } from '../sync/sync-registry.js';

export function firstSyncRequests(syncs: SyncRegistry, integrationId: number, priceListIds: number[]): EnqueueRequest[] {
  const rank = (kind: JobKind): number => (kind === CATEGORIES_KIND ? 0 : kind.startsWith('nomenclature') ? 1 : kind === PHOTOS_KIND ? 3 : 2);
  const kinds = syncs.list().filter((k) => k.firstRun).sort((a, b) => rank(a.kind) - rank(b.kind) || (a.scope === b.scope ? 0 : a.scope === 'integration' ? -1 : 1));
  const out: EnqueueRequest[] = [];
  for (const k of kinds) {
    if (k.scope === 'integration') out.push({ kind: k.kind, integrationId, trigger: 'manual' });
    if (k.scope === 'price-list') for (const id of priceListIds) out.push({ kind: k.kind, integrationId, priceListId: id, trigger: 'manual' });
    if (k.scope === 'global') out.push({ kind: k.kind, trigger: 'manual' });
  }
  return out;
}

/** An integration just became active: its first syncs go to the queue (trigger `admin`); returns how many. */
export async function enqueueFirstSyncs(deps: { enqueuer: JobEnqueuer; syncs: SyncRegistry }, integrationId: number, priceListIds: number[]): Promise<number> {
  const requests = firstSyncRequests(deps.syncs, integrationId, priceListIds).filter((r) => r.integrationId !== undefined);
  for (const r of requests) await deps.enqueuer.enqueue({ ...r, trigger: 'admin' });
  return requests.length;
}
