import { describe, expect, it } from 'vitest';
import { freshProductIds, planFullStock, planIncrementalStock, stagedProductOf, stockByProduct, zeroStockCounts, type ProductWithRow, type StagedProduct } from './stock-plan.js';

const product = (n: number, extra: Partial<ProductWithRow> = {}): ProductWithRow => ({
  id: n,
  msId: `p${n}`,
  brand: 'Bosch',
  article: `A${n}`,
  articleNorm: `A${n}`,
  name: `Part ${n}`,
  reason: null,
  price: 1000 + n,
  updatedAt: '2026-12-01T10:00:00.000Z',
  old: null,
  ...extra,
});
const oldOf = (p: ProductWithRow, quantity: number) => ({ quantity, price: p.price ?? null, name: p.name, brand: p.brand, article: p.article });
const staged = (p: ProductWithRow, rowId: number, publishWithoutPrice = false): StagedProduct => ({ ...stagedProductOf(p, publishWithoutPrice).product, rowId });
const row = (p: ProductWithRow, quantity: number) => ({ productId: p.id, msProductId: p.msId, brand: p.brand, article: p.article, articleNorm: p.articleNorm, name: p.name, quantity, price: p.price ?? null });

describe('stagedProductOf', () => {
  it('C3 a product without a price is left out unless the list publishes it with an empty price; R16 an unusable one is never staged', () => {
    const kept = product(1, { old: oldOf(product(1), 4) });
    const unpriced = product(2, { price: undefined });
    const archived = product(3, { reason: 'archived', price: undefined });
    expect([stagedProductOf(kept, false), stagedProductOf(unpriced, false), stagedProductOf(unpriced, true), stagedProductOf(archived, true)]).toEqual([
      { product: { msId: 'p1', verdict: 'row', noPrice: false, oldQuantity: 4, differs: false, rowId: 0 }, row: row(kept, 4) },
      { product: { msId: 'p2', verdict: 'unpriced', noPrice: true, oldQuantity: null, differs: false, rowId: 0 }, row: null },
      { product: { msId: 'p2', verdict: 'row', noPrice: true, oldQuantity: null, differs: false, rowId: 0 }, row: { ...row(unpriced, 0), price: null } },
      { product: { msId: 'p3', verdict: 'archived', noPrice: true, oldQuantity: null, differs: false, rowId: 0 }, row: null },
    ]);
  });
});

describe('planFullStock', () => {
  it('R4 R11 every report line of the store classified: added, changed, zeroed, unchanged, recalculating, clamped; unlisted rows deleted; findings reported', () => {
    const added = product(1);
    const changed = product(2, { old: oldOf(product(2), 3) });
    const zeroed = product(3, { old: oldOf(product(3), 7) });
    const unchanged = product(4, { old: oldOf(product(4), 5) });
    const renamed = product(5, { name: 'New name', old: oldOf(product(5), 2) });
    const recalculating = product(6, { old: oldOf(product(6), 9) });
    const unlisted = product(7, { old: oldOf(product(7), 1) });
    const unpriced = product(8, { price: undefined });
    const outside = product(9, { reason: 'outside-root', price: undefined });
    const deleted = product(10, { reason: 'deleted', price: undefined, old: oldOf(product(10), 6) });
    const products = [staged(added, 101), staged(changed, 102), staged(zeroed, 103), staged(unchanged, 104), staged(renamed, 105), staged(recalculating, 106), staged(unlisted, 107), staged(unpriced, 0), staged(outside, 0), staged(deleted, 0)];
    const plan = planFullStock({
      storeId: 's1',
      products,
      oldRowCount: 7,
      report: [
        { assortmentId: 'p1', value: -2 },
        { assortmentId: 'p2', value: 8, storeId: 's1' },
        { assortmentId: 'p2', value: 99 }, // listed twice: the first line counts
        { assortmentId: 'p3', value: 0 },
        { assortmentId: 'p4', value: 5, storeId: null },
        { assortmentId: 'p5', value: 2 },
        { assortmentId: 'p6', value: null },
        { assortmentId: 'p7', value: 4, storeId: 'other-store' },
        { assortmentId: 'p8', value: 1 },
        { assortmentId: 'p9', value: 1 },
        { assortmentId: 'p10', value: 1 },
        { assortmentId: 'ghost', value: 3 },
        { assortmentId: 'ghost', value: 3 },
      ],
    });
    expect(plan).toEqual({
      quantities: { ids: [102, 103], values: [8, 0] },
      deleteRowIds: [107],
      findings: { missing: ['ghost'], unusable: [['p10', 'deleted']], unpriced: ['p8'] },
      counts: { ...zeroStockCounts(), added: 1, changed: 2, zeroed: 1, unchanged: 2, removed: 2, missingProducts: 1, unusableProducts: 1, outsideRoot: 1, noPrice: 1, recalculating: 1 },
    });
  });

  it('C3 with the option on, a product without a price gets a row with an empty price and is counted as without price', () => {
    const unpriced = product(1, { price: undefined, old: { quantity: 2, price: null, name: 'Part 1', brand: 'Bosch', article: 'A1' } });
    expect(planFullStock({ storeId: 's1', products: [staged(unpriced, 11, true)], oldRowCount: 1, report: [{ assortmentId: 'p1', value: 2 }] })).toEqual({
      quantities: { ids: [], values: [] },
      deleteRowIds: [],
      findings: { missing: [], unusable: [], unpriced: [] },
      counts: { ...zeroStockCounts(), unchanged: 1, noPrice: 1 },
    });
  });
});

