/**
 * @module category-sync
 * R2, R21–R23, C8: MoySklad product folders → the store's categories, per INTEGRATION: two
 * integrations (regions) on one MoySklad account each keep their own tree, under their own site
 * category and limited to their own root folder; neither archives nor moves the other's categories.
 *
 * - The folders become categories under the integration's site category (R22; none chosen =
 *   top level). With a root folder set (R21) only its subtree is imported, and the root folder
 *   itself is NOT a category: its children go directly under the site category.
 * - Renames and moves follow. A folder deleted or archived in MoySklad, or no longer in the
 *   chosen subtree, archives its category (never deletes it: store links stay valid); a folder
 *   that comes back is un-archived.
 * - Products are not written: a product's category in an integration is derived when read (its
 *   folder's category in that integration's tree, `CatalogScopeRepository.categoriesIn`).
 * One request per 1000 folders (`entity/productfolder`, archived included; it also refreshes the
 * account's folder tree `ms_folders` used for the integrations' goods, C5).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { MoySkladClient } from '../../moysklad/client.js';
import type { MsProductFolder } from '../../moysklad/schemas/productfolder.js';
import { chunk, nowIso } from '../../store/database.js';
import type { Database } from '../../store/schema.js';
import type { SyncRun } from '../sync-run.js';
import { parentFolderOf, refreshFolderTree } from './folder-tree-sync.js';

export const CATEGORIES_KIND = 'categories';

export interface CategorySyncDeps {
  db: Kysely<Database>;
  clock: Clock;
}

export interface CategorySyncTarget {
  /** C8: the integration whose tree this is. */
  integrationId: number;
  msAccountId: number;
  client: MoySkladClient;
  /** R21 root folder (MoySklad id) or null for all folders. */
  rootFolderMsId: string | null;
  /** R22 store category id under which the imported folders go, or null for the top level. */
  siteCategoryId: number | null;
}

export interface CategorySyncResult {
  status: 'ok' | 'failed';
  message?: string;
  created: number;
  updated: number;
  unchanged: number;
  archived: number;
}

const parentOf = (f: MsProductFolder): string | null => parentFolderOf(f);

export async function runCategorySync(deps: CategorySyncDeps, target: CategorySyncTarget, run: SyncRun, signal?: AbortSignal): Promise<CategorySyncResult> {
  const { db, clock } = deps;
  const result: CategorySyncResult = { status: 'ok', created: 0, updated: 0, unchanged: 0, archived: 0 };
  const folders = (await refreshFolderTree(deps, target, signal)).filter((f) => f.archived !== true);
  const byId = new Map(folders.map((f) => [f.id, f]));

  let siteCategoryId = target.siteCategoryId;
  if (siteCategoryId !== null) {
    const site = await db.selectFrom('categories').select('id').where('id', '=', siteCategoryId).executeTakeFirst();
    if (!site) {
      await run.log('warn', `site category ${siteCategoryId} does not exist; folders are placed at the top level`);
      siteCategoryId = null;
    }
  }
  const root = target.rootFolderMsId;
  if (root !== null && !byId.has(root)) {
    return { ...result, status: 'failed', message: `root folder ${root} is not in MoySklad (deleted or archived); categories left unchanged` };
  }

  // Depth of each folder below the import root; undefined = outside the imported subtree.
  const depth = new Map<string, number>();
  const depthOf = (id: string, guard = 0): number | undefined => {
    if (depth.has(id)) return depth.get(id);
    const f = byId.get(id);
    if (!f || guard > 100) return undefined;
    const p = parentOf(f);
    let d: number | undefined;
    if (root === null) d = p === null ? 0 : (() => { const pd = depthOf(p, guard + 1); return pd === undefined ? undefined : pd + 1; })();
    else if (id === root) d = undefined;
    else if (p === root) d = 0;
    else if (p === null) d = undefined;
    else {
      const pd = depthOf(p, guard + 1);
      d = pd === undefined ? undefined : pd + 1;
    }
    if (d !== undefined) depth.set(id, d);
    return d;
  };
  const inScope = folders.filter((f) => depthOf(f.id) !== undefined).sort((a, b) => (depth.get(a.id) ?? 0) - (depth.get(b.id) ?? 0));

  const existing = await db.selectFrom('categories').selectAll().where('integrationId', '=', target.integrationId).where('msFolderId', 'is not', null).execute();
  const byFolder = new Map(existing.map((c) => [c.msFolderId as string, c]));
  const catOf = new Map<string, number>();
  const at = nowIso(clock);
  await db.transaction().execute(async (tx) => {
    for (const f of inScope) {
      const p = parentOf(f);
      const parentId = p === null || p === root ? siteCategoryId : (catOf.get(p) ?? siteCategoryId);
      const prev = byFolder.get(f.id);
      if (!prev) {
        const ins = await tx
          .insertInto('categories')
          .values({ parentId, name: f.name, msAccountId: target.msAccountId, msFolderId: f.id, integrationId: target.integrationId, archived: 0, createdAt: at, updatedAt: at })
          .returning('id')
          .executeTakeFirstOrThrow();
        catOf.set(f.id, ins.id);
        result.created += 1;
      } else {
        catOf.set(f.id, prev.id);
        if (prev.name !== f.name || prev.parentId !== parentId || prev.archived !== 0) {
          await tx.updateTable('categories').set({ name: f.name, parentId, archived: 0, updatedAt: at }).where('id', '=', prev.id).execute();
          result.updated += 1;
        } else result.unchanged += 1;
      }
    }
    const gone = existing.filter((c) => c.archived === 0 && !catOf.has(c.msFolderId as string)).map((c) => c.id);
    for (const ids of chunk(gone, 1000)) {
      await tx.updateTable('categories').set({ archived: 1, updatedAt: at }).where('id', 'in', ids).execute();
    }
    result.archived = gone.length;
  });

  for (const k of ['created', 'updated', 'unchanged', 'archived'] as const) if (result[k] > 0) run.count(k, result[k]);
  return result;
}
