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
import type { Clock } from '../../core/clock.js';
import { nowIso } from '../../store/database.js';
import type { Db } from '../../store/db.js';
import { NomenclaturePageRepository, type ExistingProductRow, type PageWrite, type ProductUpsert, type SkipUpdate } from '../../store/repositories/nomenclature-page-repository.js';
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

type ExistingRow = ExistingProductRow;

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
type Upsert = MappedProduct & ProductUpsert & { skipReason: DataQualityReason | null };

const keyOf = (brandNorm: string, articleNorm: string): string => `${brandNorm}\u0000${articleNorm}`;

export class NomenclatureWriter {
  readonly #pages: NomenclaturePageRepository;
  readonly #clock: Clock;
  readonly #scope: FolderScope;

  /** @param scope C5: the folders shown by the account's integrations (null = all). */
  constructor(db: Db, clock: Clock, msAccountId: number, scope: FolderScope = null) {
    this.#pages = new NomenclaturePageRepository(db, clock, msAccountId);
    this.#clock = clock;
    this.#scope = scope;
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
    const existing = await this.#pages.existing(ids);

    const okItems = all.filter((i): i is { ok: true; product: MappedProduct } => i.ok).map((i) => i.product);
    const skippedItems: MappedIssue[] = all.filter((i): i is { ok: false; issue: MappedIssue } => !i.ok).map((i) => i.issue);

    // ---- duplicates among live items (this page + the store)
    // A synced card of the store (not on this page) loses only when a card of the page came first
    // (e.g. two keys that became equal when the normal form changed, C7): it is kept out too.
    const { losers, storeLosers, issues: dupIssues } = await this.#duplicates(okItems, existing, new Set(ids));
    counts.skipped += storeLosers.size;

    const upserts = this.#upserts(okItems, existing, losers, counts, options);
    const { issues, skipUpdates } = this.#notSynced(skippedItems, existing, counts);
    issues.push(...dupIssues);
    const withIssue = new Set(issues.map((i) => i.msProductId));
    const clearIssues = ids.filter((id) => !withIssue.has(id));
    // Rows the upsert writes carry the seen marker already; only the unchanged and not-synced ones are left.
    const written = new Set(upserts.map((p) => p.msId));
    const unwritten = options.seenAt === null ? [] : written.size === 0 ? ids : ids.filter((id) => !written.has(id));
    const write: PageWrite = { runId: options.runId, seenAt: options.seenAt, upserts, storeLosers: [...storeLosers], skipUpdates, clearIssues, issues, unwritten };
    await this.#pages.writePage(write, at);
    return counts;
  }

  /** The products to write: synced ones, and duplicate losers with all their fields (C9); counts them. */
  #upserts(okItems: readonly MappedProduct[], existing: ReadonlyMap<string, ExistingRow>, losers: ReadonlySet<string>, counts: PageCounts, options: WritePageOptions): Upsert[] {
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
    return upserts;
  }

  /** Items that are not synced (R16 failures, variants whose product is not synced): their report entries and the stored rows to mark. */
  #notSynced(skippedItems: readonly MappedIssue[], existing: ReadonlyMap<string, ExistingRow>, counts: PageCounts): { issues: IssueRow[]; skipUpdates: SkipUpdate[] } {
    const notSynced: SkipUpdate[] = [];
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
    const skipUpdates = notSynced.filter((s) => {
      const prev = existing.get(s.msId);
      return prev && (prev.syncState !== 'skipped' || prev.skipReason !== s.reason || prev.msUpdated !== s.msUpdated || prev.archived !== (s.archived ? 1 : 0) || prev.deleted !== 0);
    });
    return { issues, skipUpdates };
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
    for (const r of await this.#pages.parents(parentIds)) parents.set(r.msId, { ...r, usable: r.syncState === 'ok' && r.deleted === 0 });
    return items.map((i) => {
      const parentId = parentIdOf(i);
      return parentId === null ? i : withParent(i, parents.get(parentId));
    });
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
    for (const h of await this.#pages.holders(articleNorms)) {
      if (pageIds.has(h.msId) || !this.#inScope(h.msFolderId)) continue;
      const list = groups.get(keyOf(h.brandNorm, h.articleNorm));
      if (!list) continue;
      list.push({ msId: h.msId, rank: h.id, code: h.code, article: h.article, name: h.name, inPage: false, brand: h.brand, msFolderId: h.msFolderId, kind: h.kind });
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
