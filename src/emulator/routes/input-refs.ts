/**
 * @module input-refs
 * `{meta:{href,type}}` references in request bodies: hrefs must point at the emulator's own
 * origins (1059), carry a type matching the href (2016), and name an existing object (1021).
 */

import { MsError, msErrors } from '../http/ms-error.js';
import { isEntityType, ref, type Ref } from '../state/types.js';
import type { ApiRequest } from './api-types.js';

/** The path of the API base (`/api/remap/1.2`), parsed once per base (an emulator serves one or two): a 1,000-order POST has thousands of references. */
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
export function checkRefExists(req: ApiRequest, r: Ref, field: string, allowed?: string[]): void {
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
