/**
 * @module entity
 * `/entity/{type}` lists, reads and writes (REFERENCE §2.5, §4, §7, §8): partial PUT, batch
 * POST with per-item errors, `POST …/delete`, DELETE with an empty body, syncId idempotency.
 */

import { MsError, msErrors, type MsErrorItem } from '../http/ms-error.js';
import { isUuid } from '../state/ids.js';
import { serializeEntity } from '../state/serialize.js';
import type { Entity, EntityType, Fields, ImageRec, Position } from '../state/types.js';
import { queryRows } from '../query/list.js';
import type { ApiRequest, ApiResult } from './api-types.js';
import { expandOf, listEnvelope, pagingOf } from './list-response.js';
import { fieldsFromInput } from './input.js';
import { orderStockPairs } from './input-positions.js';
import { parseRef } from './input-refs.js';

/** E7: demands are made by the control helpers (a manager ships in the web UI); their HTTP writes are not emulated. */
export const READ_ONLY_TYPES = new Set<EntityType>(['variant', 'demand']);
const STOCK_TYPES = new Set<EntityType>(['product', 'variant']);

export function requireId(type: string, id: string): void {
  if (!isUuid(id)) throw msErrors.badUuid(id);
  void type;
}

export function mustFind(req: ApiRequest, type: EntityType, id: string): Entity {
  requireId(type, id);
  const e = req.account.get(type, id);
  if (!e) throw msErrors.notFound(type, id);
  return e;
}

export function listEntities(req: ApiRequest, type: EntityType): ApiResult {
  const paging = pagingOf(req);
  const expand = expandOf(req, paging);
  const rows = queryRows(
    req.account,
    type,
    { filter: req.query.get('filter') ?? undefined, order: req.query.get('order') ?? undefined, search: req.query.get('search') ?? undefined },
    { origins: req.origins },
  );
  const page = rows.slice(paging.offset, paging.offset + paging.limit).map((e) => serializeEntity(e, req.ctx, expand));
  return { status: 200, body: listEnvelope(req, `entity/${type}`, type, rows.length, paging, page), rows: page.length };
}

export function getEntity(req: ApiRequest, type: EntityType, id: string): ApiResult {
  const e = mustFind(req, type, id);
  return { status: 200, body: serializeEntity(e, req.ctx, expandOf(req)), rows: 1 };
}

/** Creates or (when the item has meta) updates one item. */
function writeOne(req: ApiRequest, type: EntityType, item: unknown): Entity {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) throw msErrors.badJson('Ожидается JSON-объект');
  const input = item as Fields;
  if (input.meta !== undefined) {
    const r = parseRef(req, input, 'meta');
    if (r.$ref.type !== type) throw msErrors.unknownType(r.$ref.type);
    const e = mustFind(req, type, r.$ref.id);
    return updateOne(req, e, input);
  }
  return createOne(req, type, input);
}

export function createOne(req: ApiRequest, type: EntityType, input: Fields): Entity {
  if (READ_ONLY_TYPES.has(type)) throw new MsError(405, 1011, `Создание объектов типа '${type}' не поддерживается эмулятором`);
  if (typeof input.syncId === 'string') {
    const prior = req.account.findBySyncId(type, input.syncId);
    if (prior) return prior;
  }
  const f = fieldsFromInput(req, type, input);
  for (const [k, v] of Object.entries(f)) if (v === undefined) delete f[k];
  const e = req.account.insert(type, f);
  req.events.push({ type, id: e.id, action: 'CREATE' });
  noteOrderStock(req, type, [], orderStockPairs(type, e.f));
  return e;
}

export function updateOne(req: ApiRequest, e: Entity, input: Fields): Entity {
  if (READ_ONLY_TYPES.has(e.type)) throw new MsError(405, 1026, `Обновление объектов типа '${e.type}' не поддерживается эмулятором`);
  const patch = fieldsFromInput(req, e.type, input, e);
  const before = orderStockPairs(e.type, e.f);
  if (e.type === 'product' && Array.isArray(patch.images)) {
    for (const old of (e.f.images as ImageRec[] | undefined) ?? []) req.account.files.delete(old.fileId);
  }
  const changed = req.account.patch(e, patch);
  if (changed.length || Object.keys(patch).length) req.events.push({ type: e.type, id: e.id, action: 'UPDATE', updatedFields: changed });
  if (STOCK_TYPES.has(e.type) && changed.includes('archived')) req.stockChanged = true;
  if (changed.length) noteOrderStock(req, e.type, before, orderStockPairs(e.type, e.f));
  return e;
}

