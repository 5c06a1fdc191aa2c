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
 * whatever the paging order). Every other one is stored with all its fields but
 * `sync_state='skipped'`, `skip_reason='duplicate-brand-article'`, so that it can take the kept
 * card's place as soon as that one is archived or deleted (C9, `duplicate-handover.ts`). Variants
 * catalogued with their parent's brand and article (C2) and items outside every integration's root
 * folder (C5) take no part in the check.
 *
 * Scope (C5): an item outside the root folders of the account's integrations is still stored (an
 * integration with another root, or a changed root, may show it) but a problem with it is not
 * reported; it is counted `outsideRoot`.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { chunk, nowIso, sqliteHandleOf } from '../../store/database.js';
import { dialectOf } from '../../store/dialect-of.js';
import { DataQualityRepository } from '../../store/repositories/data-quality-repository.js';
import type { Database, ProductRow, ProductSyncState } from '../../store/schema.js';
import { duplicateIssues, type DuplicateCard } from './duplicate-issues.js';
import { withParent, type DataQualityReason, type MappedIssue, type MappedItem, type MappedProduct, type VariantParent } from './product-mapper.js';

export interface PageCounts {
  created: number;
  updated: number;
  unchanged: number;
  skipped: number;
  archived: number;
  /** C5: items that could not be synced but lie outside every root folder of the account's integrations (not reported). */
  outsideRoot: number;
}

export const emptyCounts = (): PageCounts => ({ created: 0, updated: 0, unchanged: 0, skipped: 0, archived: 0, outsideRoot: 0 });

/** C5: which folders the account's integrations show; null = all (an integration without a root folder). */
export type FolderScope = ReadonlySet<string> | null;

export interface WritePageOptions {
  runId: number | null;
  /** Full pass: the pass start (ISO) stamped on every row seen, for deletion inference. */
  seenAt: string | null;
  /**
   * C2: collects the MoySklad ids of products whose catalog facts a variant inherits (name, brand,
   * article, folder, sync state) changed on this page, so the caller can refresh their variants.
   */
  changedParents?: Set<string>;
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
  msFolderId: string | null;
}

/** A product to upsert: synced (`ok`) or a duplicate that lost (`skipped`, all fields kept for C9). */
type Upsert = MappedProduct & { syncState: ProductSyncState; skipReason: DataQualityReason | null };

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

const HOLDER_COLUMNS = ['id', 'msId', 'brand', 'brandNorm', 'article', 'articleNorm', 'code', 'name', 'kind', 'msFolderId'] as const;
type HolderRow = Pick<ProductRow, (typeof HOLDER_COLUMNS)[number]>;
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

const keyOf = (brandNorm: string, articleNorm: string): string => `${brandNorm}\u0000${articleNorm}`;

export class NomenclatureWriter {
  readonly #db: Kysely<Database>;
  readonly #clock: Clock;
  readonly #msAccountId: number;
  readonly #scope: FolderScope;
  readonly #pg: boolean;
  /** The better-sqlite3 connection behind `db` (SQLite only): the page upsert runs as a cached prepared statement on it. */
  readonly #sqlite: ReturnType<typeof sqliteHandleOf>;

  /** @param scope C5: the folders shown by the account's integrations (null = all). */
  constructor(db: Kysely<Database>, clock: Clock, msAccountId: number, scope: FolderScope = null) {
    this.#db = db;
    this.#clock = clock;
    this.#msAccountId = msAccountId;
    this.#scope = scope;
    this.#pg = dialectOf(db) === 'postgres';
    this.#sqlite = this.#pg ? undefined : sqliteHandleOf(db);
  }

