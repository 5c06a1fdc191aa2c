/**
 * @module category-tree
 * R2, R21–R23, C8: the plan that turns an integration's MoySklad folders into its store categories —
 * which category to create, rename or move, which to keep and which to archive. Pure: the category
 * sync reads the folders and the categories, calls `planCategoryTree` and applies the plan.
 *
 * - The folders (archived ones already left out) become categories under the site category (R22;
 *   null = top level). With a root folder (R21) only its subtree is planned and the root itself is
 *   no category: its children go directly under the site category.
 * - Parents come before children in `steps`, so a new category's parent exists when it is created.
 * - A category whose folder is gone, archived or out of the subtree is archived (never deleted);
 *   one that comes back is un-archived by its `update` step.
 */

export interface TreeFolder {
  id: string;
  /** The parent folder's id; null for a top folder. */
  parentId: string | null;
  name: string;
}

/** An existing category of this integration that stands for a folder. */
export interface FolderCategory {
  id: number;
  msFolderId: string;
  name: string;
  parentId: number | null;
  archived: boolean;
}

/** A category's parent: an existing category (null = top level), or the category created for a folder earlier in the plan. */
export type CategoryParent = { kind: 'category'; id: number | null } | { kind: 'created'; folderId: string };

export type CategoryStep =
  | { action: 'create'; folderId: string; name: string; parent: CategoryParent }
  | { action: 'update'; categoryId: number; folderId: string; name: string; parent: CategoryParent }
  | { action: 'keep'; categoryId: number; folderId: string };

export type CategoryTreePlan =
  | { status: 'ok'; steps: CategoryStep[]; archive: number[] }
  /** The root folder is not among the folders (deleted or archived): nothing changes. */
  | { status: 'root_missing'; rootFolderId: string };

export interface CategoryTreeInput {
  /** The account's folders, archived ones left out. */
  folders: readonly TreeFolder[];
  /** R21 root folder or null for all folders. */
  rootFolderId: string | null;
  /** R22 category under which the folders go (an existing one), or null for the top level. */
  siteCategoryId: number | null;
  existing: readonly FolderCategory[];
}

/** Folders deeper than this below the import root are left out (a guard against a cycle). */
const MAX_DEPTH = 100;

export function planCategoryTree(input: CategoryTreeInput): CategoryTreePlan {
  const { folders, rootFolderId: root, siteCategoryId } = input;
  if (root !== null && !folders.some((f) => f.id === root)) return { status: 'root_missing', rootFolderId: root };
  const depth = depthsBelowRoot(folders, root);
  const inScope = folders.filter((f) => depth.has(f.id)).sort((a, b) => (depth.get(a.id) ?? 0) - (depth.get(b.id) ?? 0));
  const byFolder = new Map(input.existing.map((c) => [c.msFolderId, c]));
  const planned = new Map<string, CategoryParent>();
  const steps: CategoryStep[] = [];
  for (const f of inScope) {
    const p = f.parentId;
    const parent: CategoryParent = p === null || p === root ? { kind: 'category', id: siteCategoryId } : (planned.get(p) ?? { kind: 'category', id: siteCategoryId });
    const prev = byFolder.get(f.id);
    if (!prev) {
      steps.push({ action: 'create', folderId: f.id, name: f.name, parent });
      planned.set(f.id, { kind: 'created', folderId: f.id });
      continue;
    }
    planned.set(f.id, { kind: 'category', id: prev.id });
    const sameParent = parent.kind === 'category' && parent.id === prev.parentId;
    if (prev.name !== f.name || !sameParent || prev.archived) steps.push({ action: 'update', categoryId: prev.id, folderId: f.id, name: f.name, parent });
    else steps.push({ action: 'keep', categoryId: prev.id, folderId: f.id });
  }
  const archive = input.existing.filter((c) => !c.archived && !planned.has(c.msFolderId)).map((c) => c.id);
  return { status: 'ok', steps, archive };
}

/** Depth of each folder below the import root (0 = a child of the root, or a top folder without one); folders outside are absent. */
function depthsBelowRoot(folders: readonly TreeFolder[], root: string | null): Map<string, number> {
  const byId = new Map(folders.map((f) => [f.id, f]));
  const depth = new Map<string, number>();
  const depthOf = (id: string, guard: number): number | undefined => {
    if (depth.has(id)) return depth.get(id);
    const f = byId.get(id);
    if (!f || guard > MAX_DEPTH || id === root) return undefined;
    const p = f.parentId;
    let d: number | undefined;
    if (p === null) d = root === null ? 0 : undefined;
    else if (p === root) d = 0;
    else {
      const pd = depthOf(p, guard + 1);
      d = pd === undefined ? undefined : pd + 1;
    }
    if (d !== undefined) depth.set(id, d);
    return d;
  };
  for (const f of folders) depthOf(f.id, 0);
  return depth;
}

/** What a plan does, counted as the sync reports it. */
export function countCategoryPlan(plan: Extract<CategoryTreePlan, { status: 'ok' }>): { created: number; updated: number; unchanged: number; archived: number } {
  const count = (action: CategoryStep['action']): number => plan.steps.filter((s) => s.action === action).length;
  return { created: count('create'), updated: count('update'), unchanged: count('keep'), archived: plan.archive.length };
}
