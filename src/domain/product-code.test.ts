import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
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
