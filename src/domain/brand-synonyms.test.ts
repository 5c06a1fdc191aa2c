import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BrandSynonyms } from './brand-synonyms.js';

const csv = readFileSync(new URL('../../shared/data/brand-synonyms.csv', import.meta.url), 'utf8');

describe('brand synonyms', () => {
  const synonyms = BrandSynonyms.fromCsv(csv);

  it('R20 KNECHT and MAHLE articles are one part; spacing and case of the article do not matter', () => {
    expect(synonyms.partKey('KNECHT', 'OC 90')).toBe(synonyms.partKey('mahle', 'OC90'));
  });

  it('R20 brands with different numbering stay apart (FEBI BILSTEIN vs BILSTEIN, FEBI vs SWAG)', () => {
    expect(synonyms.brandKey('FEBI BILSTEIN')).not.toBe(synonyms.brandKey('BILSTEIN'));
    expect(synonyms.brandKey('FEBI')).not.toBe(synonyms.brandKey('SWAG'));
  });

  it('R20 unknown brands match by their normalized spelling', () => {
    expect(synonyms.brandKey('Some  Brand')).toBe(synonyms.brandKey('SOME BRAND'));
    expect(synonyms.brandKey('Some Brand')).not.toBe(synonyms.brandKey('Other'));
  });

  it('R20 a spelling in two groups is refused', () => {
    expect(() => new BrandSynonyms([{ group: 'a', brand: 'X' }, { group: 'b', brand: 'x' }])).toThrow(/two synonym groups/);
  });

  it('R20 the shipped table loads every spelling', () => {
    expect(synonyms.size).toBeGreaterThan(80);
  });
});
