/**
 * Category sync (R2, R21–R23) against the demo folder tree of parts.csv, on SQLite and PostgreSQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ref } from '../../src/emulator/index.js';
import type { DialectName } from '../../src/store/database.js';
import { postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { addIntegration, categoriesIn, lastRun, runKind } from './nomenclature-helpers.js';

const pgSkip = postgresUnavailableReason();
const fixtures: SyncFixture[] = [];
afterEach(async () => {
  while (fixtures.length) await fixtures.pop()?.dispose();
});

async function fixture(dialect: DialectName, integration: { categorySyncEnabled?: 0 | 1; rootFolderPath?: string; siteCategory?: string } = {}): Promise<SyncFixture> {
  const fx = await createSyncFixture({ dialect, emulator: { limits: false }, integration: { categorySyncEnabled: integration.categorySyncEnabled ?? 1 } });
  fixtures.push(fx);
  const now = fx.clock.now().toISOString();
  const patch: { rootFolderMsId?: string; siteCategoryId?: number } = {};
  if (integration.siteCategory) {
    const site = await fx.db
      .insertInto('categories')
      .values({ parentId: null, name: integration.siteCategory, msAccountId: null, msFolderId: null, archived: 0, createdAt: now, updatedAt: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    patch.siteCategoryId = site.id;
  }
  if (integration.rootFolderPath) patch.rootFolderMsId = folderId(fx, integration.rootFolderPath);
  if (Object.keys(patch).length) await fx.db.updateTable('integrations').set(patch).where('id', '=', fx.integrationId).execute();
  return fx;
}

/** The emulator folder id of a `A/B/C` path. */
function folderId(fx: SyncFixture, path: string): string {
  const a = fx.emulator.account('admin@demo');
  const f = a.folders.find((e) => a.folderFullPath(e.id) === path);
  if (!f) throw new Error(`no folder ${path}`);
  return f.id;
}

