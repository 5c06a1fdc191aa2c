/**
 * @module nomenclature-sync
 * R15–R17, R19, B3, B5: MoySklad products and variants → the store's product directory.
 *
 * Full pass (`runFullNomenclature`): pages `entity/product` then `entity/variant` with
 * `filter=archived=true;archived=false` (MoySklad hides archived rows otherwise), `order=id`
 * (stable while products change: an update does not move a row) and limit 1000. Once a list's
 * `meta.size` is known, its further offsets are requested ahead, at most `pagesInFlight` pages
 * (default 4) requested and not yet written at any time (the variant list starts when every product
 * page is requested), so memory stays flat whatever the catalog size. Pages are written
 * strictly in offset order, products before variants, each in one transaction, and `{phase, offset}`
 * is checkpointed after each: the checkpoint only ever advances over pages written, so a run killed
 * with pages in flight resumes from the last written page with the same pass start. Only when both lists were read to the end are the rows
 * the pass did not see (their `ms_seen_at` is older than the pass start) candidates for deletion;
 * they are looked up by id first (a deletion during the pass shifts offset paging by one row),
 * and only those MoySklad really does not have are marked `deleted=1`.
 *
 * Incremental pass (`runIncrementalNomenclature`): `filter=updated>=<cursor − overlap>` ordered
 * by `updated,asc;id`. After every page the cursor moves to the `updated` of the page's last row
 * (millisecond precision, which MoySklad filters accept) with an offset counting the rows already
 * read at exactly that instant — keyset paging, so rows changed meanwhile neither shift the pages
 * nor get lost. A list is read to its end when `meta.size` says no row follows the page (no extra
 * empty request after a full page). The first page of variants is requested together with the first
 * page of products and written after the products (variants take their parent's folder). It never
 * infers deletions from the lists.
 *
 * Both passes: when an integration of the account has a root folder, the folder tree is read first
 * (one request) and problems of items outside every root are not reported (C5); a variant whose
 * product changed its name, brand, article or folder on an incremental page is read again with its
 * siblings (`filter=productid=…`, C2); and a part whose kept duplicate card went is handed over to
 * the next card (C9, `duplicate-handover.ts`).
 */
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import { formatMoscow, parseMoscow } from '../../core/moscow-time.js';
import type { MoySkladClient } from '../../moysklad/client.js';
import { listOf } from '../../moysklad/schemas/list.js';
import { productRowSchema, variantRowSchema } from '../../moysklad/schemas/nomenclature-row.js';
import { chunk, nowIso } from '../../store/database.js';
import { DataQualityRepository } from '../../store/repositories/data-quality-repository.js';
import { NomenclaturePageRepository } from '../../store/repositories/nomenclature-page-repository.js';
import { ProductRepository } from '../../store/repositories/product-repository.js';
import type { Database } from '../../store/schema.js';
import { nomenclatureScope, scopeKeyOf } from '../categories/folder-tree-sync.js';
import type { SyncRun } from '../sync-run.js';
import type { SyncProgress } from '../sync-registry.js';
import { accountScope, loadCheckpoint, saveCheckpoint } from './checkpoints.js';
import { markProductsDeleted } from './deletion-check.js';
import { handOverDuplicates } from './duplicate-handover.js';
import { emptyCounts, NomenclatureWriter, type PageCounts } from './nomenclature-writer.js';
import { mapMsProduct, mapMsVariant, type MappedItem } from './product-mapper.js';

export { NOMENCLATURE_FULL, NOMENCLATURE_INCREMENTAL } from './kinds.js';
import { NOMENCLATURE_FULL, NOMENCLATURE_INCREMENTAL } from './kinds.js';
import { logMsg } from '../../domain/log-messages.js';

export interface NomenclatureDeps {
  db: Kysely<Database>;
  clock: Clock;
}

export interface NomenclatureTarget {
  msAccountId: number;
  client: MoySkladClient;
}

