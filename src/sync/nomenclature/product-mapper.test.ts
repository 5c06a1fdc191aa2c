import { describe, expect, it } from 'vitest';
import { loadSharedData } from '../../emulator/seed/shared-data.js';
import type { MsProduct } from '../../moysklad/schemas/product.js';
import type { MsVariant } from '../../moysklad/schemas/variant.js';
import { mapMsProduct, mapMsVariant, msTimeToIso } from './product-mapper.js';

const base = 'https://api.moysklad.ru/api/remap/1.2';
const product = (over: Partial<MsProduct>): MsProduct => ({
  meta: { href: `${base}/entity/product/p1`, type: 'product' },
  id: 'p1',
  name: 'Фильтр',
  updated: '2026-11-29 12:00:00.123',
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

  it('R16 maps a variant by its own Code and Article and reports one without an article', () => {
    const v = (over: Partial<MsVariant>): MsVariant => ({
      meta: { href: `${base}/entity/variant/v1`, type: 'variant' },
      id: 'v1',
      name: 'Масло (4 л)',
      product: { meta: { href: `${base}/entity/product/p1`, type: 'product' } },
      ...over,
    });
    const ok = mapMsVariant(v({ code: 'LIQUI MOLY 7536-4', article: '7536-4' }));
    expect(ok.ok && ok.product).toMatchObject({ kind: 'variant', parentMsId: 'p1', brand: 'LIQUI MOLY', article: '7536-4' });
    const bad = mapMsVariant(v({ code: 'LIQUI MOLY 7536-4' }));
    expect(!bad.ok && bad.issue).toMatchObject({ reason: 'empty-article', parentMsId: 'p1' });
    expect(!bad.ok && bad.issue.message).toMatch(/^variant: /);
  });
});
