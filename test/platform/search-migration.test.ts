/**
 * E6 rows written before migration 0024 become searchable: the migration fills the search column
 * of existing products, counterparties and orders with the same fold the writers use.
 */
import { describe, expect, it } from 'vitest';
import { searchTextOf } from '../../src/domain/search-text.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { migrations } from '../../src/store/migrations/index.js';
import { dialects, openTestDatabase, postgresUnavailableReason } from '../helpers/databases.js';

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`search column migration (${dialect})`, () => {
    it('E6 migration 0024 folds the search column of existing products, clients and orders', async () => {
      const tdb = await openTestDatabase(dialect, { migrate: false });
      try {
        const before = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '0023'));
        await migrateToLatest(tdb.db, before);
        const now = '2026-11-29T09:00:00.000Z';
        const db = tdb.db as any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the schema before 0024 has no search_text
        const account = await db.insertInto('msAccounts').values({ label: 'a', authKind: 'password', login: 'a', credentialKey: 'a', secretEnc: 'v1:x', baseUrl: 'http://x', createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
        const region = await db.insertInto('regions').values({ name: 'Москва', code: 'msk', createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
        for (let i = 0; i < 1200; i++) {
          await db.insertInto('products').values({ msAccountId: account.id, msId: `p${i}`, brand: 'LIQUI MOLY', brandNorm: 'LIQUI MOLY', article: `${i}`, articleNorm: `${i}`, code: `LIQUI MOLY ${i}`, name: i === 1199 ? 'МАСЛО Моторное' : `Товар ${i}`, createdAt: now, updatedAt: now }).execute();
        }
        const cp = await db.insertInto('counterparties').values({ kind: 'client', externalId: 'C-1', regionId: region.id, name: 'Петров Пётр', email: 'P@x.ru', createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
        await db.insertInto('orders').values({ kind: 'customer', externalId: 'ЗАК-1', regionId: region.id, counterpartyId: cp.id, syncId: '00000000-0000-0000-0000-000000000001', createdAt: now, updatedAt: now }).execute();

        expect((await migrateToLatest(tdb.db)).applied).toContain('0024_search_text');
        const p = await tdb.db.selectFrom('products').select(['msId', 'searchText']).where('msId', 'in', ['p0', 'p1199']).orderBy('msId').execute();
        expect(p).toEqual([
          { msId: 'p0', searchText: 'товар 0 liqui moly 0' },
          { msId: 'p1199', searchText: searchTextOf('МАСЛО Моторное', 'LIQUI MOLY 1199', 'LIQUI MOLY', '1199') },
        ]);
        expect(await tdb.db.selectFrom('products').select('id').where('searchText', 'is', null).execute()).toEqual([]);
        expect((await tdb.db.selectFrom('counterparties').select('searchText').executeTakeFirstOrThrow()).searchText).toBe('петров петр p@x.ru');
        expect((await tdb.db.selectFrom('orders').select('searchText').executeTakeFirstOrThrow()).searchText).toBe('зак-1');
      } finally {
        await tdb.dispose();
      }
    });
  });
}
