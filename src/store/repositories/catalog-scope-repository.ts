/**
 * @module catalog-scope-repository
 * C5/C8: what each integration's catalog holds. Products are stored per MoySklad account; an
 * integration (region) shows those whose folder lies in its root folder's subtree (all of them when
 * it has no root folder). The account's folder tree is kept in `ms_folders` with each folder's path
 * of ids (`/top/…/self/`, `src/domain/folder-tree.ts`), so "visible in integration I" is
 * `path like '%/<root>/%'` — computed when read, hence right at once for two integrations with
 * different roots on one account, and after a root folder is changed.
 *
 * A product's category is per integration too: the live category of its folder in that
 * integration's tree (`categories.integration_id`), or the integration's site category for a
 * product directly in the root folder (the root itself is not a category, R21).
 */
import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { folderPaths, subtreeIds, type FolderNode } from '../../domain/folder-tree.js';
import { chunk, nowIso } from '../database.js';
import { withTransaction, type Db } from '../db.js';
import type { Database } from '../schema.js';

/** One MoySklad folder as the sync read it. */
export interface FolderInput extends FolderNode {
  name: string;
  archived: boolean;
}

/** An integration's root folder (null = all folders). */
export interface IntegrationRoot {
  integrationId: number;
  msAccountId: number;
  rootFolderMsId: string | null;
  siteCategoryId: number | null;
}

/**
 * SQL condition "product `p` is visible in an integration with this root" (`p` = the products
 * alias). Null root: always true.
 */
export function visibleUnderRoot(eb: ExpressionBuilder<Database & { p: Database['products'] }, 'p'>, rootFolderMsId: string | null): Expression<SqlBool> {
  if (rootFolderMsId === null) return sql<SqlBool>`1 = 1`;
  return eb.exists(
    eb
      .selectFrom('msFolders as f')
      .select(sql`1`.as('one'))
      .whereRef('f.msAccountId', '=', 'p.msAccountId')
      .whereRef('f.msId', '=', 'p.msFolderId')
      .where('f.path', 'like', `%/${rootFolderMsId.replace(/[%_\\]/g, '')}/%`),
  );
}

/**
 * SQL condition "product `p` is visible in at least one integration of its account" (the shop's
 * catalog when no integration is named). Products of an account no integration uses (left from a
 * removed one) are not limited by any root folder.
 */
export function visibleInSomeIntegration(eb: ExpressionBuilder<Database & { p: Database['products'] }, 'p'>): Expression<SqlBool> {
  const shownBySome = eb.exists(
    eb
      .selectFrom('integrations as i')
      .select(sql`1`.as('one'))
      .whereRef('i.msAccountId', '=', 'p.msAccountId')
      .where((w) =>
        w.or([
          w('i.rootFolderMsId', 'is', null),
          w.exists(
            w
              .selectFrom('msFolders as f')
              .select(sql`1`.as('one'))
              .whereRef('f.msAccountId', '=', 'p.msAccountId')
              .whereRef('f.msId', '=', 'p.msFolderId')
              .where(sql<SqlBool>`f.path like '%/' || i.root_folder_ms_id || '/%'`),
          ),
        ]),
      ),
  );
  const noIntegration = eb.not(eb.exists(eb.selectFrom('integrations as i').select(sql`1`.as('one')).whereRef('i.msAccountId', '=', 'p.msAccountId')));
  return eb.or([shownBySome, noIntegration]);
}

