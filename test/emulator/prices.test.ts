/**
 * C3 sale prices as MoySklad lists them (md/dictionaries/_variant.md, «Цены продажи» and the list
 * example): every price type of the account, `value` 0 where none was set; a variant without its own
 * value for a type shows its product's.
 */
import { describe, expect, it } from 'vitest';
import { ref } from '../../src/emulator/index.js';
import { emptyEmulator, type J } from './helpers.js';

describe('emulator sale prices', () => {
  const env = emptyEmulator();

  it('C3 a product lists every price type of the account, 0 where no price was set', async () => {
    const a = env.emu.account('admin@demo');
    const p = a.createProduct({ name: 'Фильтр', code: 'MAHLE OC90', article: 'OC90', salePrice: 450_00 });
    const bare = a.createProduct({ name: 'Без цены', code: 'MAHLE OC91', article: 'OC91' });
    const r = await env.call('GET', `entity/product/${p.id}`);
    expect(r.status).toBe(200);
    const prices = (r.json as J).salePrices as Array<{ value: number; priceType: { id: string; name: string } }>;
    expect(prices.map((x) => [x.priceType.id, x.priceType.name, x.value])).toEqual([
      [a.priceTypes[0]!.id, 'Цена продажи', 450_00],
      [a.priceTypes[1]!.id, 'Оптовая', 0],
    ]);
    const list = await env.call('GET', `entity/product?filter=id=${bare.id}`);
    const row = ((list.json as J).rows as J[])[0];
    expect((row.salePrices as Array<{ value: number }>).map((x) => x.value)).toEqual([0, 0]);
  });

  it('C3 a variant without its own price for a type shows its product’s value for that type', async () => {
    const a = env.emu.account('admin@demo');
    const p = a.createProduct({ name: 'Масло моторное 5W-30', code: 'MOTUL 8100', article: '8100', salePrice: 900_00, wholesalePrice: 800_00 });
    const own = a.createEntity('variant', {
      name: 'Масло моторное 5W-30 (4 л)',
      product: ref('product', p.id),
      characteristics: [{ id: a.ids(), name: 'Объём', value: '4 л' }],
      salePrices: [{ value: 3_500_00, currency: ref('currency', a.currencyId), priceType: ref('pricetype', a.priceTypes[0]!.id) }],
    });
    const inherited = a.createEntity('variant', { name: 'Масло моторное 5W-30 (1 л)', product: ref('product', p.id), characteristics: [{ id: a.ids(), name: 'Объём', value: '1 л' }] });
    const rows = ((await env.call('GET', `entity/variant?filter=productid=${p.id}`)).json as J).rows as J[];
    const valuesOf = (id: string) => (rows.find((v) => v.id === id).salePrices as Array<{ value: number }>).map((x) => x.value);
    expect(valuesOf(own.id)).toEqual([3_500_00, 800_00]);
    expect(valuesOf(inherited.id)).toEqual([900_00, 800_00]);
  });
});
