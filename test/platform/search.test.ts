/**
 * E6 case-insensitive search for Cyrillic and Latin in the API, on SQLite (whose lower()/LIKE fold
 * ASCII only) and PostgreSQL: catalog products (after a real nomenclature pass), price-list rows
 * (after a real stock sync), clients and orders (created through the API). `%` and `_` in a query
 * match themselves.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { syncPriceListStock } from '../../src/sync/stock/index.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { runKind } from '../sync/nomenclature-helpers.js';
import { createPriceList } from '../sync/stock-fixture.js';
import { platformApi, type PlatformApi } from './api-client.js';

const CATALOG = [
  { code: 'LIQUI MOLY 7536', article: '7536', name: 'Масло моторное 5W-40' },
  { code: 'MOTUL 105777', article: '105777', name: 'МАСЛО ТРАНСМИССИОННОЕ' },
  { code: 'MAHLE OC 90', article: 'OC 90', name: 'Фильтр масляный' },
  { code: 'BOSCH 0 986 452 041', article: '0 986 452 041', name: 'Oil Filter' },
  { code: 'ВАЗ АБ-12Ca', article: 'АБ-12Ca', name: 'Щётка стеклоочистителя' },
  { code: 'TRIALLI 50%OFF', article: '50%OFF', name: 'Распродажа 50% масло' },
  { code: 'NGK A_B7', article: 'A_B7', name: 'Свеча зажигания' },
];

/** Names of the products a catalog search finds. */
async function found(api: PlatformApi, q: string): Promise<string[]> {
  const r = await api.call('GET', `/api/v1/catalog/products?limit=100&q=${encodeURIComponent(q)}`);
  expect(r.status).toBe(200);
  return (r.json.items as Array<{ name: string }>).map((i) => i.name).sort();
}

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`search (${dialect})`, () => {
    let fx: SyncFixture | undefined;
    afterEach(async () => {
      await fx?.dispose();
      fx = undefined;
    });

    async function catalog(): Promise<{ api: PlatformApi; ids: string[] }> {
      fx = await createSyncFixture({ dialect, emulator: { limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] } });
      const a = fx.emulator.account('admin@demo');
      // C3: a row without a price is left out of price lists, so every card gets one.
      const ids = CATALOG.map((p) => a.createProduct({ ...p, salePrice: 500_00 }).id);
      await runKind(fx, 'nomenclature.full');
      return { api: await platformApi(fx), ids };
    }

    it('E6 catalog products: «масло» and «МАСЛО» find «Масло моторное» and «МАСЛО ТРАНСМИССИОННОЕ», any case, ё as е', async () => {
      const { api } = await catalog();
      const oils = ['Масло моторное 5W-40', 'МАСЛО ТРАНСМИССИОННОЕ', 'Распродажа 50% масло'].sort();
      expect(await found(api, 'масло')).toEqual(oils);
      expect(await found(api, 'МАСЛО')).toEqual(oils);
      expect(await found(api, 'МаСлО мОтОрНоЕ')).toEqual(['Масло моторное 5W-40']);
      expect(await found(api, 'масляный')).toEqual(['Фильтр масляный']);
      expect(await found(api, 'OIL filter')).toEqual(['Oil Filter']);
      expect(await found(api, 'щетка')).toEqual(['Щётка стеклоочистителя']);
      expect(await found(api, 'ЩЁТКА')).toEqual(['Щётка стеклоочистителя']);
      expect(await found(api, 'liqui moly')).toEqual(['Масло моторное 5W-40']);
    });

    it('E6 catalog products: mixed Cyrillic/Latin articles in any case, and the normalized article still matches', async () => {
      const { api } = await catalog();
      expect(await found(api, 'аб-12ca')).toEqual(['Щётка стеклоочистителя']);
      expect(await found(api, 'АБ-12CA')).toEqual(['Щётка стеклоочистителя']);
      expect(await found(api, 'ваз аб')).toEqual(['Щётка стеклоочистителя']);
      expect(await found(api, 'oc90')).toEqual(['Фильтр масляный']);
      expect(await found(api, '0986452041')).toEqual(['Oil Filter']);
    });

    it('E6 LIKE metacharacters in a query are literal: «%» and «_» find only what contains them', async () => {
      const { api } = await catalog();
      expect(await found(api, '%')).toEqual(['Распродажа 50% масло']);
      expect(await found(api, '50%')).toEqual(['Распродажа 50% масло']);
      expect(await found(api, '_')).toEqual(['Свеча зажигания']);
      expect(await found(api, 'a_b')).toEqual(['Свеча зажигания']);
      expect(await found(api, '\\')).toEqual([]);
    });

    it('E6 price-list rows are searched the same way through their product', async () => {
      const { api, ids } = await catalog();
      const a = fx!.emulator.account('admin@demo');
      const store = a.stores[0]?.id ?? a.createEntity('store', { name: 'Основной склад' }).id;
      for (const id of ids) a.setStock(id, store, { stock: 3 });
      const pl = await createPriceList(fx!, { name: 'all', msStoreId: store });
      await syncPriceListStock({ db: fx!.db, clock: fx!.clock, clients: fx!.clients, runDeps: fx!.runDeps }, { priceListId: pl, mode: 'full', trigger: 'manual' });
      const rows = async (q: string) =>
        ((await api.call('GET', `/api/v1/price-lists/${pl}/rows?q=${encodeURIComponent(q)}`)).json.items as Array<{ name: string }>).map((r) => r.name).sort();
      expect(await rows('МАСЛО')).toEqual(['Масло моторное 5W-40', 'МАСЛО ТРАНСМИССИОННОЕ', 'Распродажа 50% масло'].sort());
      expect(await rows('щетка')).toEqual(['Щётка стеклоочистителя']);
      expect(await rows('аб-12CA')).toEqual(['Щётка стеклоочистителя']);
      expect(await rows('%')).toEqual(['Распродажа 50% масло']);
      expect((await api.call('GET', `/api/v1/price-lists/${pl}/rows?q=oc90`)).json.total).toBe(1);
    });

    it('E6 clients: «петров» and «Петров» find «Петров Пётр», also after a rename; orders by number and by their client', async () => {
      fx = await createSyncFixture({ dialect });
      const api = await platformApi(fx);
      const mk = async (externalId: string, name: string, extra: Record<string, string> = {}) =>
        (await api.call('POST', '/api/v1/clients', { externalId, name, regionId: fx!.regionId, ...extra })).json.id as number;
      const petrov = await mk('C-1', 'Петров Пётр Иванович', { email: 'Petrov@Example.ru' });
      await mk('C-2', 'ООО «Масло-Сервис»');
      await mk('C-3', 'Ivanov Auto');
      const clients = async (q: string) => ((await api.call('GET', `/api/v1/clients?q=${encodeURIComponent(q)}`)).json.items as Array<{ name: string }>).map((c) => c.name).sort();
      expect(await clients('петров')).toEqual(['Петров Пётр Иванович']);
      expect(await clients('Петров')).toEqual(['Петров Пётр Иванович']);
      expect(await clients('ПЁТР ИВАН')).toEqual(['Петров Пётр Иванович']);
      expect(await clients('петров иван')).toEqual([]);
      expect(await clients('IVANOV')).toEqual(['Ivanov Auto']);
      expect(await clients('petrov@')).toEqual(['Петров Пётр Иванович']);
      expect(await clients('масло-сервис')).toEqual(['ООО «Масло-Сервис»']);
      await api.call('PATCH', `/api/v1/clients/${petrov}`, { name: 'Сидоров Пётр' });
      expect(await clients('петров')).toEqual([]);
      expect(await clients('сидоров')).toEqual(['Сидоров Пётр']);
      expect(await clients('petrov@')).toEqual(['Сидоров Пётр']);

      const order = async (externalId: string, counterpartyId: number) =>
        (await api.call('POST', '/api/v1/orders', { kind: 'customer', externalId, regionId: fx!.regionId, counterpartyId, positions: [{ brand: 'MAHLE', article: 'OC 90', quantity: 1, priceKopecks: 100 }] })).status;
      expect(await order('ЗАК-77', petrov)).toBe(201);
      expect(await order('Z-78', (await api.call('GET', '/api/v1/clients?q=ivanov')).json.items[0].id)).toBe(201);
      const orders = async (q: string) => ((await api.call('GET', `/api/v1/orders?q=${encodeURIComponent(q)}`)).json.items as Array<{ externalId: string }>).map((o) => o.externalId).sort();
      expect(await orders('зак-77')).toEqual(['ЗАК-77']);
      expect(await orders('СИДОРОВ')).toEqual(['ЗАК-77']);
      expect(await orders('ivanov auto')).toEqual(['Z-78']);
      expect(await orders('z-7')).toEqual(['Z-78']);
    });
  });
}