describe('planIncrementalStock', () => {
  it('B3 changed lines set quantities by row id, local card changes rebuild rows, unusable and unpriced products lose their rows', () => {
    const cardChanged = product(1, { price: 2000, old: oldOf(product(1), 4) });
    const archivedNow = product(2, { reason: 'archived', price: undefined, old: oldOf(product(2), 3) });
    const lostPrice = product(3, { price: undefined, old: oldOf(product(3), 1) });
    const newProduct = product(4);
    const untouchedLocal = product(5, { old: oldOf(product(5), 6) });
    const noRowYet = product(6);
    const outside = product(7, { reason: 'outside-root', price: undefined });
    const stock = stockByProduct(
      [
        { assortmentId: 'p1', value: 4 },
        { assortmentId: 'p4', value: 1 },
        { assortmentId: 'p4', value: 2 }, // the last line counts
        { assortmentId: 'r1', value: 0 },
        { assortmentId: 'r2', value: 5, storeId: 's1' },
        { assortmentId: 'r3', value: null },
        { assortmentId: 'p6', value: -1 },
        { assortmentId: 'p7', value: 1 },
        { assortmentId: 'ghost', value: 1 },
        { assortmentId: 'elsewhere', value: 1, storeId: 's2' },
      ],
      's1',
    );
    const plan = planIncrementalStock({
      publishWithoutPrice: false,
      stock,
      local: [cardChanged, archivedNow, lostPrice, newProduct, untouchedLocal],
      rows: new Map([
        ['r1', { id: 21, quantity: 3, price: 500 }],
        ['r2', { id: 22, quantity: 5, price: null }],
        ['r3', { id: 23, quantity: 2, price: 700 }],
      ]),
      withoutRow: new Map([
        ['p6', noRowYet],
        ['p7', outside],
      ]),
    });
    expect(plan).toEqual({
      upserts: [row(noRowYet, 0), row(cardChanged, 4), row(newProduct, 2)],
      quantities: [{ id: 21, quantity: 0 }],
      removals: ['p2', 'p3'],
      findings: { missing: ['ghost'], unusable: [['p2', 'archived']], unpriced: ['p3'] },
      settled: ['p6', 'p7', 'p1', 'p2', 'p4', 'p5'],
      counts: { ...zeroStockCounts(), added: 2, changed: 1, zeroed: 1, unchanged: 3, removed: 2, missingProducts: 1, unusableProducts: 1, outsideRoot: 1, noPrice: 2, recalculating: 1 },
    });
  });

  it('B3 only usable products new to the nomenclature and absent from the changes report are asked by id', () => {
    const local = [product(1), product(2, { old: oldOf(product(2), 1) }), product(3, { reason: 'skipped', price: undefined }), product(4)];
    expect(freshProductIds(local, new Map([['p4', 3]]))).toEqual(['p1']);
  });
});