  /** C5: whether an item in this folder is shown by some integration of the account. */
  #inScope(msFolderId: string | null): boolean {
    return this.#scope === null || (msFolderId !== null && this.#scope.has(msFolderId));
  }

  async writePage(items: readonly MappedItem[], options: WritePageOptions): Promise<PageCounts> {
    const counts = emptyCounts();
    if (items.length === 0) return counts;
    const at = nowIso(this.#clock);
    // One entry per MoySklad id (the last one wins if a page repeats an id).
    const byId = new Map<string, MappedItem>();
    for (const it of items) byId.set(it.ok ? it.product.msId : it.issue.msId, it);
    const ids = [...byId.keys()];

    const all = await this.#withParents([...byId.values()]);
    const existing = await this.#existing(ids);

    const okItems = all.filter((i): i is { ok: true; product: MappedProduct } => i.ok).map((i) => i.product);
    const skippedItems: MappedIssue[] = all.filter((i): i is { ok: false; issue: MappedIssue } => !i.ok).map((i) => i.issue);

    // ---- duplicates among live items (this page + the store)
    // A synced card of the store (not on this page) loses only when a card of the page came first
    // (e.g. two keys that became equal when the normal form changed, C7): it is kept out too.
    const { losers, storeLosers, issues: dupIssues } = await this.#duplicates(okItems, existing, new Set(ids));
    counts.skipped += storeLosers.size;

    // ---- products to write: synced ones, and duplicate losers with all their fields (C9)
    const upserts: Upsert[] = [];
    for (const p of okItems) {
      const lost = losers.has(p.msId);
      const u: Upsert = { ...p, syncState: lost ? 'skipped' : 'ok', skipReason: lost ? 'duplicate-brand-article' : null };
      const prev = existing.get(p.msId);
      if (lost) counts.skipped += 1;
      else if (p.archived && (!prev || prev.archived === 0)) counts.archived += 1;
      if (!prev) {
        if (!lost) counts.created += 1;
        upserts.push(u);
      } else if (changed(prev, u)) {
        if (!lost) counts.updated += 1;
        upserts.push(u);
        if (p.kind === 'product' && inheritedFactsChanged(prev, u)) options.changedParents?.add(p.msId);
      } else if (!lost) {
        counts.unchanged += 1;
      }
    }

    // ---- items that are not synced: R16 failures and variants whose product is not synced
    const notSynced: Array<{ msId: string; reason: DataQualityReason; archived: boolean; msUpdated: string | null }> = [];
    const issues: IssueRow[] = [];
    for (const s of skippedItems) {
      notSynced.push({ msId: s.msId, reason: s.reason, archived: s.archived, msUpdated: s.msUpdated });
      if (!this.#inScope(s.msFolderId)) {
        counts.outsideRoot += 1;
        continue;
      }
      counts.skipped += 1;
      issues.push({ msProductId: s.msId, code: s.code, article: s.article, name: s.name, reason: s.reason, message: s.message, msType: s.kind, msFolderId: s.msFolderId });
    }
    issues.push(...dupIssues);
    const skipUpdates = notSynced.filter((s) => {
      const prev = existing.get(s.msId);
      return prev && (prev.syncState !== 'skipped' || prev.skipReason !== s.reason || prev.msUpdated !== s.msUpdated || prev.archived !== (s.archived ? 1 : 0) || prev.deleted !== 0);
    });
    const withIssue = new Set(issues.map((i) => i.msProductId));
    const clearIssues = ids.filter((id) => !withIssue.has(id));

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
      for (const part of chunk([...storeLosers], IN_CHUNK)) {
        await tx.updateTable('products').set({ syncState: 'skipped', skipReason: 'duplicate-brand-article', updatedAt: at }).where('msAccountId', '=', this.#msAccountId).where('msId', 'in', part).execute();
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

  /**
   * C2: variants completed with their parent product (already in the store after the product
   * phase): its folder, the catalog name, and for a variant without its own Code/Article the
   * parent's brand and article. One query per page of variants; none for a page of products.
   */
  async #withParents(items: MappedItem[]): Promise<MappedItem[]> {
    const parentIdOf = (i: MappedItem): string | null => (i.ok ? i.product.parentMsId : i.issue.parentMsId);
    const parentIds = [...new Set(items.map(parentIdOf).filter((id): id is string => id !== null))];
    if (parentIds.length === 0) return items;
    const parents = new Map<string, VariantParent>();
    for (const part of chunk(parentIds, IN_CHUNK)) {
      const rows = await this.#db
        .selectFrom('products')
        .select(['msId', 'msFolderId', 'name', 'brand', 'article', 'brandNorm', 'articleNorm', 'syncState', 'deleted'])
        .where('msAccountId', '=', this.#msAccountId)
        .where('msId', 'in', part)
        .execute();
      for (const r of rows) parents.set(r.msId, { ...r, usable: r.syncState === 'ok' && r.deleted === 0 });
    }
    return items.map((i) => {
      const parentId = parentIdOf(i);
      return parentId === null ? i : withParent(i, parents.get(parentId));
    });
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
      .where('keyFromParent', '=', 0)
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
  ): Promise<{ losers: Set<string>; storeLosers: Set<string>; issues: IssueRow[] }> {
    const losers = new Set<string>();
    const storeLosers = new Set<string>();
    const issues: IssueRow[] = [];
    const live = okItems.filter((p) => !p.archived && !p.keyFromParent && this.#inScope(p.msFolderId));
    if (live.length === 0) return { losers, storeLosers, issues };

    type Candidate = DuplicateCard & { rank: number; inPage: boolean };
    const groups = new Map<string, Candidate[]>();
    for (const p of live) {
      const prev = existing.get(p.msId);
      const incumbent = prev && prev.syncState === 'ok' && prev.deleted === 0 && prev.brandNorm === p.brandNorm && prev.articleNorm === p.articleNorm;
      const k = keyOf(p.brandNorm, p.articleNorm);
      const list = groups.get(k) ?? [];
      list.push({ msId: p.msId, rank: incumbent ? prev.id : Number.POSITIVE_INFINITY, code: p.code, article: p.article, name: p.name, inPage: true, brand: p.brand, msFolderId: p.msFolderId, kind: p.kind });
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
        if (pageIds.has(h.msId) || !this.#inScope(h.msFolderId)) continue;
        const list = groups.get(keyOf(h.brandNorm, h.articleNorm));
        if (!list) continue;
        list.push({ msId: h.msId, rank: h.id, code: h.code, article: h.article, name: h.name, inPage: false, brand: h.brand, msFolderId: h.msFolderId, kind: h.kind });
      }
    }
    for (const list of groups.values()) {
      if (list.length < 2) continue;
      list.sort((a, b) => a.rank - b.rank || (a.msId < b.msId ? -1 : a.msId > b.msId ? 1 : 0));
      const [winner, ...rest] = list as [Candidate, ...Candidate[]];
      for (const r of rest) (r.inPage ? losers : storeLosers).add(r.msId);
      issues.push(...duplicateIssues(winner, rest));
    }
    return { losers, storeLosers, issues };
  }
}

function changed(prev: ExistingRow, p: Upsert): boolean {
  return (
    prev.brand !== p.brand ||
    prev.article !== p.article ||
    prev.brandNorm !== p.brandNorm ||
    prev.articleNorm !== p.articleNorm ||
    prev.code !== p.code ||
    prev.name !== p.name ||
    prev.description !== p.description ||
    prev.msFolderId !== p.msFolderId ||
    prev.archived !== (p.archived ? 1 : 0) ||
    prev.deleted !== 0 ||
    prev.msUpdated !== p.msUpdated ||
    prev.syncState !== p.syncState ||
    prev.skipReason !== p.skipReason ||
    prev.salePrices !== p.salePrices ||
    prev.msImageCount !== p.msImageCount ||
    prev.kind !== p.kind ||
    prev.parentMsId !== p.parentMsId ||
    prev.keyFromParent !== (p.keyFromParent ? 1 : 0)
  );
}

/** C2: whether a product changed in what its variants take from it (name, brand, article, folder, sync state). */
function inheritedFactsChanged(prev: ExistingRow, p: Upsert): boolean {
  return prev.name !== p.name || prev.brand !== p.brand || prev.article !== p.article || prev.msFolderId !== p.msFolderId || prev.syncState !== p.syncState || prev.deleted !== 0;
}
