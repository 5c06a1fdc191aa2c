/**
 * @module reports
 * Stock reports (REFERENCE §5, VERIFIED #13) and the counterparty report (§6, VERIFIED #12).
 */

import { formatMoscow, parseMoscow } from '../../core/moscow-time.js';
import { MsError, msErrors } from '../http/ms-error.js';
import { isUuid } from '../state/ids.js';
import { metaOf, serializeImage } from '../state/serialize.js';
import { isRef, type Entity, type Fields, type ImageRec, type StockCell } from '../state/types.js';
import { compileFilter, parseFilter, splitEscaped, type FieldSpec } from '../query/filter.js';
import { compileOrder, parseOrder } from '../query/order.js';
import { searchPredicate } from '../query/fields.js';
import type { ApiRequest, ApiResult } from './api-types.js';
import { listEnvelope, pagingOf } from './list-response.js';
import { parseRef } from './input-refs.js';
import { mustFind } from './entity.js';

type Mode = 'all' | 'positiveOnly' | 'negativeOnly' | 'empty' | 'nonEmpty' | 'underMinimum';
const MODES: Mode[] = ['all', 'positiveOnly', 'negativeOnly', 'empty', 'nonEmpty', 'underMinimum'];

function modeTest(mode: Mode, value: number, minimum: number): boolean {
  switch (mode) {
    case 'all':
      return true;
    case 'positiveOnly':
      return value > 0;
    case 'negativeOnly':
      return value < 0;
    case 'empty':
      return value === 0;
    case 'nonEmpty':
      return value !== 0;
    case 'underMinimum':
      return value < minimum;
  }
}

interface StockRow {
  e: Entity;
  stock: number;
  reserve: number;
  inTransit: number;
  quantity: number;
  byStore: Map<string, StockCell>;
}

interface StockFilter {
  stores: Set<string> | undefined;
  products: Set<string> | undefined;
  folders: Set<string> | undefined;
  withSubFolders: boolean;
  stockMode: Mode;
  quantityMode: Mode;
  archived: boolean | undefined;
  search: string | undefined;
}

function parseStockFilter(req: ApiRequest, defaults: { stockMode: Mode; quantityMode: Mode }): StockFilter {
  const sf: StockFilter = { stores: undefined, products: undefined, folders: undefined, withSubFolders: true, ...defaults, archived: false, search: undefined };
  const text = req.query.get('filter') ?? '';
  for (const part of splitEscaped(text)) {
    const i = part.indexOf('=');
    if (i <= 0) throw msErrors.badFilter(`Неверное условие фильтрации: '${part}'`);
    const field = part.slice(0, i);
    const value = part.slice(i + 1);
    const hrefId = (type: string): string => {
      const r = parseRef(req, { meta: { href: value, type } }, field);
      return r.$ref.id;
    };
    switch (field) {
      case 'store':
        (sf.stores ??= new Set()).add(hrefId('store'));
        break;
      case 'product':
      case 'variant':
        (sf.products ??= new Set()).add(hrefId(field));
        break;
      case 'productFolder':
        (sf.folders ??= new Set()).add(hrefId('productfolder'));
        break;
      case 'withSubFolders':
        sf.withSubFolders = value !== 'false';
        break;
      case 'stockMode':
      case 'quantityMode':
        if (!MODES.includes(value as Mode)) throw msErrors.badFilterValue(`Неверное значение '${value}' параметра фильтрации '${field}'`);
        sf[field] = value as Mode;
        break;
      case 'archived':
        if (value !== 'true' && value !== 'false') throw msErrors.badFilterValue(`Неверное значение '${value}' параметра фильтрации 'archived'`);
        sf.archived = sf.archived === undefined || sf.archived === (value === 'true') ? value === 'true' : undefined;
        break;
      case 'search':
        sf.search = value;
        break;
      case 'moment':
        if (parseMoscow(value) === null) throw msErrors.badDate(value);
        break;
      default:
        throw msErrors.badFilter(`Фильтрация по полю '${field}' не поддерживается`);
    }
  }
  if (req.query.get('search')) sf.search = req.query.get('search') ?? undefined;
  return sf;
}

