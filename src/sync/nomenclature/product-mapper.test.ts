import { describe, expect, it } from 'vitest';
import { loadSharedData } from '../../emulator/seed/shared-data.js';
import type { MsProduct } from '../../moysklad/schemas/product.js';
import type { MsVariant } from '../../moysklad/schemas/variant.js';
import { mapMsProduct, mapMsVariant, msTimeToIso, withParent, type VariantParent } from './product-mapper.js';

const base = 'https://api.moysklad.ru/api/remap/1.2';
const product = (over: Partial<MsProduct>): MsProduct => ({
  meta: { href: `${base}/entity/product/p1`, type: 'product' },
  id: 'p1',
  name: 'Фильтр',
  updated: '2026-11-29 12:00:00.123',
  ...over,
});
const v = (over: Partial<MsVariant>): MsVariant => ({
  meta: { href: `${base}/entity/variant/v1`, type: 'variant' },
  id: 'v1',
  name: 'Масло (4 л)',
  product: { meta: { href: `${base}/entity/product/p1`, type: 'product' } },
  ...over,
});

describe('product mapper', () => {
  it('R16 maps every tricky-codes.csv row to its expected brand or skip reason', () => {
    const rows = loadSharedData().tricky;
    expect(rows).toHaveLength(40);
    for (const t of rows) {
      const m = mapMsProduct(product({ code: t.code, article: t.article }));
      if (t.expected_outcome === 'ok') {
        expect(m.ok, t.why).toBe(true);
        if (m.ok) expect(m.product.brand).toBe(t.expected_brand);
      } else {
        expect(m.ok, t.why).toBe(false);
        if (!m.ok) expect(m.issue.reason).toBe(t.why.split(':')[0]);
      }
    }
  });

  it('R15 keeps the MoySklad id, updated (as UTC), folder, archived flag, image count and normalized keys', () => {
    const m = mapMsProduct(
      product({
        code: 'MANN-FILTER W 712/75',
        article: 'W 712/75',
        archived: true,
        productFolder: { meta: { href: `${base}/entity/productfolder/f9`, type: 'productfolder' } },
        images: { meta: { href: `${base}/entity/product/p1/images`, type: 'image', size: 3 } },
      }),
    );
    expect(m.ok).toBe(true);
    if (!m.ok) return;
    expect(m.product).toMatchObject({
      msId: 'p1',
      brand: 'MANN-FILTER',
      article: 'W 712/75',
      articleNorm: 'W71275',
      brandNorm: 'MANN-FILTER',
      msFolderId: 'f9',
      archived: true,
      msImageCount: 3,
      msUpdated: '2026-11-29T09:00:00.123Z',
      msUpdatedRaw: '2026-11-29 12:00:00.123',
    });
    expect(msTimeToIso('not a time')).toBeNull();
  });

  it('R16 maps a variant by its own Code and Article', () => {
    const ok = mapMsVariant(v({ code: 'LIQUI MOLY 7536-4', article: '7536-4' }));
    expect(ok.ok && ok.product).toMatchObject({ kind: 'variant', parentMsId: 'p1', brand: 'LIQUI MOLY', article: '7536-4', keyFromParent: false });
    const bad = mapMsVariant(v({ code: 'LIQUI MOLY 7536-4', article: '7536-5' }));
    expect(!bad.ok && bad.issue).toMatchObject({ reason: 'article-not-at-end', parentMsId: 'p1' });
    expect(!bad.ok && bad.issue.message).toMatch(/^variant: /);
  });

  it('C2 a variant without its own Article takes its product’s brand and article and is named with its characteristics', () => {
    const pending = mapMsVariant(v({ code: 'LIQUI MOLY 7536-4', characteristics: [{ name: 'Объём', value: '4 л' }] }));
    expect(!pending.ok && pending.issue).toMatchObject({ reason: 'parent-not-synced', pendingParent: true, parentMsId: 'p1' });
    const parent: VariantParent = { name: 'Масло моторное 5W-30', brand: 'LIQUI MOLY', article: '7536', brandNorm: 'LIQUI MOLY', articleNorm: '7536', msFolderId: 'f1', usable: true };
    expect(withParent(pending, parent)).toEqual({
      ok: true,
      product: {
        msId: 'v1',
        kind: 'variant',
        parentMsId: 'p1',
        keyFromParent: true,
        brand: 'LIQUI MOLY',
        brandNorm: 'LIQUI MOLY',
        article: '7536',
        articleNorm: '7536',
        code: 'LIQUI MOLY 7536-4',
        name: 'Масло моторное 5W-30 (Объём: 4 л)',
        description: null,
        msFolderId: 'f1',
        archived: false,
        msUpdated: null,
        msUpdatedRaw: null,
        msImageCount: 0,
        salePrices: '[]',
        searchText: 'масло моторное 5w-30 (объем: 4 л) liqui moly 7536-4',
        variant: { characteristics: [{ name: 'Объём', value: '4 л' }], ownName: 'Масло (4 л)' },
      },
    });
    // A product that is not synced leaves the variant in the report, with the product's folder.
    expect(withParent(pending, { ...parent, usable: false })).toMatchObject({ ok: false, issue: { reason: 'parent-not-synced', msFolderId: 'f1' } });
    expect(withParent(pending, undefined)).toMatchObject({ ok: false, issue: { reason: 'parent-not-synced', msFolderId: null } });
  });
});
