/**
 * @module input
 * API JSON → internal fields: reference hrefs checked against the emulator's origins (1059),
 * per-type writable fields with type checks (2016), required fields (3000), enums (3005),
 * product code uniqueness (3006), images (≤ 10), positions (≤ 1000) and computed sums.
 */

import { Buffer } from 'node:buffer';
import { parseMoscow, formatMoscow } from '../../core/moscow-time.js';
import { MsError, msErrors } from '../http/ms-error.js';
import { mediaTypeOf } from '../state/account.js';
import { isUuid } from '../state/ids.js';
import { isEntityType, isRef, ref, type Entity, type EntityType, type Fields, type ImageRec, type Position, type Ref } from '../state/types.js';
import type { ApiRequest } from './api-types.js';

type Kind = 'string' | 'number' | 'bool' | 'ref' | 'date' | 'enum' | 'any' | 'stringArray';
interface FieldRule {
  kind: Kind;
  refTypes?: string[];
  values?: string[];
  max?: number;
}

const S: FieldRule = { kind: 'string', max: 255 };
const TEXT: FieldRule = { kind: 'string', max: 4096 };
const N: FieldRule = { kind: 'number' };
const B: FieldRule = { kind: 'bool' };
const R = (...refTypes: string[]): FieldRule => ({ kind: 'ref', refTypes });
const E = (...values: string[]): FieldRule => ({ kind: 'enum', values });

const COMPANY_TYPES = ['legal', 'entrepreneur', 'individual', 'legalUZ', 'entrepreneurUZ', 'individualUZ', 'legalKZ', 'entrepreneurKZ', 'individualKZ'];

const base: Record<string, FieldRule> = { name: S, code: S, externalCode: S, description: TEXT, shared: B };

export const RULES: Record<EntityType, Record<string, FieldRule>> = {
  organization: { ...base, archived: B, companyType: E(...COMPANY_TYPES), inn: S, kpp: S, ogrn: S, okpo: S, legalTitle: TEXT, legalAddress: TEXT, actualAddress: TEXT, email: S, phone: S },
  store: { ...base, archived: B, address: TEXT, parent: R('store') },
  productfolder: { ...base, productFolder: R('productfolder'), vat: N, vatEnabled: B, useParentVat: B },
  product: {
    ...base,
    archived: B,
    article: S,
    productFolder: R('productfolder'),
    uom: R('uom'),
    supplier: R('counterparty'),
    country: R('country'),
    salePrices: { kind: 'any' },
    buyPrice: { kind: 'any' },
    minPrice: { kind: 'any' },
    barcodes: { kind: 'any' },
    vat: N,
    vatEnabled: B,
    useParentVat: B,
    weight: N,
    volume: N,
    minimumBalance: N,
    paymentItemType: S,
    trackingType: S,
    syncId: S,
    images: { kind: 'any' },
    attributes: { kind: 'any' },
  },
  variant: {},
  counterparty: {
    ...base,
    archived: B,
    companyType: E(...COMPANY_TYPES),
    inn: S,
    kpp: S,
    ogrn: S,
    ogrnip: S,
    okpo: S,
    legalTitle: TEXT,
    legalAddress: TEXT,
    actualAddress: TEXT,
    legalFirstName: S,
    legalLastName: S,
    legalMiddleName: S,
    email: S,
    phone: S,
    fax: S,
    tags: { kind: 'stringArray' },
    discountCardNumber: S,
    syncId: S,
    priceType: { kind: 'any' },
  },
  customerorder: {
    name: S,
    code: S,
    externalCode: S,
    description: TEXT,
    shared: B,
    moment: { kind: 'date' },
    deliveryPlannedMoment: { kind: 'date' },
    applicable: B,
    vatEnabled: B,
    vatIncluded: B,
    organization: R('organization'),
    agent: R('counterparty', 'organization'),
    store: R('store'),
    state: R('state'),
    shipmentAddress: TEXT,
    syncId: S,
    positions: { kind: 'any' },
    rate: { kind: 'any' },
    project: { kind: 'any' },
    contract: { kind: 'any' },
    salesChannel: { kind: 'any' },
    attributes: { kind: 'any' },
  },
  purchaseorder: {},
  demand: {},
  webhook: { url: { kind: 'string', max: 100000 }, action: E('CREATE', 'UPDATE', 'DELETE', 'PROCESSED'), entityType: S, diffType: E('NONE', 'FIELDS'), enabled: B },
  webhookstock: { url: { kind: 'string', max: 100000 }, stockType: E('stock'), reportType: E('all', 'bystore'), enabled: B },
};
RULES.purchaseorder = { ...RULES.customerorder, agent: R('counterparty', 'organization') };
delete RULES.purchaseorder.shipmentAddress;