function folderMatches(req: ApiRequest, e: Entity, folders: Set<string>, sub: boolean): boolean {
  const f = e.f.productFolder;
  if (!isRef(f)) return false;
  if (folders.has(f.$ref.id)) return true;
  if (!sub) return false;
  let cur: unknown = req.account.get('productfolder', f.$ref.id)?.f.productFolder;
  let guard = 0;
  while (isRef(cur) && guard++ < 50) {
    if (folders.has(cur.$ref.id)) return true;
    cur = req.account.get('productfolder', cur.$ref.id)?.f.productFolder;
  }
  return false;
}

function stockRows(req: ApiRequest, sf: StockFilter): StockRow[] {
  const a = req.account;
  const search = sf.search ? searchPredicate('product', sf.search) : undefined;
  const out: StockRow[] = [];
  for (const e of [...a.rows('product'), ...a.rows('variant')]) {
    if (sf.archived !== undefined && (e.f.archived === true) !== sf.archived) continue;
    if (sf.products && !sf.products.has(e.id)) continue;
    if (sf.folders && !folderMatches(req, e, sf.folders, sf.withSubFolders)) continue;
    if (search && !search(e)) continue;
    const cells = a.stockCells(e.id) ?? new Map<string, StockCell>();
    let stock = 0, reserve = 0, inTransit = 0;
    for (const [storeId, c] of cells) {
      if (sf.stores && !sf.stores.has(storeId)) continue;
      stock += c.stock;
      reserve += c.reserve;
      inTransit += c.inTransit;
    }
    const quantity = stock - reserve + inTransit;
    const min = Number(e.f.minimumBalance ?? 0);
    if (!modeTest(sf.stockMode, stock, min) || !modeTest(sf.quantityMode, quantity, min)) continue;
    out.push({ e, stock, reserve, inTransit, quantity, byStore: cells });
  }
  return out;
}

const STOCK_ORDER: Record<string, FieldSpec> = {
  name: { kind: 'string', get: (r: StockRow) => r.e.f.name },
  code: { kind: 'string', get: (r: StockRow) => r.e.f.code },
  stock: { kind: 'number', get: (r: StockRow) => r.stock },
  reserve: { kind: 'number', get: (r: StockRow) => r.reserve },
  inTransit: { kind: 'number', get: (r: StockRow) => r.inTransit },
  quantity: { kind: 'number', get: (r: StockRow) => r.quantity },
  price: { kind: 'number', get: (r: StockRow) => (r.e.f.buyPrice as { value?: number } | undefined)?.value ?? 0 },
  salePrice: { kind: 'number', get: (r: StockRow) => ((r.e.f.salePrices as { value: number }[] | undefined) ?? [])[0]?.value ?? 0 },
};

function assortmentMeta(req: ApiRequest, e: Entity): Fields {
  const m = metaOf(req.ctx, { type: e.type, id: e.id });
  return { ...m, href: `${String(m.href)}?expand=supplier` };
}

