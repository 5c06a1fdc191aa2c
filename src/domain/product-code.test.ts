import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { normalizeArticle, normalizeBrand } from '../core/normalize.js';
import { composeProductCode, splitProductCode } from './product-code.js';

const sharedData = fileURLToPath(new URL('../../shared/data/', import.meta.url));

interface TrickyRow {
  code: string;
  article: string;
  expected_brand: string;
  expected_outcome: 'ok' | 'skip';
  why: string;
}

const rows = parse(readFileSync(`${sharedData}tricky-codes.csv`, 'utf8'), {
  columns: true,
  delimiter: ';',
  trim: false,
  relax_quotes: true,
}) as TrickyRow[];

describe('R16 splitting Code into brand and article', () => {
  it('R16 the shared data holds the 40 tricky cases', () => {
    expect(rows).toHaveLength(40);
  });

  for (const [i, row] of rows.entries()) {
    it(`R16 case ${i + 2}: ${JSON.stringify(row.code)} / ${JSON.stringify(row.article)} → ${row.expected_outcome} ${row.expected_brand}`, () => {
      const result = splitProductCode(row.code, row.article);
      if (row.expected_outcome === 'ok') {
        expect(result).toMatchObject({ ok: true, brand: row.expected_brand });
      } else {
        const reason = row.why.split(':')[0];
        expect(result).toMatchObject({ ok: false, reason });
      }
    });
  }

  it('R16 every brands.csv example round-trips through compose and split', () => {
    const brands = parse(readFileSync(`${sharedData}brands.csv`, 'utf8'), { columns: true, delimiter: ';' }) as {
      brand: string;
      article_example: string;
    }[];
    expect(brands.length).toBeGreaterThan(50);
    for (const b of brands) {
      const split = splitProductCode(composeProductCode(b.brand, b.article_example), b.article_example);
      expect(split, b.brand).toEqual({ ok: true, brand: b.brand, article: b.article_example });
    }
  });
});

describe('C7 Unicode normal form and look-alike letters', () => {
  const nfd = (s: string): string => s.normalize('NFD');

  it('C7 a decomposed (NFD) Code splits like the composed one and comes back in NFC', () => {
    const code = nfd('LEMFÖRDER 30634 01');
    expect(code).not.toBe('LEMFÖRDER 30634 01');
    expect(splitProductCode(code, '30634 01')).toEqual({ ok: true, brand: 'LEMFÖRDER', article: '30634 01' });
  });

  it('C7 an NFD article at the end of an NFC Code (and the reverse) is found: both are normalized before the split', () => {
    expect(splitProductCode('FEBI ÖL-123', nfd('ÖL-123'))).toEqual({ ok: true, brand: 'FEBI', article: 'ÖL-123' });
    expect(splitProductCode(nfd('FEBI ÖL-123'), 'ÖL-123')).toEqual({ ok: true, brand: 'FEBI', article: 'ÖL-123' });
  });

  it('C7 the split itself does not merge scripts: a Cyrillic С in Code against a Latin C in Article stays article-not-at-end', () => {
    expect(splitProductCode('MAHLE OС90', 'OC90')).toMatchObject({ ok: false, reason: 'article-not-at-end' });
  });

  it('C7 the article key folds case and the Cyrillic look-alikes А В Е К М Н О Р С Т Х У to Latin', () => {
    expect(normalizeArticle('ОС90')).toBe('OC90'); // Cyrillic О and С
    expect(normalizeArticle('ос 90')).toBe('OC90'); // lower-case Cyrillic
    expect(normalizeArticle('АВЕКМНОРСТХУ')).toBe('ABEKMHOPCTXY');
    expect(normalizeArticle('авекмнорстху')).toBe('ABEKMHOPCTXY');
    expect(normalizeArticle('Нu 719/7 х')).toBe(normalizeArticle('HU 719/7 X'));
  });

  it('C7 letters without a Latin twin are kept, so different parts keep different keys', () => {
    expect(normalizeArticle('ДЖ-100')).toBe('ДЖ100');
    expect(normalizeArticle('ДЖ-100')).not.toBe(normalizeArticle('DZH-100'));
    expect(normalizeArticle('2112-1006040')).toBe('21121006040');
  });

  it('C7 the article key of an NFD and an NFC spelling is the same', () => {
    expect(normalizeArticle(nfd('ÖC 90'))).toBe(normalizeArticle('ÖC 90'));
    expect(normalizeArticle(nfd('ÖC 90'))).toBe('ÖC90');
  });

  it('C7 the brand key is NFC as well', () => {
    expect(normalizeBrand(nfd('Lemförder'))).toBe('LEMFÖRDER');
    expect(normalizeBrand(nfd('Lemförder'))).toBe(normalizeBrand('LEMFÖRDER'));
  });
});
