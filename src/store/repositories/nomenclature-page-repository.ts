/**
 * @module nomenclature-page-repository
 * The product directory as the nomenclature writer (R15) reads and writes it, one page at a time:
 * the page's stored rows, the variants' parents, the live synced holders of the page's articles
 * (the duplicate check's other side), and the page written in ONE transaction (bulk upsert,
 * skipped rows, the data-quality report, the full pass's seen marker).
 *
 * Speed: the upsert is SQL text built once per (dialect, row count) and run precompiled; on SQLite
 * the upsert and the page's lookups are statements prepared once per connection, the ids passed
 * as one JSON array (`in (select value from json_each(?))`, which probes the index per value).
 * Through the query builder each was built, compiled and prepared again for every page.
 */
import { CompiledQuery } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { chunk, sqliteHandleOf } from '../database.js';
import type { Db } from '../db.js';
import { dialectOf } from '../dialect-of.js';
import type { ProductRow, ProductSyncState } from '../schema.js';
import { DataQualityRepository, type DataQualityIssueInput } from './data-quality-repository.js';

/** The columns of a stored product the writer compares a MoySklad item with. */
const EXISTING_COLUMNS = [
  'id',
  'msId',
  'brand',
  'brandNorm',
  'article',
  'articleNorm',
  'code',
  'name',
  'description',
  'msFolderId',
  'archived',
  'deleted',
  'msUpdated',
  'syncState',
  'skipReason',
  'salePrices',
  'msImageCount',
  'kind',
  'parentMsId',
  'keyFromParent',
] as const;
export type ExistingProductRow = Pick<ProductRow, (typeof EXISTING_COLUMNS)[number]>;

const HOLDER_COLUMNS = ['id', 'msId', 'brand', 'brandNorm', 'article', 'articleNorm', 'code', 'name', 'kind', 'msFolderId'] as const;
/** A live synced product holding a brand and article (the duplicate check's other side). */
export type HolderRow = Pick<ProductRow, (typeof HOLDER_COLUMNS)[number]>;

/** What a variant takes from its parent product (C2). */
export type ParentRow = Pick<ProductRow, 'msId' | 'msFolderId' | 'name' | 'brand' | 'article' | 'brandNorm' | 'articleNorm' | 'syncState' | 'deleted'>;

/** A MoySklad item's product columns as the upsert writes them (the nomenclature mapper's `MappedProduct` extends it). */
export interface ProductFields {
  msId: string;
  kind: 'product' | 'variant';
  /** For variants: the parent product's MoySklad id. */
  parentMsId: string | null;
  /** C2: brand and article are the parent's (the variant has no own Code/Article). */
  keyFromParent: boolean;
  brand: string;
  brandNorm: string;
  article: string;
  articleNorm: string;
  code: string | null;
  name: string;
  description: string | null;
  /** Folder id; for variants resolved from the parent later (null in the mapper). */
  msFolderId: string | null;
  archived: boolean;
  /** MoySklad `updated` as ISO UTC. */
  msUpdated: string | null;
  msImageCount: number;
  salePrices: string;
  /** E6: the folded search column (name, code, brand, article), computed from the final name and key. */
  searchText: string;
}

/** A product to upsert by (ms_account_id, ms_id): MoySklad wins for every mapped column. */
export type ProductUpsert = ProductFields & { syncState: ProductSyncState; skipReason: string | null };

/** A stored product that is not synced any more (R16 failure, or a variant whose product is not synced). */
export interface SkipUpdate {
  msId: string;
  reason: string;
  archived: boolean;
  msUpdated: string | null;
}

/** One page's writes, decided by the writer. */
export interface PageWrite {
  runId: number | null;
  /** Full pass: the pass start (ISO) stamped on every row seen; null in an incremental pass. */
  seenAt: string | null;
  upserts: readonly ProductUpsert[];
  /** Synced rows of the store (not on this page) that lost a duplicate check. */
  storeLosers: readonly string[];
  skipUpdates: readonly SkipUpdate[];
  /** Page ids whose report entry (if any) is resolved. */
  clearIssues: readonly string[];
  issues: readonly DataQualityIssueInput[];
  /** With `seenAt`: the page ids the upsert did not write (they get the seen marker alone). */
  unwritten: readonly string[];
}

