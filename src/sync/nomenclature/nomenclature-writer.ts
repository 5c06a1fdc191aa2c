/**
 * @module nomenclature-writer
 * Writes one page of mapped MoySklad items into the store's product directory (R15) in ONE
 * transaction: bulk upsert of new and changed products, skipped products marked, the
 * data-quality report (B5) updated, and — in a full pass — the "seen" marker set.
 *
 * Duplicates (`duplicate-brand-article`): two live (not archived, not deleted) MoySklad items
 * with the same brand and normalized article are BOTH reported. The one already in the store
 * (lowest store id) stays synced, so order lines keep matching the product they matched before;
 * when none of them is in the store yet, the smallest MoySklad id stays synced (deterministic,
 * whatever the paging order). Every other one is not synced (a new one is not inserted; an
 * existing row is marked `sync_state='skipped'`).
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { chunk, nowIso, sqliteHandleOf } from '../../store/database.js';
import { dialectOf } from '../../store/dialect-of.js';
import { DataQualityRepository } from '../../store/repositories/data-quality-repository.js';
import type { Database, ProductRow } from '../../store/schema.js';
import type { DataQualityReason, MappedIssue, MappedItem, MappedProduct } from './product-mapper.js';

export interface PageCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  archived: number;
}

export const emptyCounts = (): PageCounts => ({ created: 0, updated: 0, unchanged: 0, skipped: 0, archived: 0 });

export interface WritePageOptions {
  runId: number | null;
  /** Full pass: the pass start (ISO) stamped on every row seen, for deletion inference. */
  seenAt: string | null;
}

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
  'categoryId',
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
] as const;
type ExistingRow = Pick<ProductRow, (typeof EXISTING_COLUMNS)[number]>;

interface IssueRow {
  msProductId: string;
  code: string | null;
  article: string | null;
  name: string | null;
  reason: DataQualityReason;
  message: string;
  /** E4: which MoySklad card the report links (product or variant). */
  msType: 'product' | 'variant';
}

/** Rows per statement: ~24 parameters a row stays under SQLite's 32766 and PostgreSQL's 65535. */
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
  'category_id',
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
  'ms_seen_at',
  'created_at',
  'updated_at',
] as const;
const NOT_UPDATED = new Set(['ms_account_id', 'ms_id', 'ms_seen_at', 'created_at']);
const upsertSqlCache = new Map<string, string>();
/** SQLite: the upsert prepared once per connection and row count (preparing 10,500 parameters costs ~15 ms). */
const preparedUpserts = new WeakMap<object, Map<number, { run(params: unknown[]): unknown }>>();

