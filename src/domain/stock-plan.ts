/**
 * @module stock-plan
 * The stock sync's decisions (R4, R11, R16, C3, C5), pure: what each MoySklad report line does to a
 * price list given what the store holds. `stock-sync.ts` reads (report, products, rows), calls
 * one of the two plans and applies it:
 * - `planFullStock`: the report against the rows a full run staged from the nomenclature
 *   (`stagedProductOf`) → quantities to set and staged rows to delete;
 * - `planIncrementalStock`: the changes report against the locally changed products and the
 *   current rows → rows to upsert, quantities to set and rows to remove.
 * Both classify a product the same way (`verdictOf`, `classify`, `quantityOf`) and give the same
 * data-quality findings (not in the nomenclature, unusable, no price) and run counts.
 */

/** Why a product cannot be a row; `outside-root`: not in the integration's root folder (C5, not reported). */
export type UnusableReason = 'archived' | 'deleted' | 'skipped' | 'outside-root';

/** The row a product has in the price list's current generation. */
export interface OldRow {
  quantity: number;
  /** Null: published without a price (C3). */
  price: number | null;
  name: string;
  brand: string;
  article: string;
}

/** A product of the nomenclature with its current price-list row (null when it has none). */
export interface ProductWithRow {
  id: number;
  msId: string;
  brand: string;
  article: string;
  articleNorm: string;
  name: string;
  /** Why the product cannot be a row (R16), or null when it can. */
  reason: UnusableReason | null;
  /** Price (kopecks) of the list's price type; undefined when the product has none. */
  price: number | undefined;
  updatedAt: string;
  old: OldRow | null;
}

/** A row of the current generation: its id and the figures a stock change can touch. */
export interface CurrentRow {
  id: number;
  quantity: number;
  price: number | null;
}

/** A price-list row to write. */
export interface StockRowWrite {
  productId: number;
  msProductId: string;
  brand: string;
  article: string;
  articleNorm: string;
  name: string;
  quantity: number;
  /** Kopecks; null = no price of the list's type, published empty (C3, never 0). */
  price: number | null;
}

/** A line of MoySklad's current-stock report (`storeId` absent when the report is of one store). */
export interface StockLine {
  assortmentId: string;
  value: number | null;
  storeId?: string | null | undefined;
}

export type StockCounts = Record<
  'rows' | 'added' | 'changed' | 'zeroed' | 'removed' | 'unchanged' | 'missingProducts' | 'unusableProducts' | 'outsideRoot' | 'noPrice' | 'recalculating' | 'errors',
  number
>;

export const zeroStockCounts = (): StockCounts => ({
  rows: 0,
  added: 0,
  changed: 0,
  zeroed: 0,
  removed: 0,
  unchanged: 0,
  missingProducts: 0,
  unusableProducts: 0,
  outsideRoot: 0,
  noPrice: 0,
  recalculating: 0,
  errors: 0,
});

/** What a run reports besides its counts (integration log, data-quality report). */
export interface StockFindings {
  /** Report lines of products not in the synced nomenclature. */
  missing: string[];
  /** Products left out as archived, deleted or not synced (R16); `outside-root` ones are only counted. */
  unusable: Array<[string, UnusableReason]>;
  /** C3: products left out for want of a price of the list's type. */
  unpriced: string[];
}

/** What a product is to the list: a row, left out for want of a price (C3), or unusable. */
export type Verdict = 'row' | 'unpriced' | UnusableReason;

export function verdictOf(p: Pick<ProductWithRow, 'reason' | 'price'>, publishWithoutPrice: boolean): Verdict {
  if (p.reason !== null) return p.reason;
  if (p.price === undefined && !publishWithoutPrice) return 'unpriced';
  return 'row';
}

export type RowClass = 'added' | 'changed' | 'zeroed' | 'unchanged';

/** How a row with `quantity` compares with the product's previous row (`old` null = none). */
export function classify(quantity: number, old: { quantity: number } | null, differs: boolean): RowClass {
  if (!old) return 'added';
  if (quantity === 0 && old.quantity !== 0) return 'zeroed';
  if (quantity !== old.quantity || differs) return 'changed';
  return 'unchanged';
}

/**
 * The quantity of a report value: never negative (MoySklad's can be, e.g. oversold stock); null
 * (MoySklad is recalculating) keeps `previous`.
 */
export function quantityOf(value: number | null, previous: number): number {
  if (value === null) return previous;
  return value > 0 ? value : 0;
}

/** Whether a row built from `p` would differ from `old` in anything but the quantity. */
export function differsBesidesQuantity(p: ProductWithRow, old: OldRow): boolean {
  return (p.price ?? null) !== old.price || p.name !== old.name || p.brand !== old.brand || p.article !== old.article;
}