const REQUIRED: Record<EntityType, string[]> = {
  organization: ['name'],
  store: ['name'],
  productfolder: ['name'],
  product: ['name'],
  variant: ['name'],
  counterparty: ['name'],
  customerorder: ['organization', 'agent'],
  purchaseorder: ['organization', 'agent'],
  demand: [],
  webhook: ['url', 'action', 'entityType'],
  webhookstock: ['url', 'stockType', 'reportType'],
};

/** The path of the API base (`/api/remap/1.2`), parsed once per base: a 1,000-order POST has thousands of references. */
const basePaths = new Map<string, string>();
const basePathOf = (base: string): string => {
  let p = basePaths.get(base);
  if (p === undefined) basePaths.set(base, (p = new URL(base).pathname));
  return p;
};

/** Parses a `{meta:{href,type}}` reference. */
export function parseRef(req: ApiRequest, value: unknown, field: string): Ref {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw msErrors.wrongType(field);
  const meta = (value as { meta?: unknown }).meta;
  if (typeof meta !== 'object' || meta === null) throw msErrors.wrongType(field);
  const { href, type } = meta as { href?: unknown; type?: unknown };
  if (typeof href !== 'string' || href === '') throw new MsError(412, 2010, `Не указан href в метаданных поля '${field}'`, field);
  if (typeof type !== 'string' || type === '') throw new MsError(412, 2011, `Не указан type в метаданных поля '${field}'`, field);
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw msErrors.foreignHref(href);
  }
  if (!req.origins.includes(url.origin)) throw msErrors.foreignHref(href);
  const prefix = basePathOf(req.ctx.base);
  if (!url.pathname.startsWith(prefix + '/')) throw msErrors.foreignHref(href);
  const segs = url.pathname.slice(prefix.length + 1).split('/').filter(Boolean);
  const id = segs[segs.length - 1] ?? '';
  if (type === 'state') {
    // entity/{doc}/metadata/states/{id}
    return ref('state', id, segs[1]);
  }
  if (type.endsWith('position')) return ref(type, id, segs[2]);
  if (type === 'pricetype') return ref('pricetype', id);
  const hrefType = segs[0] === 'entity' ? segs[1] : segs[segs.length - 2];
  if (hrefType !== type) throw new MsError(412, 2016, `Тип '${type}' не совпадает с типом в href '${href}'`, field);
  return ref(type, id);
}

/** The referenced object must exist. */
function checkRefExists(req: ApiRequest, r: Ref, field: string, allowed?: string[]): void {
  const { type, id, parent } = r.$ref;
  if (allowed && !allowed.includes(type)) throw new MsError(412, 2016, `Поле '${field}' не может ссылаться на объект типа '${type}'`, field);
  const a = req.account;
  let exists = true;
  if (isEntityType(type)) exists = a.get(type, id) !== undefined;
  else if (type === 'state') exists = (a.states[(parent ?? 'customerorder') as 'customerorder'] ?? []).some((s) => s.id === id);
  else if (type === 'pricetype') exists = a.priceTypes.some((p) => p.id === id);
  else if (type === 'currency') exists = id === a.currencyId;
  else if (type === 'uom') exists = id === a.uomId;
  if (!exists) throw new MsError(412, 1021, `Объект с типом '${type}' и идентификатором '${id}' не найден`, field);
}

