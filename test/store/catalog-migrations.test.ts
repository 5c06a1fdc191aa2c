/**
 * Migrations 0012–0014 on a database holding data written before them (C3, C5/C8, C7), on SQLite
 * (whose tables are rebuilt) and PostgreSQL: nothing is lost, ids and links stay, the new shapes hold.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../src/store/migrate.js';
import { migrations } from '../../src/store/migrations/index.js';
import { dialects, openTestDatabase, postgresUnavailableReason, type TestDatabase } from '../helpers/databases.js';

const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0012'));
const at = '2026-11-29T09:00:00.000Z';

for (const dialect of dialects) {
  const why = dialect === 'postgres' ? postgresUnavailableReason() : null;
  describe.skipIf(why !== null)(`catalog migrations 0012–0014 (${dialect})`, () => {
    let tdb: TestDatabase;
    const ids = { product: 0, folder: 0, site: 0, pl: 0, i1: 0, i2: 0, account: 0 };
    beforeAll(async () => {
      tdb = await openTestDatabase(dialect, { migrate: false });
      const { db } = tdb;
      await migrateToLatest(db, before);
      const region = await db.insertInto('regions').values({ name: 'Центр', code: 'c', createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow();
      const region2 = await db.insertInto('regions').values({ name: 'СПб', code: 's', createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow();
      const account = await db
        .insertInto('msAccounts')
        .values({ label: 'a', authKind: 'password', login: 'a', credentialKey: 'a', secretEnc: 'v1:x', baseUrl: 'http://ms', moyskladAccountId: null, createdAt: at, updatedAt: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      const integration = (regionId: number) => ({ regionId, msAccountId: account.id, organizationMsId: null, organizationName: null, rootFolderMsId: null, siteCategoryId: null, defaultStoreMsId: null, statusCode: null, statusMessage: null, createdAt: at, updatedAt: at });
      const i1 = await db.insertInto('integrations').values(integration(region.id)).returning('id').executeTakeFirstOrThrow();
      const i2 = await db.insertInto('integrations').values(integration(region2.id)).returning('id').executeTakeFirstOrThrow();
      const site = await db.insertInto('categories').values({ parentId: null, name: 'Каталог', msAccountId: null, msFolderId: null, archived: 0, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow();
      const folder = await db.insertInto('categories').values({ parentId: site.id, name: 'Фильтры', msAccountId: account.id, msFolderId: 'f-1', archived: 0, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow();
      await db.updateTable('integrations').set({ siteCategoryId: site.id }).where('id', '=', i1.id).execute();
      const product = await db
        .insertInto('products')
        .values({ msAccountId: account.id, msId: 'p-1', brand: 'MAHLE', brandNorm: 'MAHLE', article: 'ОС90', articleNorm: 'ОС90', code: 'MAHLE ОС90', name: 'Фильтр', description: null, categoryId: folder.id, msFolderId: 'f-1', msUpdated: null, skipReason: null, createdAt: at, updatedAt: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      const pl = await db.insertInto('priceLists').values({ regionId: region.id, name: 'PL', msStoreId: 's', priceTypeMsId: null, syncIntervalMinutes: null, deliveryDays: 0, lastSyncAt: null, stockCursor: null, createdAt: at, updatedAt: at }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('priceListRows').values({ priceListId: pl.id, generation: 0, productId: product.id, msProductId: 'p-1', brand: 'MAHLE', article: 'ОС90', articleNorm: 'ОС90', name: 'Фильтр', quantity: 3, price: 450_00 }).execute();
      Object.assign(ids, { product: product.id, folder: folder.id, site: site.id, pl: pl.id, i1: i1.id, i2: i2.id, account: account.id });
      await migrateToLatest(db);
    });
    afterAll(async () => tdb?.dispose());

    it('C3 price-list rows and their prices are kept; a price may now be empty; the new option is off', async () => {
      const { db } = tdb;
      expect(await db.selectFrom('priceListRows').select(['productId', 'price', 'quantity']).execute()).toEqual([{ productId: ids.product, price: 450_00, quantity: 3 }]);
      await db.insertInto('priceListRows').values({ priceListId: ids.pl, generation: 0, productId: null, msProductId: 'p-2', brand: 'B', article: 'A', articleNorm: 'A', name: 'n', quantity: 1, price: null }).execute();
      expect((await db.selectFrom('priceLists').select('publishWithoutPrice').executeTakeFirstOrThrow()).publishWithoutPrice).toBe(0);
      // The rebuilt table keeps its unique key and its foreign key.
      await expect(db.insertInto('priceListRows').values({ priceListId: ids.pl, generation: 0, productId: null, msProductId: 'p-2', brand: 'B', article: 'A', articleNorm: 'A', name: 'n', quantity: 1, price: 1 }).execute()).rejects.toThrow();
      await expect(db.insertInto('priceListRows').values({ priceListId: 999_999, generation: 0, productId: null, msProductId: 'p-3', brand: 'B', article: 'A', articleNorm: 'A', name: 'n', quantity: 1, price: 1 }).execute()).rejects.toThrow();
      await db.deleteFrom('priceListRows').where('msProductId', '=', 'p-2').execute();
    });

    it('C7 stored article keys are recomputed (Cyrillic look-alikes folded) and the spelling is kept', async () => {
      const { db } = tdb;
      expect(await db.selectFrom('products').select(['article', 'articleNorm']).execute()).toEqual([{ article: 'ОС90', articleNorm: 'OC90' }]);
      expect(await db.selectFrom('priceListRows').select(['article', 'articleNorm']).execute()).toEqual([{ article: 'ОС90', articleNorm: 'OC90' }]);
    });

    it('C8 folder categories go to the account’s first integration; a second integration may hold its own copy; links into the rebuilt table hold', async () => {
      const { db } = tdb;
      expect(await db.selectFrom('products').select(['categoryId', 'keyFromParent']).execute()).toEqual([{ categoryId: null, keyFromParent: 0 }]);
      expect(await db.selectFrom('categories').select(['id', 'parentId', 'integrationId', 'msFolderId']).orderBy('id').execute()).toEqual([
        { id: ids.site, parentId: null, integrationId: null, msFolderId: null },
        { id: ids.folder, parentId: ids.site, integrationId: ids.i1, msFolderId: 'f-1' },
      ]);
      await db.insertInto('categories').values({ parentId: null, name: 'Фильтры', msAccountId: ids.account, msFolderId: 'f-1', integrationId: ids.i2, archived: 0, createdAt: at, updatedAt: at }).execute();
      await expect(db.insertInto('categories').values({ parentId: null, name: 'x', msAccountId: ids.account, msFolderId: 'f-1', integrationId: ids.i2, archived: 0, createdAt: at, updatedAt: at }).execute()).rejects.toThrow();
      expect((await db.selectFrom('integrations').select('siteCategoryId').where('id', '=', ids.i1).executeTakeFirstOrThrow()).siteCategoryId).toBe(ids.site);
      await db.deleteFrom('integrations').where('id', '=', ids.i2).execute();
      expect((await db.selectFrom('categories').select('id').orderBy('id').execute()).map((r) => r.id)).toEqual([ids.site, ids.folder]);
      await expect(db.insertInto('categories').values({ parentId: 999_999, name: 'orphan', archived: 0, createdAt: at, updatedAt: at }).execute()).rejects.toThrow();
    });
  });
}