/** A row of a product; without a price for the list's type its price is empty (null), never 0 (C3). */
export function rowOf(p: ProductWithRow, quantity: number): StockRowWrite {
  return { productId: p.id, msProductId: p.msId, brand: p.brand, article: p.article, articleNorm: p.articleNorm, name: p.name, quantity, price: p.price ?? null };
}

/** Whether a report line is of the list's store (lines without a store are). */
export const isOfStore = (line: StockLine, storeId: string): boolean => line.storeId === undefined || line.storeId === null || line.storeId === storeId;

// ---------------------------------------------------------------------------------------------
// Full run

/** A product as a full run staged it: numbers only (100 000 of them are kept until the report arrives). */
export interface StagedProduct {
  msId: string;
  verdict: Verdict;
  /** No price of the list's type (published empty, or left out). */
  noPrice: boolean;
  /** The quantity of its current row; null = no row. */
  oldQuantity: number | null;
  /** Its current row differs from the card besides the quantity. */
  differs: boolean;
  /** The id of its staged row (verdict `row`, staged with the old quantity or 0); 0 = none. */
  rowId: number;
}

/** A product of the nomenclature as a full run stages it: the row to stage (verdict `row`) and what to keep. */
export function stagedProductOf(p: ProductWithRow, publishWithoutPrice: boolean): { product: StagedProduct; row: StockRowWrite | null } {
  const verdict = verdictOf(p, publishWithoutPrice);
  const product: StagedProduct = {
    msId: p.msId,
    verdict,
    noPrice: p.price === undefined,
    oldQuantity: p.old ? p.old.quantity : null,
    differs: p.old ? differsBesidesQuantity(p, p.old) : false,
    rowId: 0,
  };
  return { product, row: verdict === 'row' ? rowOf(p, p.old?.quantity ?? 0) : null };
}

export interface FullStockInput {
  storeId: string;
  /** Every product of the nomenclature, as staged (`stagedProductOf` + the staged row id). */
  products: readonly StagedProduct[];
  report: readonly StockLine[];
  /** Rows of the current generation. */
  oldRowCount: number;
}

export interface FullStockPlan {
  /** New quantities of staged rows (in staging order), by row id. */
  quantities: { ids: number[]; values: number[] };
  /** Staged rows of products the report does not list. */
  deleteRowIds: number[];
  findings: StockFindings;
  /** Counts of the run (`rows` is the swap's, set when it is committed). */
  counts: StockCounts;
}

/** R4/R11 the full report against the staged rows; a product listed twice counts once (first line). */
export function planFullStock(input: FullStockInput): FullStockPlan {
  const { products, storeId } = input;
  const counts = zeroStockCounts();
  const findings: StockFindings = { missing: [], unusable: [], unpriced: [] };
  const index = new Map<string, number>();
  for (let i = 0; i < products.length; i++) index.set(products[i]!.msId, i);
  const missingSeen = new Set<string>();
  const seen = new Uint8Array(products.length);
  const newQuantity = new Float64Array(products.length);
  let keptOld = 0;
  for (const r of input.report) {
    if (!isOfStore(r, storeId)) continue;
    const i = index.get(r.assortmentId);
    if (i === undefined) {
      if (!missingSeen.has(r.assortmentId)) {
        missingSeen.add(r.assortmentId);
        findings.missing.push(r.assortmentId);
      }
      continue;
    }
    if (seen[i]) continue;
    seen[i] = 1;
    const p = products[i]!;
    if (p.verdict !== 'row') {
      skip(p.verdict, r.assortmentId, counts, findings);
      continue;
    }
    const previous = p.oldQuantity ?? 0; // the staged quantity (0 for a new row)
    if (r.value === null) counts.recalculating += 1;
    const quantity = quantityOf(r.value, previous);
    newQuantity[i] = quantity;
    if (p.noPrice) counts.noPrice += 1;
    if (p.oldQuantity !== null) keptOld += 1;
    counts[classify(quantity, p.oldQuantity === null ? null : { quantity: p.oldQuantity }, p.differs)] += 1;
  }
  const quantities: FullStockPlan['quantities'] = { ids: [], values: [] };
  const deleteRowIds: number[] = [];
  for (let i = 0; i < products.length; i++) {
    const p = products[i]!;
    if (p.verdict !== 'row') continue;
    if (!seen[i]) deleteRowIds.push(p.rowId);
    else if (newQuantity[i] !== (p.oldQuantity ?? 0)) {
      quantities.ids.push(p.rowId);
      quantities.values.push(newQuantity[i]!);
    }
  }
  counts.removed = input.oldRowCount - keptOld;
  counts.missingProducts = findings.missing.length;
  counts.unusableProducts = findings.unusable.length;
  return { quantities, deleteRowIds, findings, counts };
}

/** Counts and reports a product that gets no row. */
function skip(verdict: Exclude<Verdict, 'row'>, msId: string, counts: StockCounts, findings: StockFindings): void {
  if (verdict === 'unpriced') {
    findings.unpriced.push(msId);
    counts.noPrice += 1;
  } else if (verdict === 'outside-root') counts.outsideRoot += 1;
  else findings.unusable.push([msId, verdict]);
}

