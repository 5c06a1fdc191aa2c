/**
 * @module price-list-change-repository
 * E2 the change sequence of a price list's rows (`price_list_row_changes`, migration 0035). The
 * writers of rows (`price-list-repository.ts`) call `recordRowChanges` inside the transaction of a
 * generation flip or an in-place patch, after they claimed the price list's row: the rows of the
 * now-current generation are compared with the rows as last published, and only those that differ
 * get a new number (new or changed rows), as do the published rows that are gone (tombstones). A
 * swap that rewrote 100,000 identical rows and changed three yields three changes.
 *
 * Numbers are per price list: `max(seq) + 1` onwards, drawn while the writer holds the price
 * list's row lock (and on PostgreSQL a transaction-scoped advisory lock on the list), so writers
 * of one list commit in the order of their numbers and a paging reader never skips one.
 */
import { CompiledQuery } from 'kysely';
import type Sqlite from 'better-sqlite3';
import { dialectOf } from '../dialect-of.js';
import type { Db } from '../db.js';
import type { PriceListRowChangesTable } from '../schema.js';
import type { Selectable } from 'kysely';

/** The PostgreSQL advisory lock class of price-list sequences ('E2'); the second key is the list id. */
export const PRICE_LIST_CHANGES_LOCK = 0x4532;

/** Which rows a patch touched (by MoySklad product id or by row id); undefined = the whole list (a swap). */
export interface TouchedRows {
  msProductIds: readonly string[];
  rowIds: readonly number[];
}

export type PriceListRowChange = Selectable<PriceListRowChangesTable>;

const COLUMNS = 'price_list_id, ms_product_id, seq, removed, product_id, brand, article, name, quantity, price, changed_at';
const TOP = 'cross join (select coalesce(max(seq), 0) as top from price_list_row_changes where price_list_id = :pl) m';

/** The two statements (changed rows, then tombstones) with `:name` parameters, for a dialect and a filter. */
function statements(pg: boolean, touched: boolean): [string, string] {
  // SQLite: the touched rows by row id (rowid look-ups); an OR of the two columns made its planner
  // walk the whole generation through the (list, generation) index instead (≈ 35 ms per 1,000-row
  // patch of a 100,000-row list), hence the unary `+` that keeps that index out.
  const listAndGeneration = touched && !pg ? '+r.price_list_id = :pl and +r.generation = :gen' : 'r.price_list_id = :pl and r.generation = :gen';
  const rowFilter = !touched
    ? ''
    : pg
      ? 'and (r.ms_product_id = any(:ms::text[]) or r.id = any(:ids::bigint[]))'
      : `and r.id in (select value from json_each(:ids) union all
          select t.id from price_list_rows t where t.price_list_id = :pl and t.generation = :gen and t.ms_product_id in (select value from json_each(:ms)))`;
  const goneFilter = !touched ? '' : pg ? 'and c.ms_product_id = any(:ms::text[])' : 'and c.ms_product_id in (select value from json_each(:ms))';
  const changed = `insert into price_list_row_changes (${COLUMNS})
    select r.price_list_id, r.ms_product_id, m.top + row_number() over (order by r.ms_product_id), 0, r.product_id, r.brand, r.article, r.name, r.quantity, r.price, :at
    from price_list_rows r ${TOP}
    left join price_list_row_changes c on c.price_list_id = r.price_list_id and c.ms_product_id = r.ms_product_id
    where ${listAndGeneration} ${rowFilter}
      and (c.seq is null or c.removed = 1 or c.product_id is distinct from r.product_id or c.brand <> r.brand or c.article <> r.article
        or c.name <> r.name or c.quantity <> r.quantity or c.price is distinct from r.price)
    on conflict (price_list_id, ms_product_id) do update set seq = excluded.seq, removed = 0, product_id = excluded.product_id, brand = excluded.brand,
      article = excluded.article, name = excluded.name, quantity = excluded.quantity, price = excluded.price, changed_at = excluded.changed_at`;
  const gone = `insert into price_list_row_changes (${COLUMNS})
    select c.price_list_id, c.ms_product_id, m.top + row_number() over (order by c.ms_product_id), 1, c.product_id, c.brand, c.article, c.name, c.quantity, c.price, :at
    from price_list_row_changes c ${TOP}
    where c.price_list_id = :pl and c.removed = 0 ${goneFilter}
      and not exists (select 1 from price_list_rows r where r.price_list_id = c.price_list_id and r.generation = :gen and r.ms_product_id = c.ms_product_id)
    on conflict (price_list_id, ms_product_id) do update set seq = excluded.seq, removed = 1, changed_at = excluded.changed_at`;
  return [changed, gone];
}

