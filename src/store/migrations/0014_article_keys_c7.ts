/**
 * @module 0014_article_keys_c7
 * C7: the article match key (`normalizeArticle`) now folds Cyrillic look-alike letters to Latin
 * (`ОС90` → `OC90`), and both keys are NFC. Rows written before keep their old keys, which would
 * no longer meet keys computed now (an order line typed `ОС90` would miss the stored `ОС90`). This
 * migration recomputes `products.article_norm` / `brand_norm`, `price_list_rows.article_norm` and
 * `order_positions.article_norm` from the stored article and brand with the current normalizers,
 * in id pages of 2,000, writing only the rows whose key changes (usually a handful).
 *
 * It runs the normalizers of the code it ships with: should the normal form change again, a new
 * migration of this same shape brings the keys up to date once more.
 */
import { sql, type Kysely } from 'kysely';
import { normalizeArticle, normalizeBrand } from '../../core/normalize.js';

const PAGE = 2000;

interface KeyedTable {
  table: string;
  /** Source column → key column and the normalizer that derives it. */
  keys: ReadonlyArray<{ source: string; key: string; normalize: (s: string) => string }>;
}

const TABLES: readonly KeyedTable[] = [
  {
    table: 'products',
    keys: [
      { source: 'article', key: 'article_norm', normalize: normalizeArticle },
      { source: 'brand', key: 'brand_norm', normalize: normalizeBrand },
    ],
  },
  { table: 'price_list_rows', keys: [{ source: 'article', key: 'article_norm', normalize: normalizeArticle }] },
  { table: 'order_positions', keys: [{ source: 'article', key: 'article_norm', normalize: normalizeArticle }] },
];

/** Recomputes the key columns of one table; returns how many rows changed. */
export async function renormalizeTable(db: Kysely<any>, t: KeyedTable): Promise<number> {
  // Single-word aliases (s0, k0, …): the result keys are the same with or without a CamelCasePlugin.
  const cols = t.keys.flatMap((k, i) => [sql`${sql.ref(k.source)} as ${sql.raw(`s${i}`)}`, sql`${sql.ref(k.key)} as ${sql.raw(`k${i}`)}`]);
  let changed = 0;
  for (let after = 0; ; ) {
    const page = await sql<Record<string, unknown>>`select id, ${sql.join(cols)} from ${sql.table(t.table)} where id > ${after} order by id limit ${PAGE}`.execute(db);
    for (const row of page.rows) {
      const id = Number(row.id);
      const sets = t.keys
        .map((k, i) => ({ k, want: k.normalize(String(row[`s${i}`] ?? '')), have: row[`k${i}`] }))
        .filter((x) => x.want !== x.have);
      if (sets.length === 0) continue;
      await sql`update ${sql.table(t.table)} set ${sql.join(sets.map((x) => sql`${sql.ref(x.k.key)} = ${x.want}`))} where id = ${id}`.execute(db);
      changed += 1;
    }
    if (page.rows.length < PAGE) return changed;
    after = Number(page.rows[page.rows.length - 1]?.id);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  for (const t of TABLES) await renormalizeTable(db, t);
}

export async function down(): Promise<void> {
  // Nothing to undo: the old keys are not kept.
}