export function stockAll(req: ApiRequest): ApiResult {
  const paging = pagingOf(req);
  const sf = parseStockFilter(req, { stockMode: 'all', quantityMode: 'nonEmpty' });
  let rows = stockRows(req, sf);
  const cmp = compileOrder<StockRow>(parseOrder(req.query.get('order') ?? undefined), STOCK_ORDER);
  if (cmp) rows = rows.sort(cmp);
  const a = req.account;
  const page = rows.slice(paging.offset, paging.offset + paging.limit).map((r) => {
    const e = r.e;
    const out: Fields = { meta: assortmentMeta(req, e), stock: r.stock, inTransit: r.inTransit, reserve: r.reserve, quantity: r.quantity, name: e.f.name };
    if (e.f.code) out.code = e.f.code;
    if (e.f.article) out.article = e.f.article;
    out.price = (e.f.buyPrice as { value?: number } | undefined)?.value ?? 0;
    out.salePrice = ((e.f.salePrices as { value: number }[] | undefined) ?? [])[0]?.value ?? 0;
    out.uom = { meta: metaOf(req.ctx, { type: 'uom', id: a.uomId }), name: 'шт' };
    const folder = e.f.productFolder;
    if (isRef(folder)) {
      const fe = a.get('productfolder', folder.$ref.id);
      const parent = fe?.f.productFolder;
      out.folder = { meta: metaOf(req.ctx, folder.$ref), name: fe?.f.name, pathName: isRef(parent) ? a.folderFullPath(parent.$ref.id) : '' };
    }
    const img = ((e.f.images as ImageRec[] | undefined) ?? [])[0];
    if (img) out.image = serializeImage(req.ctx, e.id, img, e.type);
    out.externalCode = e.f.externalCode;
    out.stockDays = 0;
    return out;
  });
  return { status: 200, body: listEnvelope(req, 'report/stock/all', 'stock', rows.length, paging, page), rows: page.length };
}

export function stockByStore(req: ApiRequest): ApiResult {
  const paging = pagingOf(req);
  const sf = parseStockFilter(req, { stockMode: 'nonEmpty', quantityMode: 'all' });
  const rows = stockRows(req, sf);
  const stores = req.account.rows('store').filter((s) => !sf.stores || sf.stores.has(s.id));
  const page = rows.slice(paging.offset, paging.offset + paging.limit).map((r) => ({
    meta: assortmentMeta(req, r.e),
    stockByStore: stores.map((s) => {
      const c = r.byStore.get(s.id);
      return { meta: metaOf(req.ctx, { type: 'store', id: s.id }), name: s.f.name, stock: c?.stock ?? 0, reserve: c?.reserve ?? 0, inTransit: c?.inTransit ?? 0 };
    }),
  }));
  return { status: 200, body: listEnvelope(req, 'report/stock/bystore', 'stockbystore', rows.length, paging, page), rows: page.length };
}

const STOCK_TYPES = ['stock', 'freeStock', 'quantity', 'reserve', 'inTransit'] as const;
type StockType = (typeof STOCK_TYPES)[number];

function cellValue(c: { stock: number; reserve: number; inTransit: number } | undefined, t: StockType): number {
  if (!c) return 0;
  switch (t) {
    case 'stock':
      return c.stock;
    case 'freeStock':
      return c.stock - c.reserve;
    case 'quantity':
      return c.stock - c.reserve + c.inTransit;
    case 'reserve':
      return c.reserve;
    case 'inTransit':
      return c.inTransit;
  }
}

function parseIdList(field: string, value: string): Set<string> {
  const ids = value.split(',').map((s) => s.trim()).filter(Boolean);
  for (const id of ids) if (!isUuid(id)) throw msErrors.badFilterValue(`Неверное значение '${id}' параметра фильтрации '${field}'`);
  return new Set(ids);
}

/**
 * `/report/stock/{all|bystore}/current`: a bare array, no paging (VERIFIED #13). C10: only an
 * administrator or a user with the «Остатки» permission may ask (13004, md/reports/_report_stock.md);
 * a report larger than the emulator's row limit answers 13005 («попробуйте сократить количество
 * элементов использовав фильтры», md/_errors.md) — the filters are `assortmentId` and `storeId`.
 */