function convertField(req: ApiRequest, type: EntityType, k: string, v: unknown, rule: FieldRule): unknown {
  if (v === null) return undefined;
  switch (rule.kind) {
    case 'string':
      if (typeof v !== 'string') throw msErrors.wrongType(k);
      if (rule.max && v.length > rule.max) throw new MsError(412, 3008, `Превышена максимальная длина поля '${k}'`, k);
      return v === '' ? undefined : v;
    case 'number':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw msErrors.wrongType(k);
      return v;
    case 'bool':
      if (typeof v !== 'boolean') throw msErrors.wrongType(k);
      return v;
    case 'enum':
      if (typeof v !== 'string') throw msErrors.wrongType(k);
      if (!rule.values?.includes(v)) throw msErrors.badEnum(k, v);
      return v;
    case 'date': {
      if (typeof v !== 'string') throw msErrors.wrongType(k);
      const ms = parseMoscow(v);
      if (ms === null) throw new MsError(400, 2016, `Неверный формат даты поля '${k}': '${v}'`, k);
      return formatMoscow(ms);
    }
    case 'stringArray':
      if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw msErrors.wrongType(k);
      return v.length ? v : undefined;
    case 'ref': {
      const r = parseRef(req, v, k);
      checkRefExists(req, r, k, rule.refTypes);
      if (r.$ref.type === 'state' && r.$ref.parent !== type) throw new MsError(412, 2016, `Статус не относится к типу '${type}'`, k);
      return r;
    }
    case 'any':
      return convertAny(req, v, k);
  }
}

/** Generic conversion for nested structures: any `{meta}` becomes a Ref. */
function convertAny(req: ApiRequest, v: unknown, k: string): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.map((x) => convertAny(req, x, k));
  if (typeof v === 'object') {
    if ('meta' in (v as object)) {
      // any nested {meta} (currency, priceType, project, contract…) is stored as a reference
      const r = parseRef(req, v, k);
      checkRefExists(req, r, k);
      return r;
    }
    const out: Fields = {};
    for (const [kk, x] of Object.entries(v as Fields)) {
      const y = convertAny(req, x, `${k}.${kk}`);
      if (y !== undefined) out[kk] = y;
    }
    return out;
  }
  return v;
}

function money(req: ApiRequest, v: unknown, k: string): Fields {
  if (typeof v !== 'object' || v === null) throw msErrors.wrongType(k);
  const value = (v as { value?: unknown }).value;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw msErrors.wrongType(`${k}.value`);
  return { value, currency: ref('currency', req.account.currencyId) };
}

function salePrices(req: ApiRequest, v: unknown): Fields[] {
  if (!Array.isArray(v)) throw msErrors.wrongType('salePrices');
  return v.map((p, i) => {
    if (typeof p !== 'object' || p === null) throw msErrors.wrongType(`salePrices[${i}]`);
    const { value, priceType } = p as { value?: unknown; priceType?: unknown };
    if (typeof value !== 'number' || !Number.isFinite(value)) throw msErrors.wrongType('salePrices.value');
    let pt: Ref;
    if (priceType === undefined) {
      const first = req.account.priceTypes[0];
      if (!first) throw msErrors.required('salePrices.priceType');
      pt = ref('pricetype', first.id);
    } else {
      pt = parseRef(req, priceType, 'salePrices.priceType');
      checkRefExists(req, pt, 'salePrices.priceType', ['pricetype']);
    }
    return { value, currency: ref('currency', req.account.currencyId), priceType: pt };
  });
}

function barcodes(v: unknown): Fields[] {
  if (!Array.isArray(v)) throw msErrors.wrongType('barcodes');
  return v.map((b) => {
    if (typeof b !== 'object' || b === null) throw msErrors.wrongType('barcodes');
    const entries = Object.entries(b as Fields);
    if (entries.length !== 1) throw msErrors.wrongType('barcodes');
    const [kind, code] = entries[0] as [string, unknown];
    if (!['ean13', 'ean8', 'code128', 'gtin', 'upc'].includes(kind)) throw msErrors.badEnum('barcodes', kind);
    if (typeof code !== 'string' || code.length > 255) throw new MsError(412, 3011, 'Неверный штрихкод', 'barcodes');
    return { [kind]: code };
  });
}

const BASE64_RE = /^[A-Za-z0-9+/\s]*={0,2}\s*$/;