// ---------------------------------------------------------------------------------------------
// Incremental run

/** The report's quantities of the list's store by product (a product listed twice: the last line). */
export function stockByProduct(lines: Iterable<StockLine>, storeId: string, into = new Map<string, number | null>()): Map<string, number | null> {
  for (const r of lines) if (isOfStore(r, storeId)) into.set(r.assortmentId, r.value);
  return into;
}

/** Usable products new to the nomenclature (no row) whose stock the changes report does not give: asked by id. */
export function freshProductIds(local: readonly ProductWithRow[], stock: ReadonlyMap<string, number | null>): string[] {
  return local.filter((p) => p.reason === null && !p.old && !stock.has(p.msId)).map((p) => p.msId);
}

/** Reported products without a local change (their current row, or their product, is read). */
export function reportOnlyIds(stock: ReadonlyMap<string, number | null>, local: readonly ProductWithRow[]): string[] {
  const localIds = new Set(local.map((p) => p.msId));
  return [...stock.keys()].filter((id) => !localIds.has(id));
}

export interface IncrementalStockInput {
  publishWithoutPrice: boolean;
  /** Quantities of the report lines (`stockByProduct`), including those asked for fresh products. */
  stock: ReadonlyMap<string, number | null>;
  /** Products whose card was written locally since the last run, with their rows. */
  local: readonly ProductWithRow[];
  /** Current rows of the `reportOnlyIds` products. */
  rows: ReadonlyMap<string, CurrentRow>;
  /** The `reportOnlyIds` products without a row (absent: not in the nomenclature). */
  withoutRow: ReadonlyMap<string, ProductWithRow>;
}

export interface IncrementalStockPlan {
  /** Rows to insert or rebuild from the product card. */
  upserts: StockRowWrite[];
  /** New quantities of rows whose card did not change, by row id. */
  quantities: Array<{ id: number; quantity: number }>;
  /** Rows to remove, by MoySklad product id. */
  removals: string[];
  findings: StockFindings;
  /** C3: products that no longer lack a price (their earlier finding is cleared). */
  settled: string[];
  /** Counts of the run (`rows` is the patched list's, set when it is written). */
  counts: StockCounts;
}

/**
 * B3 the changes since the last run. Three kinds of candidates:
 * - products written locally since the last run (`local`): rebuilt from the product card;
 * - report lines of products with a row and an unchanged card: the row was built from that card,
 *   so only its quantity can differ — set by row id;
 * - report lines without a row (new to the list, or not a usable product): from the product.
 */
export function planIncrementalStock(input: IncrementalStockInput): IncrementalStockPlan {
  const { stock, rows, withoutRow } = input;
  const counts = zeroStockCounts();
  const findings: StockFindings = { missing: [], unusable: [], unpriced: [] };
  const plan: IncrementalStockPlan = { upserts: [], quantities: [], removals: [], findings, settled: [], counts };
  const reportOnly = reportOnlyIds(stock, input.local);
  const reported = (id: string, previous: number): number => {
    const value = stock.get(id) ?? null;
    if (value === null) counts.recalculating += 1;
    return quantityOf(value, previous);
  };
  for (const id of reportOnly) {
    const row = rows.get(id);
    if (!row) continue;
    const quantity = reported(id, row.quantity);
    if (row.price === null) counts.noPrice += 1;
    const c = classify(quantity, row, false);
    counts[c] += 1;
    if (c !== 'unchanged') plan.quantities.push({ id: row.id, quantity });
  }
  const evaluate = (id: string, p: ProductWithRow | undefined): void => {
    const old = p?.old ?? null;
    const verdict = p ? verdictOf(p, input.publishWithoutPrice) : null;
    if (verdict !== 'row') {
      if (verdict === null) findings.missing.push(id);
      else {
        skip(verdict, id, counts, findings);
        if (verdict !== 'unpriced') plan.settled.push(id);
      }
      if (old) {
        plan.removals.push(id);
        counts.removed += 1;
      }
      return;
    }
    plan.settled.push(id);
    const quantity = stock.has(id) ? reported(id, old?.quantity ?? 0) : (old?.quantity ?? 0);
    if (p!.price === undefined) counts.noPrice += 1;
    const c = classify(quantity, old, old ? differsBesidesQuantity(p!, old) : false);
    counts[c] += 1;
    if (c !== 'unchanged') plan.upserts.push(rowOf(p!, quantity));
  };
  for (const id of reportOnly) if (!rows.has(id)) evaluate(id, withoutRow.get(id));
  for (const p of input.local) if (p.old || stock.has(p.msId)) evaluate(p.msId, p);
  counts.missingProducts = findings.missing.length;
  counts.unusableProducts = findings.unusable.length;
  return plan;
}