export class CatalogScopeRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** The account's folder tree becomes exactly `folders` (paths recomputed). */
  async replaceFolders(msAccountId: number, folders: readonly FolderInput[]): Promise<void> {
    const paths = folderPaths(folders);
    const at = nowIso(this.clock);
    const rows = folders.map((f) => ({ msAccountId, msId: f.id, parentMsId: f.parentId, name: f.name, path: paths.get(f.id) ?? `/${f.id}/`, archived: f.archived ? (1 as const) : (0 as const), updatedAt: at }));
    await withTransaction(this.db, async (tx) => {
      const keep = new Set(rows.map((r) => r.msId));
      const old = await tx.selectFrom('msFolders').select('msId').where('msAccountId', '=', msAccountId).execute();
      const gone = old.map((r) => r.msId).filter((id) => !keep.has(id));
      for (const part of chunk(gone, 500)) await tx.deleteFrom('msFolders').where('msAccountId', '=', msAccountId).where('msId', 'in', part).execute();
      for (const part of chunk(rows, 500)) {
        await tx
          .insertInto('msFolders')
          .values(part)
          .onConflict((oc) =>
            oc.columns(['msAccountId', 'msId']).doUpdateSet((eb) => ({
              parentMsId: eb.ref('excluded.parentMsId'),
              name: eb.ref('excluded.name'),
              path: eb.ref('excluded.path'),
              archived: eb.ref('excluded.archived'),
              updatedAt: eb.ref('excluded.updatedAt'),
            })),
          )
          .execute();
      }
    });
  }

  /** Every integration of the account with its root folder and site category. */
  async roots(msAccountId: number): Promise<IntegrationRoot[]> {
    const rows = await this.db.selectFrom('integrations').select(['id', 'msAccountId', 'rootFolderMsId', 'siteCategoryId']).where('msAccountId', '=', msAccountId).orderBy('id').execute();
    return rows.map((r) => ({ integrationId: Number(r.id), msAccountId: Number(r.msAccountId), rootFolderMsId: r.rootFolderMsId, siteCategoryId: r.siteCategoryId === null ? null : Number(r.siteCategoryId) }));
  }

  /** The root of one integration. */
  async rootOf(integrationId: number): Promise<IntegrationRoot | null> {
    const r = await this.db.selectFrom('integrations').select(['id', 'msAccountId', 'rootFolderMsId', 'siteCategoryId']).where('id', '=', integrationId).executeTakeFirst();
    return r ? { integrationId: Number(r.id), msAccountId: Number(r.msAccountId), rootFolderMsId: r.rootFolderMsId, siteCategoryId: r.siteCategoryId === null ? null : Number(r.siteCategoryId) } : null;
  }

  /** The folder ids of the root's subtree (the root included), from the stored tree. */
  async subtree(msAccountId: number, rootFolderMsId: string): Promise<Set<string>> {
    const rows = await this.db.selectFrom('msFolders').select(['msId', 'path']).where('msAccountId', '=', msAccountId).execute();
    return subtreeIds(new Map(rows.map((r) => [r.msId, r.path])), rootFolderMsId);
  }

  /**
   * C5: the folders some integration of the account shows (the union of their subtrees), or null
   * when one of them has no root folder (every folder, and items without a folder, are shown).
   */
  async accountScope(msAccountId: number): Promise<Set<string> | null> {
    const roots = await this.roots(msAccountId);
    if (roots.length === 0 || roots.some((r) => r.rootFolderMsId === null)) return null;
    const rows = await this.db.selectFrom('msFolders').select(['msId', 'path']).where('msAccountId', '=', msAccountId).execute();
    const paths = new Map(rows.map((r) => [r.msId, r.path]));
    const out = new Set<string>();
    for (const r of roots) for (const id of subtreeIds(paths, r.rootFolderMsId as string)) out.add(id);
    return out;
  }

  /**
   * The category of each product in one integration: the live category of its folder in that
   * integration's tree, the site category for a product directly in the root folder, else null.
   */
  async categoriesIn(integration: IntegrationRoot, products: ReadonlyArray<{ id: number; msFolderId: string | null }>): Promise<Map<number, number | null>> {
    const folders = [...new Set(products.map((p) => p.msFolderId).filter((f): f is string => f !== null))];
    const byFolder = new Map<string, number>();
    for (const part of chunk(folders, 500)) {
      const rows = await this.db.selectFrom('categories').select(['id', 'msFolderId']).where('integrationId', '=', integration.integrationId).where('archived', '=', 0).where('msFolderId', 'in', part).execute();
      for (const r of rows) byFolder.set(r.msFolderId as string, Number(r.id));
    }
    const out = new Map<number, number | null>();
    for (const p of products) {
      if (p.msFolderId !== null && p.msFolderId === integration.rootFolderMsId) out.set(p.id, integration.siteCategoryId);
      else out.set(p.id, p.msFolderId === null ? null : (byFolder.get(p.msFolderId) ?? null));
    }
    return out;
  }

  /**
   * C8: each product's category in the named integration, else in the first integration (lowest
   * id) of its account that shows it; null when none shows it in a category.
   */
  async categoriesOfProducts(products: ReadonlyArray<{ id: number; msAccountId: number; msFolderId: string | null }>, integration?: IntegrationRoot): Promise<Map<number, number | null>> {
    const out = new Map<number, number | null>();
    for (const account of new Set(products.map((p) => p.msAccountId))) {
      const candidates = integration ? [integration] : await this.roots(account);
      const mine = products.filter((p) => p.msAccountId === account);
      for (const root of candidates) {
        const folders = root.rootFolderMsId === null ? null : await this.subtree(account, root.rootFolderMsId);
        const shown = mine.filter((p) => !out.has(p.id) && (folders === null || (p.msFolderId !== null && folders.has(p.msFolderId))));
        for (const [id, category] of await this.categoriesIn(root, shown)) if (category !== null || integration) out.set(id, category);
      }
    }
    return out;
  }
}