export interface NomenclatureOptions {
  signal?: AbortSignal;
  progress?: (p: SyncProgress) => void | Promise<void>;
  /** Page size (default 1000, MoySklad's maximum). */
  pageLimit?: number;
  /** Incremental: how far before the cursor to start again (default 60 s) for late-visible changes. */
  overlapMs?: number;
  /**
   * Full pass: list pages requested and not yet written, at most (default 4 = the limiter's parallel
   * cap, MoySklad allows 5). Each is up to one page of rows held in memory. With a solution token
   * (15 requests/s) 3 were measured 15–20% slower than 4: the responses, not the budget, set the pace.
   */
  pagesInFlight?: number;
  /** Full pass: how many ids one deletion check asks for (default 80, keeps the URL short). */
  verifyBatch?: number;
  /** Called after each page is written (benchmark: store writes per second). */
  onPageWritten?: (info: { rows: number; writeMs: number }) => void;
}

type Phase = 'product' | 'variant';
const PHASES: readonly Phase[] = ['product', 'variant'];
const ALL_ARCHIVE_STATES = 'archived=true;archived=false';

interface FullCursor {
  state: 'running' | 'done';
  passStartedAt: string;
  phase: Phase;
  offset: number;
  completedAt?: string;
}

interface KeysetCursor {
  /** MoySklad `updated` text (Moscow, ms) of the last row read, or null = from the beginning. */
  since: string | null;
  /** Rows already read whose `updated` equals `since`. */
  offset: number;
}

interface IncrementalCursor {
  running: boolean;
  /** Where the (running or next) pass reads from. */
  product: KeysetCursor;
  variant: KeysetCursor;
  /** High-water marks: the latest `updated` read per list; the next pass starts at mark − overlap. */
  mark: Record<Phase, string | null>;
  /**
   * C5: the key of the folders the account's integrations showed (`scopeKeyOf`). When a root folder
   * changes, goods enter the scope that no pass reported on: the next incremental pass then reads
   * both lists from the beginning (once).
   */
  scopeKey?: string;
}

const maxText = (a: string | null, b: string | null): string | null => (a === null ? b : b === null ? a : a > b ? a : b);

export interface NomenclatureResult extends PageCounts {
  deleted: number;
  pages: number;
  resumed: boolean;
  /** C9: cards that took the place of a kept duplicate that went. */
  handedOver: number;
}

const pageSchemas = {
  product: listOf(productRowSchema),
  variant: listOf(variantRowSchema),
} as const;

interface FetchedPage {
  rows: MappedItem[];
  /** `meta.size`: rows the list holds under this filter. */
  size: number;
}

async function fetchPage(
  client: MoySkladClient,
  phase: Phase,
  query: { filter: string; order: string; limit: number; offset: number },
  signal: AbortSignal | undefined,
): Promise<FetchedPage> {
  signal?.throwIfAborted();
  const page = await client.get(`entity/${phase}`, pageSchemas[phase], query, signal);
  const rows = phase === 'product' ? page.rows.map((r) => mapMsProduct(r as z.infer<typeof productRowSchema>)) : page.rows.map((r) => mapMsVariant(r as z.infer<typeof variantRowSchema>));
  return { rows, size: page.meta.size };
}

/** MoySklad `updated` of a mapped item as MoySklad wrote it (the keyset cursor). */
const rawUpdated = (item: MappedItem): string | undefined => (item.ok ? item.product.msUpdatedRaw : item.issue.msUpdatedRaw) ?? undefined;

/** A page request whose failure is handled where it is awaited (never an unhandled rejection). */
function settled<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

/**
 * Offset paging of one list with requests ahead: the first page is requested on `start()`; once a
 * page has told the list's size, `fill()` requests the following offsets up to that size. Pages come
 * out of `next()` in offset order.
 */