export function stockCurrent(req: ApiRequest, byStore: boolean): ApiResult {
  if (!req.user.admin && !req.user.stockReport) throw msErrors.noCurrentStockReport();
  const a = req.account;
  const stockType = (req.query.get('stockType') ?? 'stock') as StockType;
  if (!STOCK_TYPES.includes(stockType)) throw new MsError(400, 1014, `Неверное значение '${stockType}' параметра 'stockType'`, 'stockType');
  const include = req.query.get('include');
  if (include !== null && include !== 'zeroLines') throw new MsError(400, 1014, `Неверное значение '${include}' параметра 'include'`, 'include');
  const zeroLines = include === 'zeroLines';
  let assortmentIds: Set<string> | undefined;
  let storeIds: Set<string> | undefined;
  for (const part of splitEscaped(req.query.get('filter') ?? '')) {
    const i = part.indexOf('=');
    const field = part.slice(0, i);
    const value = part.slice(i + 1);
    if (field === 'assortmentId') assortmentIds = parseIdList(field, value);
    else if (field === 'storeId') storeIds = parseIdList(field, value);
    else throw msErrors.badFilter(`Фильтрация по полю '${field}' не поддерживается`);
  }
  let sinceMs: number | undefined;
  const cs = req.query.get('changedSince');
  if (cs !== null) {
    const ms = parseMoscow(cs);
    if (ms === null) throw new MsError(400, 1035, `Неверный формат даты '${cs}' параметра 'changedSince', ожидается yyyy-MM-dd HH:mm:ss`, 'changedSince');
    if (ms > req.nowMs) throw new MsError(400, 1014, `Значение параметра 'changedSince' не может быть в будущем: '${cs}'`, 'changedSince');
    if (req.nowMs - ms > 24 * 3600_000) throw new MsError(400, 1014, `Значение параметра 'changedSince' не может быть раньше, чем 24 часа назад: '${cs}'`, 'changedSince');
    sinceMs = ms;
  }
  const out: Fields[] = [];
  const stores = a.rows('store').filter((s) => !storeIds || storeIds.has(s.id));
  const consider = (id: string, archived: boolean): void => {
    if (assortmentIds && !assortmentIds.has(id)) return;
    const cells = a.stockCells(id);
    const tomb = a.stockTombstones.get(id);
    if (sinceMs !== undefined) {
      const gone = archived || tomb !== undefined;
      if (byStore) {
        for (const s of stores) {
          const c = cells?.get(s.id);
          const changed = (c && c.changedMs >= sinceMs) || (gone && tomb !== undefined && tomb >= sinceMs);
          if (changed) out.push({ assortmentId: id, storeId: s.id, [stockType]: gone ? 0 : cellValue(c, stockType) });
        }
      } else {
        let changed = gone && tomb !== undefined && tomb >= sinceMs;
        let sum = 0;
        for (const s of stores) {
          const c = cells?.get(s.id);
          if (c && c.changedMs >= sinceMs) changed = true;
          sum += cellValue(c, stockType);
        }
        if (changed) out.push({ assortmentId: id, [stockType]: gone ? 0 : sum });
      }
      return;
    }
    if (archived) return;
    if (byStore) {
      for (const s of stores) {
        const v = cellValue(cells?.get(s.id), stockType);
        if (v !== 0 || zeroLines) out.push({ assortmentId: id, storeId: s.id, [stockType]: v });
      }
    } else {
      let sum = 0;
      for (const s of stores) sum += cellValue(cells?.get(s.id), stockType);
      if (sum !== 0 || zeroLines) out.push({ assortmentId: id, [stockType]: sum });
    }
  };
  for (const e of a.rows('product')) consider(e.id, e.f.archived === true);
  for (const e of a.rows('variant')) consider(e.id, e.f.archived === true);
  if (sinceMs !== undefined) {
    for (const [id, ms] of a.stockTombstones) {
      if (ms >= sinceMs && !a.get('product', id) && !a.get('variant', id)) {
        if (assortmentIds && !assortmentIds.has(id)) continue;
        if (byStore) for (const s of stores) out.push({ assortmentId: id, storeId: s.id, [stockType]: 0 });
        else out.push({ assortmentId: id, [stockType]: 0 });
      }
    }
  }
  if (req.reportRowLimit !== undefined && out.length > req.reportRowLimit) throw msErrors.currentStockTooLarge();
  return { status: 200, body: out, rows: out.length };
}