/** Rows per statement: ~25 parameters a row stays under SQLite's 32766 and PostgreSQL's 65535. */
const UPSERT_CHUNK = 500;
const IN_CHUNK = 1000;

/** Columns of the product upsert, in parameter order (snake_case: the statement is precompiled SQL). */
const UPSERT_COLUMNS = [
  'ms_account_id',
  'ms_id',
  'brand',
  'brand_norm',
  'article',
  'article_norm',
  'code',
  'name',
  'description',
  'ms_folder_id',
  'archived',
  'deleted',
  'ms_updated',
  'sync_state',
  'skip_reason',
  'sale_prices',
  'ms_image_count',
  'kind',
  'parent_ms_id',
  'search_text',
  'key_from_parent',
  'ms_seen_at',
  'created_at',
  'updated_at',
] as const;
const NOT_UPDATED = new Set(['ms_account_id', 'ms_id', 'ms_seen_at', 'created_at']);
const upsertSqlCache = new Map<string, string>();
/** SQLite: the upsert prepared once per connection and row count (preparing 10,500 parameters costs ~15 ms). */
const preparedUpserts = new WeakMap<object, Map<number, { run(params: unknown[]): unknown }>>();

const snake = (c: string): string => c.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
const selectList = (cols: readonly string[]): string => cols.map((c) => `${snake(c)} as "${c}"`).join(', ');
/** SQLite read statements of a page (camelCase aliases: rows come out as the query builder's would). */
const READ_SQL = {
  existing: `select ${selectList(EXISTING_COLUMNS)} from products where ms_account_id = ? and ms_id in (select value from json_each(?))`,
  reported: `select ms_product_id as "id" from data_quality_issues where ms_account_id = ? and ms_product_id in (select value from json_each(?))`,
  holders: `select ${selectList(HOLDER_COLUMNS)} from products where ms_account_id = ? and article_norm in (select value from json_each(?)) and deleted = 0 and archived = 0 and sync_state = 'ok' and key_from_parent = 0`,
} as const;
const preparedReads = new WeakMap<object, Map<string, { all(...params: unknown[]): unknown[] }>>();

/**
 * R15 bulk upsert by (ms_account_id, ms_id), MoySklad wins for every mapped column. Written as SQL
 * text once per (dialect, row count) and run as a precompiled query: building a 10,000-parameter
 * statement through the query builder cost more than executing it.
 */
function upsertSql(pg: boolean, rows: number): string {
  const key = `${pg ? 'pg' : 'sqlite'}:${rows}`;
  const cached = upsertSqlCache.get(key);
  if (cached) return cached;
  const n = UPSERT_COLUMNS.length;
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const ph: string[] = [];
    for (let c = 0; c < n; c++) ph.push(pg ? `$${r * n + c + 1}` : '?');
    tuples.push(`(${ph.join(', ')})`);
  }
  const updates = UPSERT_COLUMNS.filter((c) => !NOT_UPDATED.has(c)).map((c) => `${c} = excluded.${c}`);
  // The full pass's seen marker rides on the upsert (an incremental pass passes null: the old mark stays).
  updates.push('ms_seen_at = coalesce(excluded.ms_seen_at, products.ms_seen_at)');
  const text = `insert into products (${UPSERT_COLUMNS.join(', ')}) values ${tuples.join(', ')} on conflict (ms_account_id, ms_id) do update set ${updates.join(', ')}`;
  upsertSqlCache.set(key, text);
  return text;
}

