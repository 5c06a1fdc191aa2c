/**
 * @module brand-synonyms
 * Brand identity for matching order lines and price-list rows to MoySklad products. Spellings in one
 * group mean the same maker AND the same article numbering (see shared/data/README.md), so
 * `KNECHT OC 90` and `MAHLE OC90` are one part. The table is data: a default ships with the project
 * and an installation may replace it. Groups are never used to merge stock of different products.
 */
import { normalizeArticle, normalizeBrand } from '../core/normalize.js';

export interface BrandSynonymRow {
  group: string;
  brand: string;
}

export class BrandSynonyms {
  readonly #groupOf = new Map<string, string>();

  constructor(rows: Iterable<BrandSynonymRow>) {
    for (const { group, brand } of rows) {
      const key = normalizeBrand(brand);
      if (!key) continue;
      const existing = this.#groupOf.get(key);
      if (existing && existing !== group) {
        throw new Error(`brand "${brand}" is listed in two synonym groups: ${existing} and ${group}`);
      }
      this.#groupOf.set(key, group);
    }
  }

  /** Parses the `group;brand` CSV (comment lines start with `#`, the first other line is the header). */
  static fromCsv(text: string): BrandSynonyms {
    const rows: BrandSynonymRow[] = [];
    let header = true;
    for (const line of text.split(/\r?\n/)) {
      if (!line.trim() || line.startsWith('#')) continue;
      if (header) {
        header = false;
        continue;
      }
      const [group, brand] = line.split(';');
      if (group && brand) rows.push({ group: group.trim(), brand: brand.trim() });
    }
    return new BrandSynonyms(rows);
  }

  /** The match key of a brand: its synonym group, or its normalized spelling when it has none. */
  brandKey(brand: string): string {
    const key = normalizeBrand(brand);
    const group = this.#groupOf.get(key);
    return group ? `group:${group}` : `brand:${key}`;
  }

  /** The identity of a part: brand key plus normalized article. */
  partKey(brand: string, article: string): string {
    return `${this.brandKey(brand)}|${normalizeArticle(article)}`;
  }

  get size(): number {
    return this.#groupOf.size;
  }
}

/** No synonyms at all: brands match only by their normalized spelling. */
export const noBrandSynonyms = new BrandSynonyms([]);