class ListReader {
  readonly #request: (offset: number) => Promise<FetchedPage>;
  readonly #limit: number;
  readonly #queue: Array<{ offset: number; page: Promise<FetchedPage> }> = [];
  #nextOffset: number;
  #size: number | null = null;
  #started = false;

  constructor(request: (offset: number) => Promise<FetchedPage>, startOffset: number, limit: number) {
    this.#request = request;
    this.#nextOffset = startOffset;
    this.#limit = limit;
  }

  /** Requests waiting to be taken by `next()`. */
  get queued(): number {
    return this.#queue.length;
  }

  get started(): boolean {
    return this.#started;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#push();
  }

  /** Every page of the list is requested (its size is known and reached). */
  get requestedAll(): boolean {
    return this.#started && this.#size !== null && this.#nextOffset >= this.#size;
  }

  /** Whether `fill()` would request another page (the size is known and not reached yet). */
  get canFill(): boolean {
    return this.#started && this.#size !== null && this.#nextOffset < this.#size;
  }

  fill(): void {
    if (this.canFill) this.#push();
  }

  #push(): void {
    const offset = this.#nextOffset;
    this.#nextOffset += this.#limit;
    const page = settled(
      this.#request(offset).then((p) => {
        this.#size = Math.max(this.#size ?? 0, p.size);
        return p;
      }),
    );
    this.#queue.push({ offset, page });
  }

  /** The next page in offset order. */
  async next(): Promise<{ offset: number; page: FetchedPage }> {
    this.start();
    const head = this.#queue.shift();
    if (!head) throw new Error('ListReader.next() after the end of the list');
    return { offset: head.offset, page: await head.page };
  }
}

function add(total: PageCounts, c: PageCounts): void {
  total.created += c.created;
  total.updated += c.updated;
  total.unchanged += c.unchanged;
  total.skipped += c.skipped;
  total.archived += c.archived;
  total.outsideRoot += c.outsideRoot;
}

function countInto(run: SyncRun, c: PageCounts): void {
  for (const [k, v] of Object.entries(c)) if (v > 0) run.count(k, v);
}

/**
 * R17/R19 full pass. Counts go into `run` (created, updated, unchanged, skipped, archived,
 * deleted). Resumes an interrupted pass of the same account from its checkpoint.
 */