/** `images:[{filename, content}]` → stored files (at most 10). */
export function imagesFromInput(req: ApiRequest, v: unknown, existing: ImageRec[] = []): ImageRec[] {
  if (!Array.isArray(v)) throw msErrors.wrongType('images');
  const out = [...existing];
  for (const img of v) {
    if (typeof img !== 'object' || img === null) throw msErrors.wrongType('images');
    const { filename, content } = img as { filename?: unknown; content?: unknown };
    if (typeof filename !== 'string' || filename === '') throw msErrors.required('images.filename');
    if (typeof content !== 'string' || content === '') throw msErrors.required('images.content');
    if (!BASE64_RE.test(content)) throw new MsError(400, 51003, `Содержимое изображения '${filename}' не является base64`, 'images.content');
    const bytes = new Uint8Array(Buffer.from(content, 'base64'));
    if (bytes.length === 0) throw new MsError(400, 51003, `Пустое изображение '${filename}'`, 'images.content');
    if (bytes.length > 10 * 1024 * 1024) throw new MsError(413, 51001, 'Размер изображения превышает 10 МБ', 'images.content');
    if (out.length >= 10) throw new MsError(412, 51002, 'Превышено максимальное количество изображений (10)', 'images');
    const fileId = req.account.putFile(bytes, mediaTypeOf(filename), filename);
    out.push({ id: req.account.ids(), fileId, title: filename.replace(/\.[^.]*$/, ''), filename, size: bytes.length, updatedMs: req.nowMs });
  }
  return out;
}

/** Validates positions and returns internal Position objects (existing ids kept when given). */
export function positionsFromInput(req: ApiRequest, docType: 'customerorder' | 'purchaseorder', v: unknown, existing: Position[] = []): Position[] {
  const list = Array.isArray(v) ? v : [v];
  if (list.length > 1000) throw msErrors.tooManyNested('positions');
  return list.map((p) => positionFromInput(req, docType, p, existing));
}

export function positionFromInput(req: ApiRequest, docType: 'customerorder' | 'purchaseorder', p: unknown, existing: Position[] = [], current?: Position): Position {
  if (typeof p !== 'object' || p === null || Array.isArray(p)) throw msErrors.wrongType('positions');
  const input = p as Fields;
  let id: string | undefined = current?.id;
  let prev: Position | undefined = current;
  if (!current && input.meta !== undefined) {
    const r = parseRef(req, input, 'positions');
    prev = existing.find((x) => x.id === r.$ref.id);
    if (!prev) throw new MsError(412, 1021, `Объект с типом '${docType}position' и идентификатором '${r.$ref.id}' не найден`, 'positions');
    id = prev.id;
  }
  const f: Fields = prev ? { ...prev.f } : {};
  let assortment = input.assortment;
  for (const alias of ['product', 'variant', 'service', 'bundle', 'consignment']) if (assortment === undefined && input[alias] !== undefined) assortment = input[alias];
  if (assortment !== undefined) {
    const r = parseRef(req, assortment, 'assortment');
    checkRefExists(req, r, 'assortment', ['product', 'variant']);
    f.assortment = r;
  }
  if (!f.assortment) throw msErrors.required('assortment');
  const numField = (k: string, dflt: number | undefined): void => {
    const x = input[k];
    if (x === undefined || x === null) {
      if (f[k] === undefined && dflt !== undefined) f[k] = dflt;
      return;
    }
    if (typeof x !== 'number' || !Number.isFinite(x)) throw msErrors.wrongType(k);
    f[k] = x;
  };
  numField('quantity', undefined);
  if (typeof f.quantity !== 'number') throw msErrors.required('quantity');
  if ((f.quantity as number) < 0) throw new MsError(412, 3007, 'Количество не может быть отрицательным', 'quantity');
  numField('price', 0);
  numField('discount', 0);
  numField('vat', 0);
  if (input.vatEnabled !== undefined) {
    if (typeof input.vatEnabled !== 'boolean') throw msErrors.wrongType('vatEnabled');
    f.vatEnabled = input.vatEnabled;
  } else if (f.vatEnabled === undefined) f.vatEnabled = (f.vat as number) > 0;
  if (docType === 'customerorder') {
    numField('reserve', 0);
    if ((f.reserve as number) > (f.quantity as number)) throw new MsError(412, 3007, 'Резерв не может превышать количество', 'reserve');
  } else {
    numField('inTransit', 0);
  }
  if (f.shipped === undefined) f.shipped = 0;
  return { id: id ?? req.account.ids(), f };
}

