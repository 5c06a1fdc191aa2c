import { describe, expect, it } from 'vitest';
import { parseSalePrices, pickPrice, priceTypeIdOf, salePricesJson, salePricesOf } from './product-prices.js';

const href = (id: string) => ({ meta: { href: `https://api.moysklad.ru/api/remap/1.2/context/companysettings/pricetype/${id}`, type: 'pricetype', mediaType: 'application/json' } });

describe('product sale prices', () => {
  it('R4 takes the price type id from priceType.id or the last segment of its href, values rounded to kopecks', () => {
    expect(priceTypeIdOf({ value: 1, priceType: { id: 'pt-1' } })).toBe('pt-1');
    expect(priceTypeIdOf({ value: 1, priceType: href('pt-2') })).toBe('pt-2');
    expect(priceTypeIdOf({ value: 1 })).toBeNull();
    expect(salePricesOf({ salePrices: [{ value: 65000.4, priceType: { ...href('a'), name: 'Цена продажи' } }, { value: 50000, priceType: href('b') }, { value: 7 }] })).toEqual([
      { priceTypeId: 'a', name: 'Цена продажи', value: 65000 },
      { priceTypeId: 'b', name: null, value: 50000 },
    ]);
  });

  it('R4 picks the chosen price type, the first sale price by default, undefined when absent', () => {
    const stored = parseSalePrices(salePricesJson({ salePrices: [{ value: 100, priceType: href('a') }, { value: 80, priceType: href('b') }] }));
    expect(pickPrice(stored, null)).toBe(100);
    expect(pickPrice(stored, 'b')).toBe(80);
    expect(pickPrice(stored, 'zzz')).toBeUndefined();
    expect(pickPrice(null, null)).toBeUndefined();
    expect(pickPrice([], null)).toBeUndefined();
  });

  it('R4 unreadable stored prices count as unknown, never as a wrong price', () => {
    expect(parseSalePrices(null)).toBeNull();
    expect(parseSalePrices('not json')).toBeNull();
    expect(parseSalePrices('{"a":1}')).toBeNull();
    expect(parseSalePrices('[{"priceTypeId":"a","name":null,"value":"12"}]')).toBeNull();
    expect(parseSalePrices('[]')).toEqual([]);
  });
});
