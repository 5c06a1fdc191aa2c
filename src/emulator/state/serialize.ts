/**
 * @module serialize
 * Internal entities → MoySklad JSON: `meta` objects with hrefs on the emulator's base URL,
 * MetaArrays for images and positions, `expand` of references, empty optional fields left out.
 */

import { formatMoscow } from '../../core/moscow-time.js';
import type { EmulatorAccount } from './account.js';
import { isRef, isEntityType, type Entity, type Fields, type ImageRec, type Position, type RefTarget } from './types.js';

export type ExpandTree = Map<string, ExpandTree>;

/** Parses `expand=positions.assortment,agent` (depth ≤ 3). */
export function parseExpand(text: string | undefined): ExpandTree | undefined {
  if (!text) return undefined;
  const root: ExpandTree = new Map();
  for (const path of text.split(',')) {
    const parts = path.trim().split('.').filter(Boolean).slice(0, 3);
    let node = root;
    for (const p of parts) {
      let next = node.get(p);
      if (!next) {
        next = new Map();
        node.set(p, next);
      }
      node = next;
    }
  }
  return root.size ? root : undefined;
}

/** URLs of an image's renditions on the file host (not API URLs, REFERENCE §4.4). */
export interface ImageUrls {
  /** `miniature.downloadHref` */
  miniatureUrl(accountId: string, fileId: string): string;
  /** `tiny.href` */
  tinyUrl(accountId: string, fileId: string): string;
}

export interface SerializeContext {
  /** e.g. http://127.0.0.1:8090/api/remap/1.2 */
  base: string;
  account: EmulatorAccount;
  /** The file host's image URLs. */
  files: ImageUrls;
  /** Reused meta objects for repeated references (owner, uom, currency, folders…) within one response. */
  metaCache?: Map<string, Fields>;
}

const MEDIA = 'application/json';

const METADATA_TYPES = new Set(['organization', 'store', 'productfolder', 'product', 'variant', 'counterparty', 'customerorder', 'purchaseorder', 'employee']);

export function hrefOf(ctx: SerializeContext, t: RefTarget): string {
  switch (t.type) {
    case 'pricetype':
      return `${ctx.base}/context/companysettings/pricetype/${t.id}`;
    case 'state':
      return `${ctx.base}/entity/${t.parent ?? 'customerorder'}/metadata/states/${t.id}`;
    case 'customerorderposition':
    case 'purchaseorderposition':
      return `${ctx.base}/entity/${t.type.replace('position', '')}/${t.parent ?? ''}/positions/${t.id}`;
    default:
      return `${ctx.base}/entity/${t.type}/${t.id}`;
  }
}