/** Recomputes read-only sums from positions (kopecks). */
export function computeSums(docType: 'customerorder' | 'purchaseorder', f: Fields): void {
  const positions = (f.positions as Position[] | undefined) ?? [];
  let sum = 0;
  let vatSum = 0;
  let reservedSum = 0;
  const vatIncluded = f.vatIncluded !== false;
  for (const p of positions) {
    const price = Number(p.f.price ?? 0);
    const qty = Number(p.f.quantity ?? 0);
    const disc = Number(p.f.discount ?? 0);
    const line = price * qty * (1 - disc / 100);
    const vat = p.f.vatEnabled ? Number(p.f.vat ?? 0) : 0;
    if (f.vatEnabled && vat) vatSum += vatIncluded ? (line * vat) / (100 + vat) : (line * vat) / 100;
    sum += f.vatEnabled && !vatIncluded && vat ? line * (1 + vat / 100) : line;
    if (docType === 'customerorder') reservedSum += price * Number(p.f.reserve ?? 0) * (1 - disc / 100);
  }
  f.sum = Math.round(sum);
  f.vatSum = Math.round(vatSum);
  f.payedSum = 0;
  f.shippedSum = 0;
  f.invoicedSum = 0;
  if (docType === 'customerorder') f.reservedSum = Math.round(reservedSum);
}

const FORBIDDEN_WEBHOOK_TYPES = new Set(['webhook', 'discount', 'notes', 'webhookstock']);

/**
 * Converts an API body into a field patch for `type`. `existing` is the entity being updated
 * (undefined on create). Throws MsError on the first problem.
 */
export function fieldsFromInput(req: ApiRequest, type: EntityType, body: unknown, existing?: Entity): Fields {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw msErrors.badJson('Ожидается JSON-объект');
  const input = body as Fields;
  const rules = RULES[type];
  const patch: Fields = {};
  for (const [k, v] of Object.entries(input)) {
    const rule = rules[k];
    if (!rule) continue; // read-only or unknown fields are ignored
    if (k === 'salePrices') patch[k] = v === null ? undefined : salePrices(req, v);
    else if (k === 'buyPrice' || k === 'minPrice') patch[k] = v === null ? undefined : money(req, v, k);
    else if (k === 'barcodes') patch[k] = v === null ? undefined : barcodes(v);
    else if (k === 'images') patch[k] = v === null ? [] : imagesFromInput(req, v);
    else if (k === 'positions' && (type === 'customerorder' || type === 'purchaseorder'))
      patch[k] = v === null ? [] : positionsFromInput(req, type, v, (existing?.f.positions as Position[] | undefined) ?? []);
    else if (k === 'syncId') {
      if (typeof v !== 'string' || !isUuid(v)) throw msErrors.wrongType('syncId');
      if (existing && existing.f.syncId !== undefined && existing.f.syncId !== v) throw new MsError(412, 1047, "Поле 'syncId' не может быть изменено", 'syncId');
      patch[k] = v;
    } else patch[k] = convertField(req, type, k, v, rule);
  }
  const merged: Fields = { ...(existing?.f ?? {}), ...patch };
  for (const k of REQUIRED[type]) {
    const v = merged[k];
    if (v === undefined || v === null || v === '') throw msErrors.required(k);
  }
  const a = req.account;
  if (type === 'product' && typeof patch.code === 'string') {
    const other = a.findByCode('product', patch.code);
    if (other && other.id !== existing?.id) throw msErrors.notUnique('code', patch.code);
  }
  if (type === 'productfolder' && isRef(patch.productFolder) && existing) {
    // no cycles
    let cur: string | undefined = patch.productFolder.$ref.id;
    let guard = 0;
    while (cur && guard++ < 100) {
      if (cur === existing.id) throw new MsError(412, 3007, 'Группа не может быть вложена сама в себя', 'productFolder');
      const parent: unknown = a.get('productfolder', cur)?.f.productFolder;
      cur = isRef(parent) ? parent.$ref.id : undefined;
    }
  }
  if (type === 'webhook') validateWebhook(req, merged, existing);
  if (type === 'webhookstock' && typeof merged.url === 'string' && merged.url.length > 255) throw new MsError(412, 30010, 'Длина URL превышает 255 символов', 'url');
  if (type === 'customerorder' || type === 'purchaseorder') {
    if (!existing) {
      if (patch.name === undefined) patch.name = a.nextName(type);
      if (patch.moment === undefined) patch.moment = formatMoscow(Math.floor(req.nowMs / 60000) * 60000);
      if (patch.applicable === undefined) patch.applicable = true;
      if (patch.vatEnabled === undefined) patch.vatEnabled = true;
      if (patch.vatIncluded === undefined) patch.vatIncluded = true;
      if (patch.positions === undefined) patch.positions = [];
    }
    const f = { ...(existing?.f ?? {}), ...patch };
    computeSums(type, f);
    for (const k of ['sum', 'vatSum', 'payedSum', 'shippedSum', 'invoicedSum', 'reservedSum']) if (f[k] !== undefined) patch[k] = f[k];
  }
  if (!existing) {
    if ((type === 'product' || type === 'counterparty' || type === 'organization' || type === 'store' || type === 'productfolder') && patch.externalCode === undefined) {
      patch.externalCode = a.ids().replace(/-/g, '').slice(0, 22);
    }
    if (type === 'product') {
      if (patch.archived === undefined) patch.archived = false;
      if (patch.images === undefined) patch.images = [];
      if (patch.uom === undefined) patch.uom = ref('uom', a.uomId);
      if (patch.salePrices === undefined) patch.salePrices = [];
      if (patch.barcodes === undefined) patch.barcodes = [{ ean13: ean13(req.account.ids()) }];
    }
    if (type === 'counterparty') {
      if (patch.archived === undefined) patch.archived = false;
      if (patch.companyType === undefined) patch.companyType = 'legal';
    }
    if (type === 'organization' || type === 'store') if (patch.archived === undefined) patch.archived = false;
    if (type === 'productfolder') patch.archived = false;
    if (type === 'webhook') {
      patch.method = 'POST';
      if (patch.enabled === undefined) patch.enabled = true;
      if (patch.action === 'UPDATE' && patch.diffType === undefined) patch.diffType = 'NONE';
    }
    if (type === 'webhookstock' && patch.enabled === undefined) patch.enabled = true;
  }
  if (type === 'product' && Array.isArray(patch.images) && (patch.images as ImageRec[]).length > 10) {
    throw new MsError(412, 51002, 'Превышено максимальное количество изображений (10)', 'images');
  }
  return patch;
}

