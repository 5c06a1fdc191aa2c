/**
 * @module folder-tree
 * C5/C8: MoySklad's folder tree as paths of ids. A folder's path lists the ids from its top folder
 * down to itself, `/top/…/self/`; "in the subtree of R" is then "the path contains `/R/`" — one
 * rule for the catalog, the price lists and the data-quality report of an integration, and cheap
 * in SQL (`path like '%/R/%'`).
 */

export interface FolderNode {
  id: string;
  /** The parent folder's id; null for a top folder. */
  parentId: string | null;
}

/**
 * The path of every folder. A parent missing from the list (deleted, or not listed) ends the path
 * there, as if the folder were at the top; a cycle (never produced by MoySklad) is cut the same way.
 */
export function folderPaths(folders: readonly FolderNode[]): Map<string, string> {
  const parentOf = new Map(folders.map((f) => [f.id, f.parentId]));
  const out = new Map<string, string>();
  const pathOf = (id: string): string => {
    const known = out.get(id);
    if (known !== undefined) return known;
    // Walk up iteratively (deep trees), then fill the paths top-down.
    const chain: string[] = [id];
    const seen = new Set(chain);
    let top = parentOf.get(id) ?? null;
    let prefix = '/';
    while (top !== null && parentOf.has(top) && !seen.has(top)) {
      const hit = out.get(top);
      if (hit !== undefined) {
        prefix = hit;
        break;
      }
      chain.push(top);
      seen.add(top);
      top = parentOf.get(top) ?? null;
    }
    for (let i = chain.length - 1; i >= 0; i--) {
      const f = chain[i] as string;
      prefix = `${prefix}${f}/`;
      out.set(f, prefix);
    }
    return out.get(id) as string;
  };
  for (const f of folders) pathOf(f.id);
  return out;
}

/** Whether a folder with this path is the root folder or lies under it. */
export function inSubtree(path: string | null | undefined, rootId: string): boolean {
  return path !== null && path !== undefined && path.includes(`/${rootId}/`);
}

/** The ids of the folders in the root's subtree (the root included). */
export function subtreeIds(paths: ReadonlyMap<string, string>, rootId: string): Set<string> {
  const out = new Set<string>();
  for (const [id, path] of paths) if (inSubtree(path, rootId)) out.add(id);
  return out;
}