/** Store categories of one integration (default: the fixture's) as `path → row`, paths built from the store's own tree. */
async function tree(fx: SyncFixture, includeArchived = false, integrationId = fx.integrationId) {
  const rows = await fx.db.selectFrom('categories').selectAll().execute();
  const byId = new Map(rows.map((r) => [r.id, r]));
  const pathOf = (id: number): string => {
    const parts: string[] = [];
    let cur = byId.get(id);
    while (cur) {
      parts.unshift(cur.name);
      cur = cur.parentId === null ? undefined : byId.get(cur.parentId);
    }
    return parts.join('/');
  };
  return new Map(rows.filter((r) => r.msFolderId !== null && r.integrationId === integrationId && (includeArchived || r.archived === 0)).map((r) => [pathOf(r.id), r]));
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  const block = dialect === 'postgres' && pgSkip ? describe.skip : describe;
  block(`category sync (${dialect}${dialect === 'postgres' && pgSkip ? `, SKIPPED: ${pgSkip}` : ''})`, () => {
    it('R23 does nothing (and asks MoySklad nothing) while category sync is off', async () => {
      const fx = await fixture(dialect, { categorySyncEnabled: 0 });
      const out = await runKind(fx, 'categories');
      expect(out.status).toBe('ok');
      expect(out.message).toContain('off');
      expect((await lastRun(fx, 'categories')).requests).toBe(0);
      expect(await fx.db.selectFrom('categories').selectAll().execute()).toEqual([]);
    });

    it('R22 places the whole folder tree under the site category and puts products in their folder’s category', async () => {
      const fx = await fixture(dialect, { siteCategory: 'Каталог' });
      await runKind(fx, 'nomenclature.full');
      const out = await runKind(fx, 'categories');
      expect(out.status).toBe('ok');
      expect((await lastRun(fx, 'categories')).requests).toBe(1);
      const t = await tree(fx);
      const a = fx.emulator.account('admin@demo');
      expect(t.size).toBe(a.folders.length);
      for (const f of a.folders) expect(t.has(`Каталог/${a.folderFullPath(f.id)}`), a.folderFullPath(f.id)).toBe(true);
      // Every synced product sits in the category of its MoySklad folder.
      const oil = t.get('Каталог/Автозапчасти/Фильтры/Масляные');
      const cats = await categoriesIn(fx, fx.integrationId);
      const products = await fx.db.selectFrom('products').select(['msId', 'msFolderId']).where('syncState', '=', 'ok').execute();
      const inOil = products.filter((p) => p.msFolderId === folderId(fx, 'Автозапчасти/Фильтры/Масляные'));
      expect(inOil.length).toBeGreaterThan(10);
      expect(inOil.every((p) => cats.get(p.msId) === oil?.id)).toBe(true);
      expect(products.every((p) => cats.get(p.msId) !== null)).toBe(true);
      // A second run changes nothing.
      const again = await runKind(fx, 'categories');
      expect(again.counts).toMatchObject({ unchanged: a.folders.length });
      expect(again.counts?.created ?? 0).toBe(0);
    });

    it('R21 imports only the root folder subtree; the root folder itself is not a category, its children go under the site category', async () => {
      const fx = await fixture(dialect, { siteCategory: 'Запчасти', rootFolderPath: 'Автозапчасти' });
      await runKind(fx, 'categories');
      const t = await tree(fx);
      expect([...t.keys()].every((p) => p.startsWith('Запчасти/'))).toBe(true);
      expect(t.has('Запчасти/Фильтры/Масляные')).toBe(true);
      expect(t.has('Запчасти/Автозапчасти')).toBe(false);
      expect([...t.keys()].some((p) => p.includes('Масла и жидкости') || p.includes('Аксессуары'))).toBe(false);
      // Products come after: those outside the subtree have no category.
      await runKind(fx, 'nomenclature.full');
      const outside = folderId(fx, 'Масла и жидкости');
      const a = fx.emulator.account('admin@demo');
      const oilFolders = new Set(a.folders.filter((f) => a.folderFullPath(f.id).startsWith('Масла и жидкости')).map((f) => f.id));
      expect(oilFolders.has(outside)).toBe(true);
      const cats = await categoriesIn(fx, fx.integrationId);
      const rows = await fx.db.selectFrom('products').select(['msId', 'msFolderId']).where('syncState', '=', 'ok').execute();
      const oils = rows.filter((r) => r.msFolderId !== null && oilFolders.has(r.msFolderId));
      expect(oils.length).toBeGreaterThan(0);
      expect(oils.every((r) => cats.get(r.msId) === null)).toBe(true);
      expect(rows.filter((r) => cats.get(r.msId) !== null).length).toBeGreaterThan(1000);
    });

    it('R2 renames, moves and deletions in MoySklad follow (a deleted folder archives its category)', async () => {
      const fx = await fixture(dialect, { siteCategory: 'Каталог' });
      await runKind(fx, 'nomenclature.full');
      await runKind(fx, 'categories');
      const a = fx.emulator.account('admin@demo');
      const air = folderId(fx, 'Автозапчасти/Фильтры/Воздушные');
      const accessories = folderId(fx, 'Аксессуары');
      const leafUnderAccessories = a.folders.find((f) => a.folderFullPath(f.id).startsWith('Аксессуары/'));
      if (!leafUnderAccessories) throw new Error('demo has no folder under Аксессуары');
      const leafName = String(leafUnderAccessories.f.name);
      const filters = folderId(fx, 'Автозапчасти/Фильтры');
      a.updateEntity('productfolder', air, { name: 'Фильтры воздушные' });
      a.updateEntity('productfolder', leafUnderAccessories.id, { productFolder: ref('productfolder', filters) });
      const before = await tree(fx);
      const accessoriesCat = before.get('Каталог/Аксессуары');
      for (const p of a.listProducts().filter((e) => (e.f.productFolder as { $ref?: { id: string } } | undefined)?.$ref?.id === accessories)) {
        a.updateProduct(p.id, { folderId: filters });
      }
      a.deleteEntity('productfolder', accessories);

      const out = await runKind(fx, 'categories');
      // Аксессуары and the leaf still under it (its parent is gone) are archived.
      expect(out.counts).toMatchObject({ updated: 2, archived: 2 });
      const t = await tree(fx);
      expect(t.has('Каталог/Автозапчасти/Фильтры/Фильтры воздушные')).toBe(true);
      expect(t.has('Каталог/Автозапчасти/Фильтры/Воздушные')).toBe(false);
      expect(t.has(`Каталог/Автозапчасти/Фильтры/${leafName}`)).toBe(true);
      expect(t.has('Каталог/Аксессуары')).toBe(false);
      const archived = await fx.db.selectFrom('categories').selectAll().where('id', '=', accessoriesCat?.id ?? -1).executeTakeFirstOrThrow();
      expect(archived.archived).toBe(1);
      // The renamed category keeps its id, so the products in it stay attached.
      expect(t.get('Каталог/Автозапчасти/Фильтры/Фильтры воздушные')?.id).toBe(before.get('Каталог/Автозапчасти/Фильтры/Воздушные')?.id);
      // No product is in the archived category.
      const cats = await categoriesIn(fx, fx.integrationId);
      expect([...cats.values()].filter((c) => c === accessoriesCat?.id)).toEqual([]);
    });

    it('C8 two integrations on one MoySklad account keep their own trees, roots and site categories; neither archives nor moves the other’s', async () => {
      const fx = await fixture(dialect, { siteCategory: 'Москва', rootFolderPath: 'Автозапчасти' });
      const now = fx.clock.now().toISOString();
      const spbSite = await fx.db.insertInto('categories').values({ parentId: null, name: 'Петербург', msAccountId: null, msFolderId: null, archived: 0, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
      const spb = await addIntegration(fx, { code: 'spb', rootFolderMsId: folderId(fx, 'Масла и жидкости'), siteCategoryId: spbSite.id });
      await runKind(fx, 'nomenclature.full');
      await runKind(fx, 'categories');
      await runKind(fx, 'categories', { integrationId: spb });
      const moscow = await tree(fx);
      const petersburg = await tree(fx, false, spb);
      expect(moscow.size).toBeGreaterThan(5);
      expect(petersburg.size).toBeGreaterThan(0);
      expect([...moscow.keys()].every((p) => p.startsWith('Москва/'))).toBe(true);
      expect([...petersburg.keys()].every((p) => p.startsWith('Петербург/'))).toBe(true);
      expect(moscow.has('Москва/Фильтры/Масляные')).toBe(true);
      expect([...petersburg.keys()].some((p) => p.includes('Фильтры'))).toBe(false);

      // Running either again (in any order) leaves the other's tree exactly as it was.
      const snap = async () => (await fx.db.selectFrom('categories').selectAll().orderBy('id').execute()).map((r) => ({ ...r, updatedAt: undefined }));
      const before = await snap();
      await runKind(fx, 'categories', { integrationId: spb });
      await runKind(fx, 'categories');
      expect(await snap()).toEqual(before);

      // A product has a category in the integration whose subtree holds it, none in the other.
      const oilFolder = folderId(fx, 'Автозапчасти/Фильтры/Масляные');
      const a = fx.emulator.account('admin@demo');
      const liquids = new Set(a.folders.filter((f) => a.folderFullPath(f.id).startsWith('Масла и жидкости')).map((f) => f.id));
      const products = await fx.db.selectFrom('products').select(['msId', 'msFolderId']).where('syncState', '=', 'ok').execute();
      const catsMoscow = await categoriesIn(fx, fx.integrationId);
      const catsSpb = await categoriesIn(fx, spb);
      const filter = products.find((p) => p.msFolderId === oilFolder)!;
      expect(catsMoscow.get(filter.msId)).toBe(moscow.get('Москва/Фильтры/Масляные')?.id);
      expect(catsSpb.get(filter.msId)).toBeNull();
      const liquid = products.find((p) => p.msFolderId !== null && liquids.has(p.msFolderId) && p.msFolderId !== folderId(fx, 'Масла и жидкости'))!;
      expect(catsSpb.get(liquid.msId)).not.toBeNull();
      expect(catsMoscow.get(liquid.msId)).toBeNull();

      // Changing one integration's root archives ITS categories outside the new root only.
      await fx.db.updateTable('integrations').set({ rootFolderMsId: folderId(fx, 'Автозапчасти/Фильтры') }).where('id', '=', fx.integrationId).execute();
      const out = await runKind(fx, 'categories');
      expect(out.counts?.archived ?? 0).toBeGreaterThan(0);
      const moscowNow = await tree(fx);
      expect([...moscowNow.keys()].every((p) => p.startsWith('Москва/'))).toBe(true);
      expect(moscowNow.has('Москва/Масляные')).toBe(true);
      expect(await tree(fx, false, spb)).toEqual(petersburg);
    });
  });
}