function validateWebhook(req: ApiRequest, m: Fields, existing?: Entity): void {
  const url = String(m.url);
  if (url.length > 255) throw new MsError(412, 30010, 'Длина URL превышает 255 символов', 'url');
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new MsError(412, 30001, `Неверный URL вебхука: '${url}'`, 'url');
  }
  const entityType = String(m.entityType);
  if (FORBIDDEN_WEBHOOK_TYPES.has(entityType) || !/^[a-z]+$/.test(entityType)) throw new MsError(412, 30002, `Недопустимый тип сущности '${entityType}'`, 'entityType');
  if (m.diffType !== undefined && m.action !== 'UPDATE') {
    if (!(existing && m.diffType === 'NONE')) throw new MsError(412, 30009, "Параметр 'diffType' допустим только для action UPDATE", 'diffType');
  }
  for (const w of req.account.rows('webhook')) {
    if (w.id === existing?.id) continue;
    if (w.f.url === url && w.f.entityType === entityType && w.f.action === m.action) {
      throw new MsError(412, 30003, 'Вебхук с такими entityType, action и url уже существует', 'url');
    }
  }
  if (!existing) {
    const max = req.authKind === 'solution-token' ? 1 : 5;
    const same = req.account.rows('webhook').filter((w) => w.f.entityType === entityType && w.f.action === m.action).length;
    if (same >= max) throw new MsError(412, 30007, `Превышено количество вебхуков (${max}) для ${entityType}/${String(m.action)}`, 'entityType');
  }
}

/** A valid EAN-13 derived from a uuid (deterministic). */
export function ean13(seed: string): string {
  const digits = ('2' + seed.replace(/[^0-9]/g, '').padEnd(11, '0').slice(0, 11)).split('').map(Number);
  const sum = digits.reduce((s, d, i) => s + d * (i % 2 === 0 ? 1 : 3), 0);
  return digits.join('') + String((10 - (sum % 10)) % 10);
}

/** (item, store) pairs whose reserve / in-transit an order contributes to (see EmulatorAccount.stockCells). */
export function orderStockPairs(type: string, f: Fields): [string, string][] {
  if ((type !== 'customerorder' && type !== 'purchaseorder') || f.applicable === false || !isRef(f.store)) return [];
  const field = type === 'customerorder' ? 'reserve' : 'inTransit';
  const storeId = f.store.$ref.id;
  const out: [string, string][] = [];
  for (const p of (f.positions as Position[] | undefined) ?? []) {
    if (Number(p.f[field] ?? 0) && isRef(p.f.assortment)) out.push([p.f.assortment.$ref.id, storeId]);
  }
  return out;
}