/** A reference's meta. Cached per context: callers must not mutate the result. */
export function metaOf(ctx: SerializeContext, t: RefTarget): Fields {
  let cache = ctx.metaCache;
  if (!cache) {
    cache = new Map();
    ctx.metaCache = cache;
  }
  const key = t.parent === undefined ? `${t.type}/${t.id}` : `${t.type}/${t.parent}/${t.id}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const meta = buildMeta(ctx, t);
  if (cache.size < 5000) cache.set(key, meta);
  return meta;
}

function buildMeta(ctx: SerializeContext, t: RefTarget): Fields {
  const meta: Fields = { href: hrefOf(ctx, t) };
  if (METADATA_TYPES.has(t.type)) meta.metadataHref = `${ctx.base}/entity/${t.type}/metadata`;
  else if (t.type === 'state') meta.metadataHref = `${ctx.base}/entity/${t.parent ?? 'customerorder'}/metadata`;
  meta.type = t.type;
  meta.mediaType = MEDIA;
  return meta;
}

function refValue(ctx: SerializeContext, t: RefTarget, expand: ExpandTree | undefined): unknown {
  if (t.type === 'pricetype') {
    const key = `pricetype-full/${t.id}`;
    const hit = ctx.metaCache?.get(key);
    if (hit) return hit;
    const pt = ctx.account.priceTypes.find((p) => p.id === t.id);
    const v: Fields = pt ? { meta: metaOf(ctx, t), id: pt.id, name: pt.name, externalCode: pt.externalCode } : { meta: metaOf(ctx, t) };
    ctx.metaCache?.set(key, v);
    return v;
  }
  if (expand !== undefined) {
    if (isEntityType(t.type)) {
      const target = ctx.account.get(t.type, t.id);
      if (target) return serializeEntity(target, ctx, expand.size ? expand : undefined);
    }
    if (t.type === 'state') {
      const docType = (t.parent ?? 'customerorder') as 'customerorder' | 'purchaseorder';
      const st = ctx.account.states[docType]?.find((s) => s.id === t.id);
      if (st) return { meta: metaOf(ctx, t), id: st.id, accountId: ctx.account.accountId, name: st.name, color: st.color, stateType: st.stateType, entityType: docType };
    }
  }
  return { meta: metaOf(ctx, t) };
}

function value(ctx: SerializeContext, v: unknown, expand: ExpandTree | undefined): unknown {
  if (v === null || v === undefined) return undefined;
  if (Array.isArray(v)) return v.map((x) => value(ctx, x, undefined));
  if (typeof v === 'object') {
    if (isRef(v)) return refValue(ctx, v.$ref, expand);
    const out: Fields = {};
    for (const [k, x] of Object.entries(v as Fields)) {
      const y = value(ctx, x, expand?.get(k));
      if (y !== undefined) out[k] = y;
    }
    return out;
  }
  return v;
}

function metaArray(href: string, type: string, size: number): Fields {
  return { meta: { href, type, mediaType: MEDIA, size, limit: 1000, offset: 0 } };
}

export function serializeImage(ctx: SerializeContext, productId: string, img: ImageRec, ownerType = 'product'): Fields {
  const download = `${ctx.base}/download/${img.fileId}`;
  return {
    meta: { href: `${ctx.base}/entity/${ownerType}/${productId}/images/${img.id}`, type: 'image', mediaType: MEDIA, downloadHref: download },
    title: img.title,
    filename: img.filename,
    size: img.size,
    updated: formatMoscow(img.updatedMs),
    // `miniature.href` is the API URL; its `downloadHref` and `tiny.href` are file-host URLs (no API request).
    miniature: { href: `${download}?miniature=true`, type: 'image', mediaType: 'image/png', downloadHref: ctx.files.miniatureUrl(ctx.account.accountId, img.fileId) },
    tiny: { href: ctx.files.tinyUrl(ctx.account.accountId, img.fileId), type: 'image', mediaType: 'image/png' },
  };
}

export function serializePosition(ctx: SerializeContext, docType: string, docId: string, p: Position, expand?: ExpandTree): Fields {
  const out: Fields = {
    meta: { href: hrefOf(ctx, { type: `${docType}position`, id: p.id, parent: docId }), type: `${docType}position`, mediaType: MEDIA },
    id: p.id,
    accountId: ctx.account.accountId,
  };
  for (const [k, v] of Object.entries(p.f)) {
    const y = value(ctx, v, expand?.get(k));
    if (y !== undefined) out[k] = y;
  }
  return out;
}

/** Serializes one entity. `expand` is honoured as given (the caller drops it when limit > 100). */
export function serializeEntity(e: Entity, ctx: SerializeContext, expand?: ExpandTree): Fields {
  const a = ctx.account;
  const out: Fields = { meta: metaOf(ctx, { type: e.type, id: e.id }), id: e.id, accountId: a.accountId };
  if (e.type !== 'webhook' && e.type !== 'webhookstock') {
    out.owner = { meta: metaOf(ctx, { type: 'employee', id: a.employeeId }) };
    out.shared = e.f.shared ?? false;
    out.group = { meta: metaOf(ctx, { type: 'group', id: a.groupId }) };
  }
  out.updated = formatMoscow(e.updatedMs);
  if (e.type === 'counterparty' || e.type === 'customerorder' || e.type === 'purchaseorder') out.created = formatMoscow(e.createdMs);
  for (const [k, v] of Object.entries(e.f)) {
    if (k === 'images' || k === 'positions' || k === 'shared') continue;
    const y = value(ctx, v, expand?.get(k));
    if (y !== undefined && y !== '') out[k] = y;
  }
  if (e.type === 'product' || e.type === 'variant') {
    out.salePrices = salePricesOf(ctx, e);
    if (e.type === 'product') {
      const folder = e.f.productFolder;
      out.pathName = isRef(folder) ? a.folderFullPath(folder.$ref.id) : '';
    }
    const images = (e.f.images as ImageRec[] | undefined) ?? [];
    const ma = metaArray(`${ctx.base}/entity/${e.type}/${e.id}/images`, 'image', images.length);
    if (expand?.has('images')) ma.rows = images.map((img) => serializeImage(ctx, e.id, img, e.type));
    out.images = ma;
    if (e.type === 'product') out.variantsCount = countVariants(a, e.id);
  }
  if (e.type === 'productfolder') {
    const parent = e.f.productFolder;
    out.pathName = isRef(parent) ? a.folderFullPath(parent.$ref.id) : '';
  }
  if (e.type === 'customerorder' || e.type === 'purchaseorder') {
    const positions = (e.f.positions as Position[] | undefined) ?? [];
    const ma = metaArray(`${ctx.base}/entity/${e.type}/${e.id}/positions`, `${e.type}position`, positions.length);
    const pe = expand?.get('positions');
    if (pe !== undefined) ma.rows = positions.map((p) => serializePosition(ctx, e.type, e.id, p, pe));
    out.positions = ma;
  }
  return out;
}

/**
 * `salePrices` as MoySklad answers them: one entry per price type of the account, in the account's
 * order, `value` 0 where none was set (the doc's variant example lists every type, unset ones at 0;
 * `md/dictionaries/_variant.md`). A variant without its own value for a type shows its product's
 * («Если у модификации не заданы отдельные цены продажи, в ответе будут выведены соответствующие
 * цены продажи товара», same file); per type is inferred.
 */
function salePricesOf(ctx: SerializeContext, e: Entity): Fields[] {
  const a = ctx.account;
  const own = priceMap(e.f.salePrices);
  const parent = e.type === 'variant' && isRef(e.f.product) ? priceMap(a.get('product', e.f.product.$ref.id)?.f.salePrices) : undefined;
  return a.priceTypes.map((pt) => {
    const p = own.get(pt.id) ?? parent?.get(pt.id);
    return {
      value: typeof p?.value === 'number' ? p.value : 0,
      currency: { meta: metaOf(ctx, { type: 'currency', id: a.currencyId }) },
      priceType: refValue(ctx, { type: 'pricetype', id: pt.id }, undefined),
    };
  });
}

function priceMap(prices: unknown): Map<string, Fields> {
  const out = new Map<string, Fields>();
  if (!Array.isArray(prices)) return out;
  for (const p of prices as Fields[]) if (isRef(p.priceType)) out.set(p.priceType.$ref.id, p);
  return out;
}

function countVariants(a: EmulatorAccount, productId: string): number {
  const variants = a.rows('variant');
  if (variants.length === 0) return 0;
  let n = 0;
  for (const v of variants) if (isRef(v.f.product) && v.f.product.$ref.id === productId) n++;
  return n;
}