// ---- counterparty report ------------------------------------------------------------------

/** The tariff must include CRM (1043); the user needs «Просматривать показатели» (viewCompanyCRM; 1016 is inferred). */
function requireCrm(req: ApiRequest): void {
  if (!req.account.crm) throw msErrors.noCrm();
  if (!req.user.admin && !req.user.companyCrm) throw msErrors.noViewRight();
}

function counterpartyRow(req: ApiRequest, cp: Entity): Fields {
  const balance = req.account.balances.get(cp.id) ?? 0;
  const demandsSum = balance < 0 ? -balance : 0;
  const row: Fields = {
    meta: { href: `${req.ctx.base}/report/counterparty/${cp.id}`, type: 'counterparty', mediaType: 'application/json' },
    counterparty: { meta: metaOf(req.ctx, { type: 'counterparty', id: cp.id }), id: cp.id, name: cp.f.name, externalCode: cp.f.externalCode, companyType: cp.f.companyType },
    averageReceipt: 0,
    balance,
    bonusBalance: 0,
    demandsCount: demandsSum > 0 ? 1 : 0,
    demandsSum,
    discountsSum: 0,
    profit: 0,
    returnsCount: 0,
    returnsSum: 0,
    updated: formatMoscow(cp.updatedMs),
  };
  return row;
}

const CP_FIELDS: Record<string, FieldSpec> = {
  id: { kind: 'uuid', get: (r: { cp: Entity }) => r.cp.id },
  balance: { kind: 'number', get: (r: { balance: number }) => r.balance },
  'counterparty.name': { kind: 'string', get: (r: { cp: Entity }) => r.cp.f.name },
  'counterparty.companyType': { kind: 'enum', get: (r: { cp: Entity }) => r.cp.f.companyType },
  'counterparty.inn': { kind: 'string', get: (r: { cp: Entity }) => r.cp.f.inn },
  'counterparty.email': { kind: 'string', get: (r: { cp: Entity }) => r.cp.f.email },
  'counterparty.phone': { kind: 'string', get: (r: { cp: Entity }) => r.cp.f.phone },
  'counterparty.description': { kind: 'string', get: (r: { cp: Entity }) => r.cp.f.description },
  updated: { kind: 'date', get: (r: { cp: Entity }) => r.cp.updatedMs },
};

export function counterpartyReport(req: ApiRequest): ApiResult {
  requireCrm(req);
  const paging = pagingOf(req);
  let cps = req.account.rows('counterparty');
  if (req.method === 'POST') {
    const body = req.body as { counterparties?: unknown } | undefined;
    if (!body || !Array.isArray(body.counterparties)) throw msErrors.required('counterparties');
    if (body.counterparties.length > 1000) throw msErrors.tooManyItems();
    const ids = body.counterparties.map((x) => {
      const r = parseRef(req, (x as { counterparty?: unknown })?.counterparty, 'counterparty');
      if (r.$ref.type !== 'counterparty') throw msErrors.unknownType(r.$ref.type);
      return r.$ref.id;
    });
    cps = ids.map((id) => mustFind(req, 'counterparty', id));
  }
  const pred = compileFilter<{ cp: Entity; balance: number }>(parseFilter(req.query.get('filter') ?? undefined), CP_FIELDS, { origins: req.origins });
  const rows = cps.map((cp) => ({ cp, balance: req.account.balances.get(cp.id) ?? 0 })).filter(pred);
  const page = rows.slice(paging.offset, paging.offset + paging.limit).map((r) => counterpartyRow(req, r.cp));
  return { status: 200, body: listEnvelope(req, 'report/counterparty', 'counterparty', rows.length, paging, page), rows: page.length };
}

export function counterpartyReportOne(req: ApiRequest, id: string): ApiResult {
  requireCrm(req);
  const cp = mustFind(req, 'counterparty', id);
  return { status: 200, body: counterpartyRow(req, cp), rows: 1 };
}
