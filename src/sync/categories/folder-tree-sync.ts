/**
 * @module folder-tree-sync
 * C5: keeps the account's MoySklad folder tree (`ms_folders`) current — one request per 1000
 * folders, archived ones included — and tells the nomenclature writer which folders the account's
 * integrations show. Only accounts with an integration that has a root folder pay the request.
 */
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { MoySkladClient } from '../../moysklad/client.js';
import { idFromHref } from '../../moysklad/schemas/meta.js';
import type { MsProductFolder } from '../../moysklad/schemas/productfolder.js';
import { CatalogScopeRepository } from '../../store/repositories/catalog-scope-repository.js';
import type { Database } from '../../store/schema.js';

export interface FolderTreeDeps {
  db: Kysely<Database>;
  clock: Clock;
}

export const parentFolderOf = (f: MsProductFolder): string | null => (f.productFolder ? idFromHref(f.productFolder.meta.href) : null);

/** Reads every folder of the account (archived included) and stores the tree; returns the folders. */
export async function refreshFolderTree(deps: FolderTreeDeps, target: { msAccountId: number; client: MoySkladClient }, signal?: AbortSignal): Promise<MsProductFolder[]> {
  const folders = await target.client.productFolders(signal, { includeArchived: true });
  await new CatalogScopeRepository(deps.db, deps.clock).replaceFolders(
    target.msAccountId,
    folders.map((f) => ({ id: f.id, parentId: parentFolderOf(f), name: f.name, archived: f.archived === true })),
  );
  return folders;
}

/**
 * Before a nomenclature pass: when an integration of the account has a root folder, the folder tree
 * is refreshed (one request) and the union of the integrations' subtrees returned; otherwise null
 * (every item is shown by some integration) and nothing is asked.
 */
export async function nomenclatureScope(deps: FolderTreeDeps, target: { msAccountId: number; client: MoySkladClient }, signal?: AbortSignal): Promise<Set<string> | null> {
  const repo = new CatalogScopeRepository(deps.db, deps.clock);
  const roots = await repo.roots(target.msAccountId);
  if (!roots.some((r) => r.rootFolderMsId !== null)) return null;
  await refreshFolderTree(deps, target, signal);
  return repo.accountScope(target.msAccountId);
}

/** A short key of a scope (`all`, or a digest of the folder ids): a changed key means goods entered or left it. */
export function scopeKeyOf(scope: ReadonlySet<string> | null): string {
  if (scope === null) return 'all';
  const ids = [...scope].sort();
  return `${ids.length}:${createHash('sha256').update(ids.join(',')).digest('hex').slice(0, 16)}`;
}
