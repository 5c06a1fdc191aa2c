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
import { countCategoryPlan, planCategoryTree } from '../../domain/category-tree.js';
import type { MoySkladClient } from '../../moysklad/client.js';
import { CategoryRepository } from '../../store/repositories/category-repository.js';
import type { Database } from '../../store/schema.js';
import type { SyncRun } from '../sync-run.js';
import { parentFolderOf, refreshFolderTree } from './folder-tree-sync.js';
import { logMsg } from '../../domain/log-messages.js';

export { CATEGORIES_KIND } from './kinds.js';

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

/** Reads the folders and the integration's categories, plans the tree (`planCategoryTree`) and applies the plan. */
export async function runCategorySync(deps: CategorySyncDeps, target: CategorySyncTarget, run: SyncRun, signal?: AbortSignal): Promise<CategorySyncResult> {
  const categories = new CategoryRepository(deps.db, deps.clock);
  const folders = (await refreshFolderTree(deps, target, signal)).filter((f) => f.archived !== true);
  let siteCategoryId = target.siteCategoryId;
  if (siteCategoryId !== null && !(await categories.find(siteCategoryId))) {
    await run.log('warn', `site category ${siteCategoryId} does not exist; folders are placed at the top level`, undefined, logMsg('site_category_missing', { category: String(siteCategoryId) }));
    siteCategoryId = null;
  }
  const existing = await categories.folderCategories(target.integrationId);
  const plan = planCategoryTree({
    folders: folders.map((f) => ({ id: f.id, parentId: parentFolderOf(f), name: f.name })),
    rootFolderId: target.rootFolderMsId,
    siteCategoryId,
    existing,
  });
  if (plan.status === 'root_missing') {
    return { status: 'failed', message: `root folder ${plan.rootFolderId} is not in MoySklad (deleted or archived); categories left unchanged`, created: 0, updated: 0, unchanged: 0, archived: 0 };
  }
  await categories.applyTreePlan(target, plan.steps, plan.archive);
  const result: CategorySyncResult = { status: 'ok', ...countCategoryPlan(plan) };
  for (const k of ['created', 'updated', 'unchanged', 'archived'] as const) if (result[k] > 0) run.count(k, result[k]);
  return result;
}
