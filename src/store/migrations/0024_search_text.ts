/**
 * @module 0024_search_text
 * E6 case-insensitive search for Cyrillic and Latin: a search column folded in JavaScript
 * (`foldForSearch`, src/domain/search-text.ts) on every write, on the three searched aggregates:
 * - `products.search_text`: brand, article, code and name (the nomenclature writer computes it
 *   from the mapped item, no extra query);
 * - `counterparties.search_text`: name, INN, e-mail and phone;
 * - `orders.search_text`: the platform's order number (immutable, set once at creation).
 * Price-list rows are searched through their product (`price_list_rows.product_id`), so the stock
 * sync's row writes are unchanged. Existing rows are filled here, 500 per statement.
 */
import { sql, type Kysely } from 'kysely';
import { searchTextOf } from '../../domain/search-text.js';

const CHUNK = 500;

async function backfill(db: Kysely<any>, table: string, columns: readonly string[], text: (row: Record<string, string | null>) => string): Promise<void> {
  let after = 0;
  for (;;) {
    const rows = (await db
      .selectFrom(table)
      .select(['id', ...columns])
      .where('id', '>', after)
      .orderBy('id')
      .limit(CHUNK)
      .execute()) as Array<Record<string, string | null> & { id: number }>;
    if (rows.length === 0) return;
    after = Number(rows[rows.length - 1]!.id);
    const cases = sql.join(rows.map((r) => sql`when ${Number(r.id)} then ${text(r)}`), sql` `);
    await sql`update ${sql.table(table)} set search_text = case id ${cases} end where id in (${sql.join(rows.map((r) => Number(r.id)))})`.execute(db);
  }
}

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of ['products', 'counterparties', 'orders']) await db.schema.alterTable(table).addColumn('search_text', 'text').execute();
  await backfill(db, 'products', ['brand', 'article', 'code', 'name'], (r) => searchTextOf(r.name, r.code, r.brand, r.article));
  await backfill(db, 'counterparties', ['name', 'inn', 'email', 'phone'], (r) => searchTextOf(r.name, r.inn, r.email, r.phone));
  // (column names in camelCase: the app's CamelCasePlugin maps them to snake_case and back)
  await backfill(db, 'orders', ['externalId'], (r) => searchTextOf(r.externalId));
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['products', 'counterparties', 'orders']) await db.schema.alterTable(table).dropColumn('search_text').execute();
}
