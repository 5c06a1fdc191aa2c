/**
 * @module positions
 * `/entity/{customerorder|purchaseorder}/{id}/positions` (REFERENCE §7): GET (paged), POST one
 * or many (the answer is always an array), GET/PUT/DELETE one, `POST …/positions/delete`.
 */

import { MsError, msErrors } from '../http/ms-error.js';
import { serializePosition } from '../state/serialize.js';
import type { Entity, Fields, Position } from '../state/types.js';
import type { ApiRequest, ApiResult } from './api-types.js';
import { expandOf, listEnvelope, pagingOf } from './list-response.js';
import { computeSums, orderStockPairs, positionFromInput } from './input-positions.js';
import { parseRef } from './input-refs.js';
import { mustFind, noteOrderStock } from './entity.js';

type Doc = 'customerorder' | 'purchaseorder';

const positionsOf = (e: Entity): Position[] => (e.f.positions as Position[] | undefined) ?? [];

function save(req: ApiRequest, doc: Doc, e: Entity, positions: Position[]): void {
  const before = orderStockPairs(doc, e.f);
  const f: Fields = { ...e.f, positions };
  computeSums(doc, f);
  const changed = req.account.patch(e, {
    positions,
    sum: f.sum,
    vatSum: f.vatSum,
    ...(doc === 'customerorder' ? { reservedSum: f.reservedSum } : {}),
  });
  req.events.push({ type: doc, id: e.id, action: 'UPDATE', updatedFields: changed });
  noteOrderStock(req, doc, before, orderStockPairs(doc, e.f));
}

export function listPositions(req: ApiRequest, doc: Doc, id: string): ApiResult {
  const e = mustFind(req, doc, id);
  const paging = pagingOf(req);
  const expand = expandOf(req, paging);
  const all = positionsOf(e);
  const page = all.slice(paging.offset, paging.offset + paging.limit).map((p) => serializePosition(req.ctx, doc, e.id, p, expand));
  return { status: 200, body: listEnvelope(req, `entity/${doc}/${e.id}/positions`, `${doc}position`, all.length, paging, page), rows: page.length };
}

export function addPositions(req: ApiRequest, doc: Doc, id: string): ApiResult {
  const e = mustFind(req, doc, id);
  const items = Array.isArray(req.body) ? req.body : [req.body];
  if (req.body === undefined || items.length === 0) throw new MsError(400, 1027, 'Запрос не содержит объектов');
  if (items.length > 1000) throw msErrors.tooManyItems();
  const created = items.map((item) => {
    if (typeof item === 'object' && item !== null && 'meta' in item) throw new MsError(412, 1006, 'Создание объектов с указанным идентификатором запрещено');
    return positionFromInput(req, doc, item);
  });
  save(req, doc, e, [...positionsOf(e), ...created]);
  const expand = expandOf(req);
  return { status: 200, body: created.map((p) => serializePosition(req.ctx, doc, e.id, p, expand)), rows: created.length };
}

function findPosition(e: Entity, doc: Doc, pid: string): Position {
  const p = positionsOf(e).find((x) => x.id === pid);
  if (!p) throw msErrors.notFound(`${doc}position`, pid);
  return p;
}

export function getPosition(req: ApiRequest, doc: Doc, id: string, pid: string): ApiResult {
  const e = mustFind(req, doc, id);
  return { status: 200, body: serializePosition(req.ctx, doc, e.id, findPosition(e, doc, pid), expandOf(req)), rows: 1 };
}

export function putPosition(req: ApiRequest, doc: Doc, id: string, pid: string): ApiResult {
  const e = mustFind(req, doc, id);
  const current = findPosition(e, doc, pid);
  const updated = positionFromInput(req, doc, req.body, [], current);
  save(req, doc, e, positionsOf(e).map((p) => (p.id === pid ? updated : p)));
  return { status: 200, body: serializePosition(req.ctx, doc, e.id, updated, expandOf(req)), rows: 1 };
}

export function deletePosition(req: ApiRequest, doc: Doc, id: string, pid: string): ApiResult {
  const e = mustFind(req, doc, id);
  findPosition(e, doc, pid);
  save(req, doc, e, positionsOf(e).filter((p) => p.id !== pid));
  return { status: 200 };
}

export function deletePositions(req: ApiRequest, doc: Doc, id: string): ApiResult {
  const e = mustFind(req, doc, id);
  if (!Array.isArray(req.body)) throw msErrors.badJson('Ожидается JSON-массив');
  if (req.body.length > 1000) throw msErrors.tooManyItems();
  const ids = new Set<string>();
  for (const item of req.body) {
    const r = parseRef(req, item, 'meta');
    if (r.$ref.type !== `${doc}position`) throw msErrors.unknownType(r.$ref.type);
    findPosition(e, doc, r.$ref.id);
    ids.add(r.$ref.id);
  }
  save(req, doc, e, positionsOf(e).filter((p) => !ids.has(p.id)));
  return { status: 200 };
}
