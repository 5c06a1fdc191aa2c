import { describe, expect, it } from 'vitest';
import { hasOwnCodeAndArticle, variantName } from './variant-catalog.js';

describe('variants in the catalog', () => {
  it('C2 a variant is named after its product with its characteristics as «name: value»', () => {
    expect(variantName('Масло моторное 5W-30', [{ name: 'Объём', value: '4 л' }], 'Масло моторное 5W-30 (4 л)')).toBe('Масло моторное 5W-30 (Объём: 4 л)');
    expect(variantName('Щётка', [{ name: 'Длина', value: '600 мм' }, { name: 'Сторона', value: 'левая' }], 'x')).toBe('Щётка (Длина: 600 мм, Сторона: левая)');
  });

  it('C2 without a known product name or without characteristics the MoySklad name stays', () => {
    expect(variantName(null, [{ name: 'Объём', value: '4 л' }], 'Масло (4 л)')).toBe('Масло (4 л)');
    expect(variantName('Масло', [], 'Масло (4 л)')).toBe('Масло (4 л)');
    expect(variantName('Масло', [{ name: 'Объём', value: '  ' }], 'Масло (?)')).toBe('Масло (?)');
  });

  it('C2 only a variant with both its own Code and Article is split by its own fields', () => {
    expect(hasOwnCodeAndArticle('MOTUL 8100-4', '8100-4')).toBe(true);
    expect(hasOwnCodeAndArticle('MOTUL 8100-4', ' ')).toBe(false);
    expect(hasOwnCodeAndArticle(undefined, '8100-4')).toBe(false);
  });
});