const HOLDER_COLUMNS = ['id', 'msId', 'brand', 'brandNorm', 'article', 'articleNorm', 'code', 'name', 'kind'] as const;
type HolderRow = Pick<ProductRow, (typeof HOLDER_COLUMNS)[number]>;
const snake = (c: string): string => c.replace(/[A-Z]/g, (m) => `_${m.toLowerCase()}`);
const selectList = (cols: readonly string[]): string => cols.map((c) => `${snake(c)} as "${c}"`).join(', ');
/** SQLite read statements of a page (camelCase aliases: rows come out as the query builder's would). */
const READ_SQL = {
  existing: `select ${selectList(EXISTING_COLUMNS)} from products where ms_account_id = ? and ms_id in (select value from json_each(?))`,
  reported: `select ms_product_id as "id" from data_quality_issues where ms_account_id = ? and ms_product_id in (select value from json_each(?))`,
  holders: `select ${selectList(HOLDER_COLUMNS)} from products where ms_account_id = ? and article_norm in (select value from json_each(?)) and deleted = 0 and archived = 0 and sync_state = 'ok'`,
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

const keyOf = (brandNorm: string, articleNorm: string): string => `${brandNorm}\u0000${articleNorm}`;

export class NomenclatureWriter {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #msAccountId: number;
  readonly #categories: ReadonlyMap<string, number>;
  readonly #pg: boolean;
  /** The better-sqlite3 connection behind `db` (SQLite only): the page upsert runs as a cached prepared statement on it. */
  readonly #sqlite: ReturnType<typeof sqliteHandleOf>;

  /** @param folderCategories MoySklad folder id → store category id (empty when categories are not synced). */
  constructor(db: Kysely<Database>, clock: Clock, msAccountId: number, folderCategories: ReadonlyMap<string, number>) {
    this.#db = db;
    this.#clock = clock;
    this.#msAccountId = msAccountId;
    this.#categories = folderCategories;
    this.#pg = dialectOf(db) === 'postgres';
    this.#sqlite = this.#pg ? undefined : sqliteHandleOf(db);
  }

  async writePage(items: readonly MappedItem[], options: WritePageOptions): Promise<PageCounts> {
    const counts = emptyCounts();
    if (items.length === 0) return counts;
    const at = nowIso(this.#clock);
    // One entry per MoySklad id (the last one wins if a page repeats an id).
    const byId = new Map<string, MappedItem>();
    for (const it of items) byId.set(it.ok ? it.product.msId : it.issue.msId, it);
    const all = [...byId.values()];
    const ids = [...byId.keys()];

    await this.#resolveVariantFolders(all);
    const existing = await this.#existing(ids);

    const okItems = all.filter((i): i is { ok: true; product: MappedProduct } => i.ok).map((i) => i.product);
    const skippedItems: MappedIssue[] = all.filter((i): i is { ok: false; issue: MappedIssue } => !i.ok).map((i) => i.issue);

    // ---- duplicates among live items (this page + the store)
    const { losers, issues: dupIssues } = await this.#duplicates(okItems, existing, new Set(ids));
    const synced = okItems.filter((p) => !losers.has(p.msId));

    // ---- products to write
    const upserts: Array<MappedProduct & { categoryId: number | null }> = [];
    for (const p of synced) {
      const categoryId = p.msFolderId ? (this.#categories.get(p.msFolderId) ?? null) : null;
      const prev = existing.get(p.msId);
      if (p.archived && (!prev || prev.archived === 0)) counts.archived += 1;
      if (!prev) {
        counts.created += 1;
        upserts.push({ ...p, categoryId });
      } else if (changed(prev, p, categoryId)) {
        counts.updated += 1;
        upserts.push({ ...p, categoryId });
      } else {
        counts.unchanged += 1;
      }
    }

    // ---- items that are not synced: R16 failures and duplicate losers
    const notSynced: Array<{ msId: string; reason: DataQualityReason; archived: boolean; msUpdated: string | null }> = [];
    const issues: IssueRow[] = [];
    for (const s of skippedItems) {
      notSynced.push({ msId: s.msId, reason: s.reason, archived: s.archived, msUpdated: s.msUpdated });
      issues.push({ msProductId: s.msId, code: s.code, article: s.article, name: s.name, reason: s.reason, message: s.message, msType: s.kind });
    }
    for (const p of okItems) {
      if (losers.has(p.msId)) notSynced.push({ msId: p.msId, reason: 'duplicate-brand-article', archived: p.archived, msUpdated: p.msUpdated });
    }
    issues.push(...dupIssues);
    counts.skipped += notSynced.length;
    const skipUpdates = notSynced.filter((s) => {
      const prev = existing.get(s.msId);
      return prev && (prev.syncState !== 'skipped' || prev.skipReason !== s.reason || prev.msUpdated !== s.msUpdated || prev.archived !== (s.archived ? 1 : 0) || prev.deleted !== 0);
    });
    const withIssue = new Set(issues.map((i) => i.msProductId));
    const clearIssues = synced.map((p) => p.msId).filter((id) => !withIssue.has(id));

    await this.#db.transaction().execute(async (tx) => {
      for (const part of chunk(upserts, UPSERT_CHUNK)) {
        const params: unknown[] = [];
        for (const p of part) {
          params.push(
            this.#msAccountId,
            p.msId,
            p.brand,
            p.brandNorm,
            p.article,
            p.articleNorm,
            p.code,
            p.name,
            p.description,
            p.categoryId,
            p.msFolderId,
            p.archived ? 1 : 0,
            0,
            p.msUpdated,
            'ok',
            null,
            p.salePrices,
            p.msImageCount,
            p.kind,
            p.parentMsId,
            p.searchText,
            options.seenAt,
            at,
            at,
          );
        }
        // Inside this transaction: on SQLite the transaction holds the one connection, so the cached
        // statement runs in it.
        if (this.#sqlite) this.#preparedUpsert(part.length).run(params);
        else await tx.executeQuery(CompiledQuery.raw(upsertSql(this.#pg, part.length), params));
      }
      for (const s of skipUpdates) {
        await tx
          .updateTable('products')
          .set({ syncState: 'skipped', skipReason: s.reason, archived: s.archived ? 1 : 0, deleted: 0, msUpdated: s.msUpdated, updatedAt: at })
          .where('msAccountId', '=', this.#msAccountId)
          .where('msId', '=', s.msId)
          .execute();
      }
      const report = new DataQualityRepository(tx, this.#clock);
      // SQLite: only the ids that have a report row are deleted (usually none), found with one prepared
      // statement inside this transaction, instead of a 1,000-parameter delete built for every page.
      const toClear = this.#sqlite && clearIssues.length > 0 ? (this.#preparedRead('reported').all(this.#msAccountId, JSON.stringify(clearIssues)) as Array<{ id: string }>).map((r) => r.id) : clearIssues;
      await report.resolve(this.#msAccountId, toClear);
      await report.record(this.#msAccountId, options.runId, issues);
      if (options.seenAt !== null) {
        // Rows the upsert wrote carry the marker already; only the unchanged and not-synced ones are left.
        const written = new Set(upserts.map((p) => p.msId));
        const unwritten = written.size === 0 ? ids : ids.filter((id) => !written.has(id));
        for (const part of chunk(unwritten, IN_CHUNK)) {
          await tx.updateTable('products').set({ msSeenAt: options.seenAt }).where('msAccountId', '=', this.#msAccountId).where('msId', 'in', part).execute();
        }
      }
    });
    return counts;
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

  /** Variants take the folder of their parent product (already in the store after the product phase). */
  async #resolveVariantFolders(items: MappedItem[]): Promise<void> {
    const parents = [...new Set(items.filter((i) => i.ok && i.product.parentMsId).map((i) => (i.ok ? (i.product.parentMsId as string) : '')))];
    if (parents.length === 0) return;
    const folders = new Map<string, string | null>();
    for (const part of chunk(parents, IN_CHUNK)) {
      const rows = await this.#db.selectFrom('products').select(['msId', 'msFolderId']).where('msAccountId', '=', this.#msAccountId).where('msId', 'in', part).execute();
      for (const r of rows) folders.set(r.msId, r.msFolderId);
    }
    for (const i of items) if (i.ok && i.product.parentMsId) i.product.msFolderId = folders.get(i.product.parentMsId) ?? null;
  }

  async #existing(ids: readonly string[]): Promise<Map<string, ExistingRow>> {
    const out = new Map<string, ExistingRow>();
    const fast = this.#sqliteRead('existing');
    if (fast) {
      for (const r of fast.all(this.#msAccountId, JSON.stringify(ids)) as ExistingRow[]) out.set(r.msId, r);
      return out;
    }
    for (const part of chunk(ids, IN_CHUNK)) {
      const rows = await this.#db
        .selectFrom('products')
        .select(EXISTING_COLUMNS)
        .where('msAccountId', '=', this.#msAccountId)
        .where('msId', 'in', part)
        .execute();
      for (const r of rows) out.set(r.msId, r);
    }
    return out;
  }

  /** Live synced rows of the account holding one of `articleNorms` (the duplicate check's other side). */
  #holders(articleNorms: readonly string[]): Promise<HolderRow[]> {
    return this.#db
      .selectFrom('products')
      .select(HOLDER_COLUMNS)
      .where('msAccountId', '=', this.#msAccountId)
      .where('articleNorm', 'in', articleNorms)
      .where('deleted', '=', 0)
      .where('archived', '=', 0)
      .where('syncState', '=', 'ok')
      .execute();
  }

  /**
   * SQLite, outside any open transaction: the page's two lookups as statements prepared once per
   * connection, the ids passed as one JSON array (`in (select value from json_each(?))`, which probes
   * the index per value). Through the query builder each lookup was built, compiled and prepared
   * again for every page with 1,000 parameters. Undefined on PostgreSQL or inside a transaction.
   */
  #sqliteRead(which: keyof typeof READ_SQL): { all(...params: unknown[]): unknown[] } | undefined {
    const sqlite = this.#sqlite;
    if (!sqlite || sqlite.inTransaction) return undefined;
    return this.#preparedRead(which);
  }

  /** The cached statement on the SQLite connection (inside this writer's own transaction, or via `#sqliteRead`). */
  #preparedRead(which: keyof typeof READ_SQL): { all(...params: unknown[]): unknown[] } {
    const sqlite = this.#sqlite as NonNullable<ReturnType<typeof sqliteHandleOf>>;
    let byName = preparedReads.get(sqlite);
    if (!byName) preparedReads.set(sqlite, (byName = new Map()));
    let st = byName.get(which);
    if (!st) byName.set(which, (st = sqlite.prepare(READ_SQL[which])));
    return st;
  }

  /**
   * Finds brand+article collisions among the live items of this page and the live synced rows of
   * the store (rows of items in this page are judged by their new values, not their stored ones).
   */
  async #duplicates(
    okItems: readonly MappedProduct[],
    existing: ReadonlyMap<string, ExistingRow>,
    pageIds: ReadonlySet<string>,
  ): Promise<{ losers: Set<string>; issues: IssueRow[] }> {
    const losers = new Set<string>();
    const issues: IssueRow[] = [];
    const live = okItems.filter((p) => !p.archived);
    if (live.length === 0) return { losers, issues };

    type Candidate = { msId: string; rank: number; code: string | null; article: string | null; name: string; inPage: boolean; brand: string; article0: string; msType: 'product' | 'variant' };
    const groups = new Map<string, Candidate[]>();
    for (const p of live) {
      const prev = existing.get(p.msId);
      const incumbent = prev && prev.syncState === 'ok' && prev.deleted === 0 && prev.brandNorm === p.brandNorm && prev.articleNorm === p.articleNorm;
      const k = keyOf(p.brandNorm, p.articleNorm);
      const list = groups.get(k) ?? [];
      list.push({ msId: p.msId, rank: incumbent ? prev.id : Number.POSITIVE_INFINITY, code: p.code, article: p.article, name: p.name, inPage: true, brand: p.brand, article0: p.article, msType: p.kind });
      groups.set(k, list);
    }
    const articleNorms = [...new Set(live.map((p) => p.articleNorm))];
    const fast = this.#sqliteRead('holders');
    const holderParts: Array<Promise<HolderRow[]> | HolderRow[]> = fast
      ? [fast.all(this.#msAccountId, JSON.stringify(articleNorms)) as HolderRow[]]
      : chunk(articleNorms, IN_CHUNK).map((part) => this.#holders(part));
    for (const part of holderParts) {
      const holders = await part;
      for (const h of holders) {
        if (pageIds.has(h.msId)) continue;
        const list = groups.get(keyOf(h.brandNorm, h.articleNorm));
        if (!list) continue;
        list.push({ msId: h.msId, rank: h.id, code: h.code, article: h.article, name: h.name, inPage: false, brand: h.brand, article0: h.article, msType: h.kind });
      }
    }
    for (const list of groups.values()) {
      if (list.length < 2) continue;
      list.sort((a, b) => a.rank - b.rank || (a.msId < b.msId ? -1 : a.msId > b.msId ? 1 : 0));
      const [winner, ...rest] = list as [Candidate, ...Candidate[]];
      const label = `${winner.brand} ${winner.article0}`;
      issues.push({
        msProductId: winner.msId,
        code: winner.code,
        article: winner.article,
        name: winner.name,
        reason: 'duplicate-brand-article',
        message: `brand+article "${label}" is also on MoySklad product(s) ${rest.map((r) => r.msId).join(', ')}; this one stays synced (it came first), the others are not synced`,
        msType: winner.msType,
      });
      for (const r of rest) {
        if (r.inPage) losers.add(r.msId);
        issues.push({
          msProductId: r.msId,
          code: r.code,
          article: r.article,
          name: r.name,
          reason: 'duplicate-brand-article',
          message: `brand+article "${label}" is also on MoySklad product ${winner.msId}, which stays synced; this one is not synced`,
          msType: r.msType,
        });
      }
    }
    return { losers, issues };
  }
}

function changed(prev: ExistingRow, p: MappedProduct, categoryId: number | null): boolean {
  return (
    prev.brand !== p.brand ||
    prev.article !== p.article ||
    prev.code !== p.code ||
    prev.name !== p.name ||
    prev.description !== p.description ||
    prev.categoryId !== categoryId ||
    prev.msFolderId !== p.msFolderId ||
    prev.archived !== (p.archived ? 1 : 0) ||
    prev.deleted !== 0 ||
    prev.msUpdated !== p.msUpdated ||
    prev.syncState !== 'ok' ||
    prev.salePrices !== p.salePrices ||
    prev.msImageCount !== p.msImageCount ||
    prev.kind !== p.kind ||
    prev.parentMsId !== p.parentMsId
  );
}