/** The upsert's parameters for a chunk of rows, in `UPSERT_COLUMNS` order. */
function upsertParams(msAccountId: number, part: readonly ProductUpsert[], seenAt: string | null, at: string): unknown[] {
  const params: unknown[] = [];
  for (const p of part) {
    params.push(
      msAccountId,
      p.msId,
      p.brand,
      p.brandNorm,
      p.article,
      p.articleNorm,
      p.code,
      p.name,
      p.description,
      p.msFolderId,
      p.archived ? 1 : 0,
      0,
      p.msUpdated,
      p.syncState,
      p.skipReason,
      p.salePrices,
      p.msImageCount,
      p.kind,
      p.parentMsId,
      p.searchText,
      p.keyFromParent ? 1 : 0,
      seenAt,
      at,
      at,
    );
  }
  return params;
}

/** One MoySklad account's product directory, as the nomenclature writer pages through it. */
export class NomenclaturePageRepository {
  readonly #db: Db;
  readonly #clock: Clock;
  readonly #msAccountId: number;
  readonly #pg: boolean;
  /** The better-sqlite3 connection behind `db` (SQLite only): the page upsert runs as a cached prepared statement on it. */
  readonly #sqlite: ReturnType<typeof sqliteHandleOf>;

  constructor(db: Db, clock: Clock, msAccountId: number) {
    this.#db = db;
    this.#clock = clock;
    this.#msAccountId = msAccountId;
    this.#pg = dialectOf(db) === 'postgres';
    this.#sqlite = this.#pg ? undefined : sqliteHandleOf(db);
  }

