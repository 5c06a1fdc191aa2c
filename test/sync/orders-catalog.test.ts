/**
 * Which MoySklad card an order line goes to (C1) and how a variant is ordered (C2), end to end on
 * SQLite and PostgreSQL: orders come in through the real REST API, the outbox drain exports them
 * over HTTP to the emulator, and the assertions read the emulator's orders.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { normalizeArticle } from '../../src/core/normalize.js';
import { ref } from '../../src/emulator/state/types.js';
import { PriceListRepository } from '../../src/store/repositories/price-list-repository.js';
import { syncPriceListStock } from '../../src/sync/stock/stock-sync.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { runKind } from './nomenclature-helpers.js';
import { ordersHarness, type OrdersHarness } from './orders-harness.js';
import { createPriceList, currentRows } from './stock-fixture.js';

const card = (id: string, brand: string, article: string) => ({ id, brand, article, name: `Фильтр ${brand} ${article}`, code: `${brand} ${article}` });

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  const block = skip ? describe.skip : describe;
  block(`order lines → cards (${dialect})${skip ? ` SKIPPED: PostgreSQL unreachable: ${skip}` : ''}`, () => {
    let h: OrdersHarness | undefined;
    afterEach(async () => {
      await h?.dispose();
      h = undefined;
    });

    it('C1 with both KNECHT OC90 and MAHLE OC90 synced, each line goes to the card of its own brand', async () => {
      h = await ordersHarness(dialect);
      const mahle = h.account.createProduct({ name: 'Фильтр MAHLE OC90', code: 'MAHLE OC90', article: 'OC90' });
      const knecht = h.account.createProduct({ name: 'Фильтр KNECHT OC 90', code: 'KNECHT OC 90', article: 'OC 90' });
      // MAHLE first: the old resolver took the oldest card of the synonym group for both lines.
      await h.knowProducts([card(mahle.id, 'MAHLE', 'OC90'), card(knecht.id, 'KNECHT', 'OC 90')]);
      const before = h.account.listProducts().length;
      const clientId = await h.client({ externalId: 'C1-1', email: 'c1@example.ru' });
      await h.order({
        externalId: 'W-C1-1',
        counterpartyId: clientId,
        positions: [
          { brand: 'KNECHT', article: 'OC90', quantity: 1, priceKopecks: 100 },
          { brand: 'Mahle', article: 'oc-90', quantity: 2, priceKopecks: 200 },
        ],
      });
      expect(await h.drain()).toMatchObject({ sent: 1, failed: 0 });
      expect(h.positionsOf(h.customerOrders()[0]!).map((p) => [p.productId, p.quantity])).toEqual([
        [knecht.id, 1],
        [mahle.id, 2],
      ]);
      expect(h.account.listProducts()).toHaveLength(before);
    });

    it('C1 cards not synced yet are found in MoySklad by article, and each line still gets its own brand', async () => {
      h = await ordersHarness(dialect);
      const mahle = h.account.createProduct({ name: 'Фильтр MAHLE OC90', code: 'MAHLE OC90', article: 'OC90' });
      const knecht = h.account.createProduct({ name: 'Фильтр KNECHT OC90', code: 'KNECHT OC90', article: 'OC90' });
      const clientId = await h.client({ externalId: 'C1-2', email: 'c1b@example.ru' });
      await h.order({
        externalId: 'W-C1-2',
        counterpartyId: clientId,
        positions: [
          { brand: 'KNECHT', article: 'OC90', quantity: 1, priceKopecks: 100 },
          { brand: 'MAHLE', article: 'OC90', quantity: 1, priceKopecks: 100 },
        ],
      });
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect(h.positionsOf(h.customerOrders()[0]!).map((p) => p.productId)).toEqual([knecht.id, mahle.id]);
      // both were remembered in the directory: the next order needs no MoySklad lookup
      const known = await h.fx.db.selectFrom('products').select(['msId', 'brand']).where('msId', 'in', [mahle.id, knecht.id]).orderBy('brand').execute();
      expect(known).toEqual([
        { msId: knecht.id, brand: 'KNECHT' },
        { msId: mahle.id, brand: 'MAHLE' },
      ]);
    });

    it('C1 with only MAHLE OC90 present, a KNECHT OC 90 line falls back to it through the brand synonyms (nothing created)', async () => {
      h = await ordersHarness(dialect);
      const mahle = h.account.createProduct({ name: 'Фильтр MAHLE OC90', code: 'MAHLE OC90', article: 'OC90' });
      await h.knowProducts([card(mahle.id, 'MAHLE', 'OC90')]);
      const before = h.account.listProducts().length;
      const clientId = await h.client({ externalId: 'C1-3', email: 'c1c@example.ru' });
      await h.order({ externalId: 'W-C1-3', counterpartyId: clientId, positions: [{ brand: 'KNECHT', article: 'OC 90', quantity: 1, priceKopecks: 100 }] });
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect(h.positionsOf(h.customerOrders()[0]!).map((p) => p.productId)).toEqual([mahle.id]);
      expect(h.account.listProducts()).toHaveLength(before);
    });

    it('C1 a line ordered from a price list goes to that row\'s card even when the directory holds another card of its brand and article', async () => {
      h = await ordersHarness(dialect);
      const first = h.account.createProduct({ name: 'Фильтр KNECHT OC90 (старая карточка)', code: 'KNECHT OC90', article: 'OC90' });
      const second = h.account.createProduct({ name: 'Фильтр KNECHT OC90', code: 'KNECHT OC-90', article: 'OC-90' });
      await h.knowProducts([card(first.id, 'KNECHT', 'OC90'), card(second.id, 'KNECHT', 'OC-90')]);
      const store = h.account.stores[0]!;
      const priceListId = await createPriceList(h.fx, { name: 'Склад', msStoreId: store.id });
      const product = await h.fx.db.selectFrom('products').select('id').where('msId', '=', second.id).executeTakeFirstOrThrow();
      await new PriceListRepository(h.fx.db, h.clock).replaceRows(priceListId, [
        { productId: Number(product.id), msProductId: second.id, brand: 'KNECHT', article: 'OC-90', articleNorm: normalizeArticle('OC-90'), name: 'Фильтр KNECHT OC90', quantity: 4, price: 100 },
      ]);
      const clientId = await h.client({ externalId: 'C1-4', email: 'c1d@example.ru' });
      await h.order({
        externalId: 'W-C1-4',
        counterpartyId: clientId,
        positions: [
          { brand: 'KNECHT', article: 'OC90', quantity: 1, priceKopecks: 100, priceListId },
          { brand: 'KNECHT', article: 'OC90', quantity: 1, priceKopecks: 100 },
        ],
      });
      expect(await h.drain()).toMatchObject({ sent: 1 });
      expect(h.positionsOf(h.customerOrders()[0]!).map((p) => p.productId)).toEqual([second.id, first.id]);
    });

    it('C2 variants catalogued with their parent\'s brand and article are told apart by the line\'s name and sent as variants', async () => {
      h = await ordersHarness(dialect, { products: 5 });
      const store = h.account.stores[0]!;
      const parent = h.account.createProduct({ name: 'Масло моторное', code: 'LIQUI MOLY 7536', article: '7536' });
      const variants = ['1 л', '4 л'].map((vol, i) =>
        h!.account.createEntity('variant', { name: `Масло моторное (${vol})`, code: `LIQUI MOLY 7536-${i + 1}`, archived: false, product: ref('product', parent.id), images: [] }),
      );
      // Rows as the nomenclature writes variants without their own article (C2): the parent's brand and article, their own name.
      const now = h.clock.now().toISOString();
      const rows = [
        { msId: parent.id, name: 'Масло моторное', kind: 'product' as const, parentMsId: null },
        ...variants.map((v) => ({ msId: v.id, name: String(v.f.name), kind: 'variant' as const, parentMsId: parent.id })),
      ];
      const ids: number[] = [];
      for (const r of rows) {
        const row = await h.fx.db
          .insertInto('products')
          .values({ msAccountId: h.fx.msAccountId, ...r, brand: 'LIQUI MOLY', brandNorm: 'LIQUI MOLY', article: '7536', articleNorm: '7536', code: null, description: null, categoryId: null, msFolderId: null, msUpdated: null, skipReason: null, createdAt: now, updatedAt: now })
          .returning('id')
          .executeTakeFirstOrThrow();
        ids.push(Number(row.id));
      }
      const priceListId = await createPriceList(h.fx, { name: 'Склад', msStoreId: store.id });
      await new PriceListRepository(h.fx.db, h.clock).replaceRows(
        priceListId,
        rows.map((r, i) => ({ productId: ids[i]!, msProductId: r.msId, brand: 'LIQUI MOLY', article: '7536', articleNorm: '7536', name: r.name, quantity: 5, price: 100 })),
      );
      const clientId = await h.client({ externalId: 'C2-2', email: 'c2b@example.ru' });
      await h.order({
        externalId: 'W-C2-2',
        counterpartyId: clientId,
        positions: [
          { brand: 'LIQUI MOLY', article: '7536', name: 'Масло моторное (4 л)', quantity: 1, priceKopecks: 100, priceListId },
          { brand: 'LIQUI MOLY', article: '7536', name: 'Масло моторное (1 л)', quantity: 2, priceKopecks: 100, priceListId },
          { brand: 'LIQUI MOLY', article: '7536', name: 'Масло моторное', quantity: 3, priceKopecks: 100, priceListId },
        ],
      });
      expect(await h.drain()).toMatchObject({ sent: 1, failed: 0 });
      expect(h.positionsOf(h.customerOrders()[0]!).map((p) => [p.type, p.productId, p.quantity])).toEqual([
        ['variant', variants[1]!.id, 1],
        ['variant', variants[0]!.id, 2],
        ['product', parent.id, 3],
      ]);
    });

    it('C2 a variant synced from MoySklad and ordered from a price list is sent as a variant position (nomenclature → price list → API → export)', async () => {
      h = await ordersHarness(dialect, { products: 5 });
      const store = h.account.stores[0]!;
      // A sale price on the product: the variant has none of its own and shows its product's (C3:
      // a card without a price is left out of the price list).
      const parent = h.account.createProduct({ name: 'Масло моторное LIQUI MOLY', code: 'LIQUI MOLY 7536', article: '7536', salePrice: 900_00 });
      const variant = h.account.createEntity('variant', {
        name: 'Масло моторное LIQUI MOLY (4 л)',
        code: 'LIQUI MOLY 7536-4',
        article: '7536-4',
        archived: false,
        product: ref('product', parent.id),
        characteristics: [{ id: 'c-volume', name: 'Объём', value: '4 л' }],
        salePrices: [],
        images: [],
      });
      h.account.setStock(variant.id, store.id, { stock: 6 });
      h.account.setStock(parent.id, store.id, { stock: 3 });
      expect((await runKind(h.fx, 'nomenclature.full')).status).toBe('ok');
      const priceListId = await createPriceList(h.fx, { name: 'Склад', msStoreId: store.id });
      const stock = await syncPriceListStock({ db: h.fx.db, clock: h.clock, clients: h.fx.clients, runDeps: h.fx.runDeps }, { priceListId, mode: 'full', trigger: 'manual' });
      expect(stock.status).toBe('ok');
      expect((await currentRows(h.fx, priceListId)).get(variant.id)).toMatchObject({ brand: 'LIQUI MOLY', article: '7536-4', quantity: 6 });

      const clientId = await h.client({ externalId: 'C2-1', email: 'c2@example.ru' });
      const o = await h.order({
        externalId: 'W-C2-1',
        counterpartyId: clientId,
        priceListId,
        positions: [
          { brand: 'LIQUI MOLY', article: '7536-4', name: 'Масло 4 л', quantity: 2, priceKopecks: 250000 },
          { brand: 'LIQUI MOLY', article: '7536', name: 'Масло', quantity: 1, priceKopecks: 90000 },
        ],
      });
      expect(await h.drain()).toMatchObject({ sent: 1, failed: 0 });
      const msOrder = h.customerOrders()[0]!;
      expect(h.positionsOf(msOrder).map((p) => [p.type, p.productId, p.quantity])).toEqual([
        ['variant', variant.id, 2],
        ['product', parent.id, 1],
      ]);
      // what MoySklad answers over HTTP: the assortment meta names the variant
      const ctx = await h.fx.integrationContext();
      const back = await ctx.client.getOrder('customerorder', msOrder.id, { expand: 'positions' });
      expect((back.positions?.rows ?? []).map((r) => [r.assortment.meta.type, r.assortment.meta.href.endsWith(`/entity/variant/${variant.id}`)])).toEqual([
        ['variant', true],
        ['product', false],
      ]);
      expect((await h.api('GET', `/orders/${o.id}`)).json).toMatchObject({ exportState: 'sent', positions: [{ msProductId: variant.id }, { msProductId: parent.id }] });

      // a later quantity change of the variant line is a PUT of that variant position
      await h.api('PATCH', `/orders/${o.id}/positions/${o.positions[0].id}`, { status: 'active', quantity: 3 });
      expect(await h.drain()).toMatchObject({ sent: 1, failed: 0 });
      expect(h.positionsOf(h.customerOrders()[0]!)[0]).toMatchObject({ type: 'variant', productId: variant.id, quantity: 3 });
    });
  });
}