/** `:name` parameters → positional ones of the dialect. */
function compile(text: string, pg: boolean, values: Record<string, unknown>): { text: string; params: unknown[] } {
  const params: unknown[] = [];
  const out = text.replace(/(?<!:):([a-z]+)\b/g, (_m, name: string) => {
    params.push(values[name]);
    return pg ? `$${params.length}` : '?';
  });
  return { text: out, params };
}

const valuesOf = (pg: boolean, priceListId: number, generation: number, at: string, touched: TouchedRows | undefined): Record<string, unknown> => ({
  pl: priceListId,
  gen: generation,
  at,
  ms: touched ? (pg ? [...touched.msProductIds] : JSON.stringify(touched.msProductIds)) : null,
  ids: touched ? (pg ? [...touched.rowIds] : JSON.stringify(touched.rowIds)) : null,
});

/**
 * Records the changes of the current generation `generation` of a price list (all rows, or those a
 * patch touched) inside the writer's transaction `tx`. Returns how many changes were written.
 */
export async function recordRowChanges(tx: Db, priceListId: number, generation: number, at: string, touched?: TouchedRows): Promise<number> {
  const pg = dialectOf(tx) === 'postgres';
  if (touched && touched.msProductIds.length + touched.rowIds.length === 0) return 0;
  if (pg) await tx.executeQuery(CompiledQuery.raw('select pg_advisory_xact_lock($1, $2)', [PRICE_LIST_CHANGES_LOCK, priceListId]));
  let n = 0;
  for (const text of statements(pg, touched !== undefined)) {
    const q = compile(text, pg, valuesOf(pg, priceListId, generation, at, touched));
    n += Number((await tx.executeQuery(CompiledQuery.raw(q.text, q.params))).numAffectedRows ?? 0);
  }
  return n;
}

const preparedSqlite = new WeakMap<Sqlite.Database, Sqlite.Statement[]>();

/** `recordRowChanges` inside a synchronous better-sqlite3 transaction (the patch fast path). */
export function recordRowChangesSqlite(sqlite: Sqlite.Database, priceListId: number, generation: number, at: string, touched: TouchedRows): number {
  if (touched.msProductIds.length + touched.rowIds.length === 0) return 0;
  let st = preparedSqlite.get(sqlite);
  const compiled = statements(false, true).map((t) => compile(t, false, valuesOf(false, priceListId, generation, at, touched)));
  if (!st) preparedSqlite.set(sqlite, (st = compiled.map((c) => sqlite.prepare(c.text))));
  let n = 0;
  compiled.forEach((c, i) => (n += st[i]!.run(...c.params).changes));
  return n;
}

export class PriceListChangeRepository {
  constructor(private readonly db: Db) {}

  /** Changes of the list with a number greater than `after`, oldest first, at most `limit` (+ whether more follow). */
  async page(priceListId: number, after: number, limit: number): Promise<{ items: PriceListRowChange[]; hasMore: boolean }> {
    const rows = await this.db.selectFrom('priceListRowChanges').selectAll().where('priceListId', '=', priceListId).where('seq', '>', after).orderBy('seq').limit(limit + 1).execute();
    return { items: rows.slice(0, limit).map((r) => ({ ...r, seq: Number(r.seq) })), hasMore: rows.length > limit };
  }
}