  /** C2: the stored parents of a page of variants (one query per 1,000 ids). */
  async parents(parentIds: readonly string[]): Promise<ParentRow[]> {
    const out: ParentRow[] = [];
    for (const part of chunk(parentIds, IN_CHUNK)) {
      const rows = await this.#db
        .selectFrom('products')
        .select(['msId', 'msFolderId', 'name', 'brand', 'article', 'brandNorm', 'articleNorm', 'syncState', 'deleted'])
        .where('msAccountId', '=', this.#msAccountId)
        .where('msId', 'in', part)
        .execute();
      out.push(...rows);
    }
    return out;
  }

  /** The stored rows of the page's MoySklad ids, by MoySklad id. */
  async existing(ids: readonly string[]): Promise<Map<string, ExistingProductRow>> {
    const out = new Map<string, ExistingProductRow>();
    const fast = this.#sqliteRead('existing');
    if (fast) {
      for (const r of fast.all(this.#msAccountId, JSON.stringify(ids)) as ExistingProductRow[]) out.set(r.msId, r);
      return out;
    }
    for (const part of chunk(ids, IN_CHUNK)) {
      const rows = await this.#db.selectFrom('products').select(EXISTING_COLUMNS).where('msAccountId', '=', this.#msAccountId).where('msId', 'in', part).execute();
      for (const r of rows) out.set(r.msId, r);
    }
    return out;
  }

  /** Live synced rows of the account holding one of `articleNorms` (not variants keyed by their parent). */
  async holders(articleNorms: readonly string[]): Promise<HolderRow[]> {
    const fast = this.#sqliteRead('holders');
    if (fast) return fast.all(this.#msAccountId, JSON.stringify(articleNorms)) as HolderRow[];
    const parts = await Promise.all(
      chunk(articleNorms, IN_CHUNK).map((part) =>
        this.#db
          .selectFrom('products')
          .select(HOLDER_COLUMNS)
          .where('msAccountId', '=', this.#msAccountId)
          .where('articleNorm', 'in', part)
          .where('deleted', '=', 0)
          .where('archived', '=', 0)
          .where('syncState', '=', 'ok')
          .where('keyFromParent', '=', 0)
          .execute(),
      ),
    );
    return parts.flat();
  }

  /** R17: MoySklad ids of the account's live products a full pass that started at `passStartedAt` has not seen. */
  async unseenIds(passStartedAt: string): Promise<string[]> {
    const rows = await this.#db
      .selectFrom('products')
      .select('msId')
      .where('msAccountId', '=', this.#msAccountId)
      .where('deleted', '=', 0)
      .where((eb) => eb.or([eb('msSeenAt', 'is', null), eb('msSeenAt', '<', passStartedAt)]))
      .execute();
    return rows.map((r) => r.msId);
  }

  /** Writes one page in ONE transaction. */
  async writePage(w: PageWrite, at: string): Promise<void> {
    const msAccountId = this.#msAccountId;
    await this.#db.transaction().execute(async (tx) => {
      for (const part of chunk(w.upserts, UPSERT_CHUNK)) {
        const params = upsertParams(msAccountId, part, w.seenAt, at);
        // Inside this transaction: on SQLite the transaction holds the one connection, so the cached
        // statement runs in it.
        if (this.#sqlite) this.#preparedUpsert(part.length).run(params);
        else await tx.executeQuery(CompiledQuery.raw(upsertSql(this.#pg, part.length), params));
      }
      for (const part of chunk(w.storeLosers, IN_CHUNK)) {
        await tx.updateTable('products').set({ syncState: 'skipped', skipReason: 'duplicate-brand-article', updatedAt: at }).where('msAccountId', '=', msAccountId).where('msId', 'in', part).execute();
      }
      for (const s of w.skipUpdates) {
        await tx
          .updateTable('products')
          .set({ syncState: 'skipped', skipReason: s.reason, archived: s.archived ? 1 : 0, deleted: 0, msUpdated: s.msUpdated, updatedAt: at })
          .where('msAccountId', '=', msAccountId)
          .where('msId', '=', s.msId)
          .execute();
      }
      const report = new DataQualityRepository(tx, this.#clock);
      // SQLite: only the ids that have a report row are deleted (usually none), found with one prepared
      // statement inside this transaction, instead of a 1,000-parameter delete built for every page.
      const toClear = this.#sqlite && w.clearIssues.length > 0 ? (this.#preparedRead('reported').all(msAccountId, JSON.stringify(w.clearIssues)) as Array<{ id: string }>).map((r) => r.id) : w.clearIssues;
      await report.resolve(msAccountId, toClear);
      await report.record(msAccountId, w.runId, w.issues);
      if (w.seenAt !== null) {
        // Rows the upsert wrote carry the marker already; only the unchanged and not-synced ones are left.
        for (const part of chunk(w.unwritten, IN_CHUNK)) {
          await tx.updateTable('products').set({ msSeenAt: w.seenAt }).where('msAccountId', '=', msAccountId).where('msId', 'in', part).execute();
        }
      }
    });
  }

  #preparedUpsert(rows: number): { run(params: unknown[]): unknown } {
    const sqlite = this.#sqlite as NonNullable<ReturnType<typeof sqliteHandleOf>>;
    let byRows = preparedUpserts.get(sqlite);
    if (!byRows) preparedUpserts.set(sqlite, (byRows = new Map()));
    let st = byRows.get(rows);
    if (!st) {
      const prepared = sqlite.prepare(upsertSql(false, rows));
      st = { run: (params) => prepared.run(...params) };
      byRows.set(rows, st);
    }
    return st;
  }

  /** SQLite, outside any open transaction: the cached statement; undefined on PostgreSQL or inside a transaction. */
  #sqliteRead(which: keyof typeof READ_SQL): { all(...params: unknown[]): unknown[] } | undefined {
    const sqlite = this.#sqlite;
    if (!sqlite || sqlite.inTransaction) return undefined;
    return this.#preparedRead(which);
  }

  /** The cached statement on the SQLite connection (inside this repository's own transaction, or via `#sqliteRead`). */
  #preparedRead(which: keyof typeof READ_SQL): { all(...params: unknown[]): unknown[] } {
    const sqlite = this.#sqlite as NonNullable<ReturnType<typeof sqliteHandleOf>>;
    let byName = preparedReads.get(sqlite);
    if (!byName) preparedReads.set(sqlite, (byName = new Map()));
    let st = byName.get(which);
    if (!st) byName.set(which, (st = sqlite.prepare(READ_SQL[which])));
    return st;
  }
}