export function postEntities(req: ApiRequest, type: EntityType): ApiResult {
  const expand = expandOf(req);
  if (Array.isArray(req.body)) {
    if (req.body.length > 1000) throw msErrors.tooManyItems();
    if (req.body.length === 0) throw new MsError(400, 1027, 'Запрос не содержит объектов');
    let failed = false;
    const out = req.body.map((item) => {
      try {
        return serializeEntity(writeOne(req, type, item), req.ctx, expand);
      } catch (err) {
        if (!(err instanceof MsError)) throw err;
        failed = true;
        return { errors: [err.item()] as MsErrorItem[] };
      }
    });
    return { status: failed ? 400 : 200, body: out, rows: out.length };
  }
  if (req.body === undefined) throw new MsError(400, 1027, 'Запрос не содержит объектов');
  const input = req.body as Fields;
  if (typeof input === 'object' && input !== null && input.meta !== undefined) {
    return { status: 200, body: serializeEntity(writeOne(req, type, input), req.ctx, expand), rows: 1 };
  }
  return { status: 200, body: serializeEntity(createOne(req, type, input), req.ctx, expand), rows: 1 };
}

export function putEntity(req: ApiRequest, type: EntityType, id: string): ApiResult {
  const e = mustFind(req, type, id);
  if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) throw msErrors.badJson('Ожидается JSON-объект');
  updateOne(req, e, req.body as Fields);
  return { status: 200, body: serializeEntity(e, req.ctx, expandOf(req)), rows: 1 };
}

export function deleteEntity(req: ApiRequest, type: EntityType, id: string): ApiResult {
  if (READ_ONLY_TYPES.has(type)) throw new MsError(405, 1010, `Удаление объектов типа '${type}' не поддерживается эмулятором`);
  mustFind(req, type, id);
  removeOne(req, type, id);
  return { status: 200 };
}

function removeOne(req: ApiRequest, type: EntityType, id: string): void {
  if (STOCK_TYPES.has(type)) {
    for (const doc of ['customerorder', 'purchaseorder'] as const) {
      for (const d of req.account.rows(doc)) {
        const used = ((d.f.positions as Position[] | undefined) ?? []).some((p) => {
          const a = p.f.assortment as { $ref?: { id: string } } | undefined;
          return a?.$ref?.id === id;
        });
        if (used) throw new MsError(409, 1028, `Объект уже используется и не может быть удален: ${doc} ${d.id}`);
      }
    }
    req.stockChanged = true;
  }
  const e = req.account.get(type, id);
  const before = e ? orderStockPairs(type, e.f) : [];
  req.account.delete(type, id);
  req.events.push({ type, id, action: 'DELETE' });
  noteOrderStock(req, type, before, []);
}

/** Orders move reserves / in-transit: mark the touched (item, store) pairs for changedSince and stock webhooks. */
export function noteOrderStock(req: ApiRequest, type: string, before: [string, string][], after: [string, string][]): void {
  if (type !== 'customerorder' && type !== 'purchaseorder') return;
  if (req.account.touchDocStock([...before, ...after])) req.stockChanged = true;
}

export function batchDelete(req: ApiRequest, type: EntityType): ApiResult {
  if (!Array.isArray(req.body)) throw msErrors.badJson('Ожидается JSON-массив');
  if (req.body.length > 1000) throw msErrors.tooManyItems();
  let failed = false;
  const out = req.body.map((item) => {
    try {
      const r = parseRef(req, item, 'meta');
      if (r.$ref.type !== type) throw msErrors.unknownType(r.$ref.type);
      mustFind(req, type, r.$ref.id);
      if (READ_ONLY_TYPES.has(type)) throw new MsError(405, 1010, `Удаление объектов типа '${type}' не поддерживается эмулятором`);
      removeOne(req, type, r.$ref.id);
      return { info: `Сущность '${type}' с UUID: ${r.$ref.id} успешно удалена` };
    } catch (err) {
      if (!(err instanceof MsError)) throw err;
      failed = true;
      return { errors: [err.item()] };
    }
  });
  return { status: failed ? 400 : 200, body: out, rows: out.length };
}

export function deleteBySyncId(req: ApiRequest, type: EntityType, syncId: string): ApiResult {
  const e = req.account.findBySyncId(type, syncId);
  if (!e) throw msErrors.notFound(type, syncId);
  removeOne(req, type, e.id);
  return { status: 200 };
}

export function metadata(req: ApiRequest, type: EntityType): ApiResult {
  const body: Fields = { meta: { href: `${req.ctx.base}/entity/${type}/metadata`, mediaType: 'application/json' } };
  if (type === 'customerorder' || type === 'purchaseorder') {
    body.states = req.account.states[type].map((s) => ({
      meta: {
        href: `${req.ctx.base}/entity/${type}/metadata/states/${s.id}`,
        metadataHref: `${req.ctx.base}/entity/${type}/metadata`,
        type: 'state',
        mediaType: 'application/json',
      },
      id: s.id,
      accountId: req.account.accountId,
      name: s.name,
      color: s.color,
      stateType: s.stateType,
      entityType: type,
    }));
    body.createShared = false;
  }
  if (type === 'product') {
    body.attributes = { meta: { href: `${req.ctx.base}/entity/product/metadata/attributes`, type: 'attributemetadata', mediaType: 'application/json', size: 0, limit: 1000, offset: 0 } };
    body.createShared = false;
  }
  return { status: 200, body, rows: 1 };
}