export async function runFullNomenclature(deps: NomenclatureDeps, target: NomenclatureTarget, run: SyncRun, options: NomenclatureOptions = {}): Promise<NomenclatureResult> {
  const { db, clock } = deps;
  const scope = accountScope(target.msAccountId);
  const limit = options.pageLimit ?? 1000;
  const prior = await loadCheckpoint<FullCursor>(db, scope, NOMENCLATURE_FULL);
  const resumed = prior?.state === 'running';
  const cursor: FullCursor = resumed ? prior : { state: 'running', passStartedAt: nowIso(clock), phase: 'product', offset: 0 };
  if (resumed) await run.log('info', `resuming the full pass started at ${cursor.passStartedAt} from ${cursor.phase} offset ${cursor.offset}`, undefined, logMsg('full_pass_resumed', { startedAt: cursor.passStartedAt }));
  await saveCheckpoint(db, clock, scope, NOMENCLATURE_FULL, cursor);

  const folderScope = await nomenclatureScope(deps, target, options.signal);
  const writer = new NomenclatureWriter(db, clock, target.msAccountId, folderScope);
  const total = emptyCounts();
  let pages = 0;
  let done = 0;
  // As many pages ahead as the client may have in flight (its limiter's parallel cap: 4, 5 with a solution token).
  const window = Math.max(1, options.pagesInFlight ?? target.client.maxParallel);
  // Requests still in flight when the pass ends (a failed write, a kill) are cancelled.
  const ahead = new AbortController();
  const onAbort = (): void => ahead.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const phases = PHASES.slice(PHASES.indexOf(cursor.phase));
  const readers = new Map<Phase, ListReader>(
    phases.map((phase) => [
      phase,
      new ListReader(
        (offset) => fetchPage(target.client, phase, { filter: ALL_ARCHIVE_STATES, order: 'id', limit, offset }, ahead.signal),
        phase === cursor.phase ? cursor.offset : 0,
        limit,
      ),
    ]),
  );
  const queued = (): number => [...readers.values()].reduce((n, r) => n + r.queued, 0);
  /**
   * Keeps up to `window` pages requested and not yet written. A list is started only once every
   * list before it is requested to its end: a later list's first page requested up front would
   * wait, unwritten, through the whole earlier list and hold one slot of the window all along
   * (measured: 2 product requests in flight instead of 3).
   */
  const topUp = (): void => {
    for (const reader of readers.values()) {
      if (!reader.started && queued() < window) reader.start();
      while (reader.canFill && queued() < window) reader.fill();
      if (!reader.requestedAll) return;
    }
  };
  try {
    for (const phase of phases) {
      if (cursor.phase !== phase) {
        cursor.phase = phase;
        cursor.offset = 0;
      }
      const reader = readers.get(phase) as ListReader;
      for (;;) {
        topUp();
        const { page } = await reader.next();
        options.signal?.throwIfAborted(); // a page that arrived after the kill is not written
        const more = page.rows.length >= limit && cursor.offset + page.rows.length < page.size;
        topUp(); // the page told the list's size: request ahead while this one is written
        const t0 = performance.now();
        const c = await writer.writePage(page.rows, { runId: run.id, seenAt: cursor.passStartedAt });
        options.onPageWritten?.({ rows: page.rows.length, writeMs: performance.now() - t0 });
        add(total, c);
        countInto(run, c);
        pages += 1;
        done += page.rows.length;
        cursor.offset += page.rows.length;
        await saveCheckpoint(db, clock, scope, NOMENCLATURE_FULL, cursor);
        await options.progress?.({ done, total: page.size, message: `${phase}s ${cursor.offset}/${page.size}` });
        if (!more) break;
      }
      readers.delete(phase); // pages requested past a list that ended early are dropped
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    ahead.abort(new Error('nomenclature pass ended'));
  }

  // The pass is complete: what it did not see is gone from MoySklad, after a check by id.
  const deleted = await markUnseenDeleted(deps, target, writer, run, cursor.passStartedAt, options);
  // Issues of products no longer reported (fixed or deleted) go.
  await new DataQualityRepository(db, clock).resolveDetectedBefore(target.msAccountId, cursor.passStartedAt);
  const { handedOver } = await handOverDuplicates(deps, target, run, { verifyKept: false, ...(options.signal ? { signal: options.signal } : {}) });

  await saveCheckpoint(db, clock, scope, NOMENCLATURE_FULL, { ...cursor, state: 'done', completedAt: nowIso(clock) } satisfies FullCursor);
  // The next incremental pass starts from this pass's start: changes made meanwhile are re-read.
  const inc = await loadCheckpoint<IncrementalCursor>(db, scope, NOMENCLATURE_INCREMENTAL);
  const startText = formatMoscow(Date.parse(cursor.passStartedAt));
  if (!inc || inc.running) {
    const mark = { product: maxText(inc?.mark?.product ?? null, startText), variant: maxText(inc?.mark?.variant ?? null, startText) };
    const fresh: IncrementalCursor = { running: false, product: { since: mark.product, offset: 0 }, variant: { since: mark.variant, offset: 0 }, mark, scopeKey: scopeKeyOf(folderScope) };
    await saveCheckpoint(db, clock, scope, NOMENCLATURE_INCREMENTAL, fresh);
  } else {
    const mark = { product: maxText(inc.mark?.product ?? null, startText), variant: maxText(inc.mark?.variant ?? null, startText) };
    await saveCheckpoint(db, clock, scope, NOMENCLATURE_INCREMENTAL, { ...inc, mark, scopeKey: scopeKeyOf(folderScope) } satisfies IncrementalCursor);
  }
  return { ...total, deleted, pages, resumed, handedOver };
}

async function markUnseenDeleted(
  deps: NomenclatureDeps,
  target: NomenclatureTarget,
  writer: NomenclatureWriter,
  run: SyncRun,
  passStartedAt: string,
  options: NomenclatureOptions,
): Promise<number> {
  const products = new NomenclaturePageRepository(deps.db, deps.clock, target.msAccountId);
  const unseen = (): Promise<string[]> => products.unseenIds(passStartedAt);
  const candidates = await unseen();
  if (candidates.length === 0) return 0;
  const batch = options.verifyBatch ?? 80;
  for (const phase of PHASES) {
    const still = phase === 'product' ? candidates : await unseen();
    for (const ids of chunk(still, batch)) {
      const filter = ids.map((id) => `id=${id}`).join(';');
      const page = await fetchPage(target.client, phase, { filter, order: 'id', limit: 1000, offset: 0 }, options.signal);
      if (page.rows.length > 0) {
        const c = await writer.writePage(page.rows, { runId: run.id, seenAt: passStartedAt });
        countInto(run, c);
      }
    }
  }
  const n = (await markProductsDeleted(deps, target.msAccountId, await unseen())).length;
  if (n > 0) {
    run.count('deleted', n);
    await run.log('info', `${n} product(s) no longer in MoySklad marked deleted`, undefined, logMsg('products_marked_deleted', { count: n }));
  }
  return n;
}

/**
 * B3 incremental pass: only what changed since the cursor (minus the overlap), checkpointed after
 * every page; never infers deletions.
 */
export async function runIncrementalNomenclature(deps: NomenclatureDeps, target: NomenclatureTarget, run: SyncRun, options: NomenclatureOptions = {}): Promise<NomenclatureResult> {
  const { db, clock } = deps;
  const scope = accountScope(target.msAccountId);
  const limit = options.pageLimit ?? 1000;
  const overlapMs = options.overlapMs ?? 60_000;
  const prior = await loadCheckpoint<IncrementalCursor>(db, scope, NOMENCLATURE_INCREMENTAL);
  const resumed = prior?.running === true;
  const back = (since: string | null): KeysetCursor => {
    if (since === null) return { since: null, offset: 0 };
    const ms = parseMoscow(since);
    return ms === null ? { since: null, offset: 0 } : { since: formatMoscow(ms - overlapMs), offset: 0 };
  };
  const folderScope = await nomenclatureScope(deps, target, options.signal);
  const scopeKey = scopeKeyOf(folderScope);
  let cursor: IncrementalCursor;
  if (prior && resumed) {
    cursor = { ...prior, mark: prior.mark ?? { product: prior.product.since, variant: prior.variant.since } };
    await run.log('info', `resuming the interrupted incremental pass from products since ${cursor.product.since ?? 'the beginning'}`, undefined, logMsg('incremental_pass_resumed', { since: cursor.product.since ?? null }));
  } else {
    const mark = prior?.mark ?? { product: prior?.product.since ?? null, variant: prior?.variant.since ?? null };
    const rescan = prior?.scopeKey !== undefined && prior.scopeKey !== scopeKey;
    cursor = { running: true, product: rescan ? { since: null, offset: 0 } : back(mark.product), variant: rescan ? { since: null, offset: 0 } : back(mark.variant), mark };
    if (rescan) await run.log('info', 'the root folders of the integrations changed: every product and variant is read once more', undefined, logMsg('root_folders_changed', {}));
  }
  cursor.running = true;
  cursor.scopeKey = scopeKey;
  await saveCheckpoint(db, clock, scope, NOMENCLATURE_INCREMENTAL, cursor);

  const writer = new NomenclatureWriter(db, clock, target.msAccountId, folderScope);
  const total = emptyCounts();
  let pages = 0;
  let done = 0;
  const changedParents = new Set<string>();
  const request = (phase: Phase): Promise<FetchedPage> => {
    const k = cursor[phase];
    const filter = k.since === null ? ALL_ARCHIVE_STATES : `updated>=${k.since};${ALL_ARCHIVE_STATES}`;
    return settled(fetchPage(target.client, phase, { filter, order: 'updated,asc;id', limit, offset: k.offset }, options.signal));
  };
  // Both lists at once: the first variant page is read while the products are read and written.
  const first = { product: request('product'), variant: request('variant') };
  for (const phase of PHASES) {
    const k = cursor[phase];
    let next = first[phase];
    for (;;) {
      const page = await next;
      options.signal?.throwIfAborted(); // a page that arrived after the kill is not written
      const readBefore = k.offset;
      const t0 = performance.now();
      const c = await writer.writePage(page.rows, { runId: run.id, seenAt: null, changedParents });
      options.onPageWritten?.({ rows: page.rows.length, writeMs: performance.now() - t0 });
      add(total, c);
      countInto(run, c);
      pages += 1;
      done += page.rows.length;
      const last = page.rows.length > 0 ? rawUpdated(page.rows[page.rows.length - 1] as MappedItem) : undefined;
      if (last === undefined) {
        k.offset += page.rows.length;
      } else if (last === k.since) {
        k.offset += page.rows.length;
      } else {
        k.since = last;
        k.offset = page.rows.filter((r) => rawUpdated(r) === last).length;
      }
      cursor.mark[phase] = maxText(cursor.mark[phase], k.since);
      await saveCheckpoint(db, clock, scope, NOMENCLATURE_INCREMENTAL, cursor);
      await options.progress?.({ done, message: `${phase}s changed: ${done}` });
      // `meta.size` counts the rows under this page's filter: none follows when it is reached.
      if (page.rows.length < limit || readBefore + page.rows.length >= page.size) break;
      next = request(phase);
    }
  }
  const variants = await refreshVariantsOf(deps, target, writer, run, [...changedParents], options.signal);
  add(total, variants);
  const { deleted, handedOver } = await handOverDuplicates(deps, target, run, { verifyKept: true, ...(options.signal ? { signal: options.signal } : {}) });
  const finished: IncrementalCursor = {
    running: false,
    product: { since: cursor.mark.product, offset: 0 },
    variant: { since: cursor.mark.variant, offset: 0 },
    mark: cursor.mark,
    scopeKey,
  };
  await saveCheckpoint(db, clock, scope, NOMENCLATURE_INCREMENTAL, finished);
  return { ...total, deleted, pages, resumed, handedOver };
}

/**
 * C2: the variants of products whose name, brand, article or folder changed on an incremental page
 * are read again (`filter=productid=…`, 80 products per request; none when no changed product has
 * variants), so variants catalogued from their parent follow it without waiting for the nightly pass.
 */
async function refreshVariantsOf(deps: NomenclatureDeps, target: NomenclatureTarget, writer: NomenclatureWriter, run: SyncRun, parentIds: readonly string[], signal?: AbortSignal): Promise<PageCounts> {
  const total = emptyCounts();
  if (parentIds.length === 0) return total;
  const parents = await new ProductRepository(deps.db, deps.clock).parentsWithVariants(target.msAccountId, parentIds);
  for (const ids of chunk(parents, 80)) {
    const filter = `${ids.map((id) => `productid=${id}`).join(';')};${ALL_ARCHIVE_STATES}`;
    for (let offset = 0; ; offset += 1000) {
      const page = await fetchPage(target.client, 'variant', { filter, order: 'id', limit: 1000, offset }, signal);
      const c = await writer.writePage(page.rows, { runId: run.id, seenAt: null });
      add(total, c);
      countInto(run, c);
      if (page.rows.length < 1000) break;
    }
  }
  return total;
}
