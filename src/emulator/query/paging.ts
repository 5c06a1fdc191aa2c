/**
 * @module paging
 * `limit` (1..1000, default 1000) and `offset` (≥ 0, default 0). A limit outside the range is
 * refused with 400/1014 (the real server's answer is undocumented, VERIFIED #1).
 */

import { MsError } from '../http/ms-error.js';

export const MAX_LIMIT = 1000;

export interface Paging {
  limit: number;
  offset: number;
}

export function parsePaging(limitText: string | undefined, offsetText: string | undefined): Paging {
  let limit = MAX_LIMIT;
  if (limitText !== undefined) {
    if (!/^\d+$/.test(limitText)) throw new MsError(400, 1014, `Неверное значение '${limitText}' параметра 'limit'`, 'limit');
    limit = Number(limitText);
    if (limit < 1 || limit > MAX_LIMIT) {
      throw new MsError(400, 1014, `Неверное значение '${limitText}' параметра 'limit': допустимые значения 1 - ${MAX_LIMIT}`, 'limit');
    }
  }
  let offset = 0;
  if (offsetText !== undefined) {
    if (!/^\d+$/.test(offsetText)) throw new MsError(400, 1014, `Неверное значение '${offsetText}' параметра 'offset'`, 'offset');
    offset = Number(offsetText);
  }
  return { limit, offset };
}

/** Builds the list `meta` with nextHref/previousHref on the same query. */
export function listMeta(
  href: string,
  type: string,
  size: number,
  paging: Paging,
  query: URLSearchParams,
): Record<string, unknown> {
  const meta: Record<string, unknown> = { href, type, mediaType: 'application/json', size, limit: paging.limit, offset: paging.offset };
  const withOffset = (offset: number): string => {
    const q = new URLSearchParams(query);
    q.set('limit', String(paging.limit));
    q.set('offset', String(offset));
    return `${href}?${q.toString()}`;
  };
  if (paging.offset + paging.limit < size) meta.nextHref = withOffset(paging.offset + paging.limit);
  if (paging.offset > 0) meta.previousHref = withOffset(Math.max(0, paging.offset - paging.limit));
  return meta;
}
