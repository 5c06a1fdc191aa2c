/**
 * @module category-repository
 * Site categories as a tree (R2, R21, R22). Folders imported from MoySklad are keyed by
 * (msAccountId, msFolderId); categories created on the store side have no folder id.
 */
import type { Clock } from '../../core/clock.js';
import { NotFoundError } from '../../core/errors.js';
import type { CategoryParent, CategoryStep, FolderCategory } from '../../domain/category-tree.js';
import { chunk, flag, nowIso } from '../database.js';
import { withTransaction, type Db } from '../db.js';
import type { CategoryRow } from '../schema.js';

export type Category = CategoryRow;

export interface CategoryInput {
  name: string;
  parentId?: number | null;
  msAccountId?: number | null;
  msFolderId?: string | null;
  archived?: boolean;
}

export class CategoryRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async list(options: { msAccountId?: number; includeArchived?: boolean } = {}): Promise<Category[]> {
    let q = this.db.selectFrom('categories').selectAll().orderBy('id');
    if (options.msAccountId !== undefined) q = q.where('msAccountId', '=', options.msAccountId);
    if (!options.includeArchived) q = q.where('archived', '=', 0);
    return q.execute();
  }

  async find(id: number): Promise<Category | null> {
    return (await this.db.selectFrom('categories').selectAll().where('id', '=', id).executeTakeFirst()) ?? null;
  }

  async get(id: number): Promise<Category> {
    const c = await this.find(id);
    if (!c) throw new NotFoundError('category', id);
    return c;
  }

  async create(input: CategoryInput): Promise<Category> {
    const at = nowIso(this.clock);
    return this.db
      .insertInto('categories')
      .values({
        name: input.name,
        parentId: input.parentId ?? null,
        msAccountId: input.msAccountId ?? null,
        msFolderId: input.msFolderId ?? null,
        archived: flag(input.archived),
        createdAt: at,
        updatedAt: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  }

  /** R2 Creates or updates the category of a MoySklad folder. */
  async upsertFolder(msAccountId: number, msFolderId: string, values: { name: string; parentId: number | null; archived?: boolean }): Promise<Category> {
    const at = nowIso(this.clock);
    const existing = await this.db
      .selectFrom('categories')
      .select('id')
      .where('msAccountId', '=', msAccountId)
      .where('msFolderId', '=', msFolderId)
      .executeTakeFirst();
    if (existing) {
      return this.db
        .updateTable('categories')
        .set({ name: values.name, parentId: values.parentId, archived: flag(values.archived), updatedAt: at })
        .where('id', '=', existing.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    }
    return this.create({ name: values.name, parentId: values.parentId, msAccountId, msFolderId, archived: values.archived ?? false });
  }

  /** Map msFolderId → category id for an account. */
  async idsByFolder(msAccountId: number): Promise<Map<string, number>> {
    const rows = await this.db
      .selectFrom('categories')
      .select(['id', 'msFolderId'])
      .where('msAccountId', '=', msAccountId)
      .where('msFolderId', 'is not', null)
      .execute();
    return new Map(rows.map((r) => [r.msFolderId as string, r.id]));
  }

  /** Archives the account's folder categories not in `keepFolderIds` (folder deleted or outside the root, R21). */
  async archiveFoldersExcept(msAccountId: number, keepFolderIds: readonly string[]): Promise<number> {
    let q = this.db
      .updateTable('categories')
      .set({ archived: 1, updatedAt: nowIso(this.clock) })
      .where('msAccountId', '=', msAccountId)
      .where('msFolderId', 'is not', null)
      .where('archived', '=', 0);
    if (keepFolderIds.length > 0) q = q.where('msFolderId', 'not in', [...keepFolderIds]);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  /** C8: the categories of an integration's folder tree (archived ones included). */
  async folderCategories(integrationId: number): Promise<FolderCategory[]> {
    const rows = await this.db.selectFrom('categories').selectAll().where('integrationId', '=', integrationId).where('msFolderId', 'is not', null).execute();
    return rows.map((c) => ({ id: c.id, msFolderId: c.msFolderId as string, name: c.name, parentId: c.parentId, archived: c.archived !== 0 }));
  }

  /** R2/C8: applies a category tree plan (`planCategoryTree`) of one integration in one transaction. */
  async applyTreePlan(target: { integrationId: number; msAccountId: number }, steps: readonly CategoryStep[], archive: readonly number[]): Promise<void> {
    const at = nowIso(this.clock);
    await withTransaction(this.db, async (tx) => {
      const created = new Map<string, number>();
      const parentIdOf = (parent: CategoryParent): number | null => (parent.kind === 'category' ? parent.id : (created.get(parent.folderId) ?? null));
      for (const step of steps) {
        if (step.action === 'create') {
          const ins = await tx
            .insertInto('categories')
            .values({ parentId: parentIdOf(step.parent), name: step.name, msAccountId: target.msAccountId, msFolderId: step.folderId, integrationId: target.integrationId, archived: 0, createdAt: at, updatedAt: at })
            .returning('id')
            .executeTakeFirstOrThrow();
          created.set(step.folderId, ins.id);
        } else if (step.action === 'update') {
          await tx.updateTable('categories').set({ name: step.name, parentId: parentIdOf(step.parent), archived: 0, updatedAt: at }).where('id', '=', step.categoryId).execute();
        }
      }
      for (const ids of chunk(archive, 1000)) {
        await tx.updateTable('categories').set({ archived: 1, updatedAt: at }).where('id', 'in', ids).execute();
      }
    });
  }
}
