/** The category tree plan (R2, R21, R22), with whole expected values. */
import { describe, expect, it } from 'vitest';
import { countCategoryPlan, planCategoryTree, type FolderCategory, type TreeFolder } from './category-tree.js';

const folders: TreeFolder[] = [
  { id: 'brakes-pads', parentId: 'brakes', name: 'Колодки' },
  { id: 'auto', parentId: null, name: 'Автозапчасти' },
  { id: 'brakes', parentId: 'auto', name: 'Тормоза' },
  { id: 'oils', parentId: null, name: 'Масла' },
];

describe('planCategoryTree', () => {
  it('R2 creates every folder under the site category, parents before children', () => {
    expect(planCategoryTree({ folders, rootFolderId: null, siteCategoryId: 7, existing: [] })).toEqual({
      status: 'ok',
      steps: [
        { action: 'create', folderId: 'auto', name: 'Автозапчасти', parent: { kind: 'category', id: 7 } },
        { action: 'create', folderId: 'oils', name: 'Масла', parent: { kind: 'category', id: 7 } },
        { action: 'create', folderId: 'brakes', name: 'Тормоза', parent: { kind: 'created', folderId: 'auto' } },
        { action: 'create', folderId: 'brakes-pads', name: 'Колодки', parent: { kind: 'created', folderId: 'brakes' } },
      ],
      archive: [],
    });
  });

  it('R21 imports only the root subtree; the root is no category and its children go under the site category', () => {
    expect(planCategoryTree({ folders, rootFolderId: 'auto', siteCategoryId: null, existing: [] })).toEqual({
      status: 'ok',
      steps: [
        { action: 'create', folderId: 'brakes', name: 'Тормоза', parent: { kind: 'category', id: null } },
        { action: 'create', folderId: 'brakes-pads', name: 'Колодки', parent: { kind: 'created', folderId: 'brakes' } },
      ],
      archive: [],
    });
  });

  it('R2 keeps unchanged categories, renames, moves and un-archives the others, archives those whose folder is gone', () => {
    const existing: FolderCategory[] = [
      { id: 1, msFolderId: 'auto', name: 'Автозапчасти', parentId: null, archived: false },
      { id: 2, msFolderId: 'brakes', name: 'Тормоза (старое)', parentId: 1, archived: false },
      { id: 3, msFolderId: 'brakes-pads', name: 'Колодки', parentId: 1, archived: false },
      { id: 4, msFolderId: 'oils', name: 'Масла', parentId: null, archived: true },
      { id: 5, msFolderId: 'deleted', name: 'Удалённая', parentId: null, archived: false },
      { id: 6, msFolderId: 'deleted-long-ago', name: 'Давно удалённая', parentId: null, archived: true },
    ];
    const plan = planCategoryTree({ folders, rootFolderId: null, siteCategoryId: null, existing });
    expect(plan).toEqual({
      status: 'ok',
      steps: [
        { action: 'keep', categoryId: 1, folderId: 'auto' },
        { action: 'update', categoryId: 4, folderId: 'oils', name: 'Масла', parent: { kind: 'category', id: null } },
        { action: 'update', categoryId: 2, folderId: 'brakes', name: 'Тормоза', parent: { kind: 'category', id: 1 } },
        { action: 'update', categoryId: 3, folderId: 'brakes-pads', name: 'Колодки', parent: { kind: 'category', id: 2 } },
      ],
      archive: [5],
    });
    expect(plan.status === 'ok' && countCategoryPlan(plan)).toEqual({ created: 0, updated: 3, unchanged: 1, archived: 1 });
  });

  it('R21 archives the categories that left the root subtree and moves a new child under a new parent', () => {
    const existing: FolderCategory[] = [{ id: 9, msFolderId: 'oils', name: 'Масла', parentId: null, archived: false }];
    const moved: TreeFolder[] = [...folders, { id: 'discs', parentId: 'brakes', name: 'Диски' }];
    expect(planCategoryTree({ folders: moved, rootFolderId: 'auto', siteCategoryId: 3, existing })).toEqual({
      status: 'ok',
      steps: [
        { action: 'create', folderId: 'brakes', name: 'Тормоза', parent: { kind: 'category', id: 3 } },
        { action: 'create', folderId: 'brakes-pads', name: 'Колодки', parent: { kind: 'created', folderId: 'brakes' } },
        { action: 'create', folderId: 'discs', name: 'Диски', parent: { kind: 'created', folderId: 'brakes' } },
      ],
      archive: [9],
    });
  });

  it('R21 changes nothing when the root folder is gone', () => {
    expect(planCategoryTree({ folders, rootFolderId: 'gone', siteCategoryId: null, existing: [] })).toEqual({ status: 'root_missing', rootFolderId: 'gone' });
  });

  it('R2 leaves out a folder whose parent is not listed when a root is set, and a folder in a cycle', () => {
    const odd: TreeFolder[] = [
      { id: 'root', parentId: null, name: 'Корень' },
      { id: 'orphan', parentId: 'missing', name: 'Сирота' },
      { id: 'a', parentId: 'b', name: 'А' },
      { id: 'b', parentId: 'a', name: 'Б' },
      { id: 'child', parentId: 'root', name: 'Ребёнок' },
    ];
    expect(planCategoryTree({ folders: odd, rootFolderId: 'root', siteCategoryId: null, existing: [] })).toEqual({
      status: 'ok',
      steps: [{ action: 'create', folderId: 'child', name: 'Ребёнок', parent: { kind: 'category', id: null } }],
      archive: [],
    });
  });
});
