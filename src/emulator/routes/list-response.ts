/**
 * @module list-response
 * The list envelope `{context, meta, rows}` (REFERENCE §2.1) and `expand` handling (§2.2).
 */

import type { Fields } from '../state/types.js';
import { metaOf, parseExpand, type ExpandTree } from '../state/serialize.js';
import { listMeta, parsePaging, type Paging } from '../query/paging.js';
import type { ApiRequest } from './api-types.js';

export function pagingOf(req: ApiRequest): Paging {
  return parsePaging(req.query.get('limit') ?? undefined, req.query.get('offset') ?? undefined);
}

/** `expand` is honoured only with limit ≤ 100; silently ignored above. */
export function expandOf(req: ApiRequest, paging?: Paging): ExpandTree | undefined {
  if (paging && paging.limit > 100) return undefined;
  return parseExpand(req.query.get('expand') ?? undefined);
}

export function contextOf(req: ApiRequest): Fields {
  return { employee: { meta: metaOf(req.ctx, { type: 'employee', id: req.account.employeeId }) } };
}

export function listEnvelope(req: ApiRequest, hrefPath: string, type: string, size: number, paging: Paging, rows: unknown[]): Fields {
  const href = `${req.ctx.base}/${hrefPath}`;
  const q = new URLSearchParams(req.query);
  q.delete('limit');
  q.delete('offset');
  return { context: contextOf(req), meta: listMeta(href, type, size, paging, q), rows };
}
