/**
 * @module router
 * Maps `/api/remap/1.2/<path>` to handlers; unknown paths give 404/1002, unknown entity types 412/1005.
 */

import { msErrors } from '../http/ms-error.js';
import { queryRows } from '../query/list.js';
import { serializeEntity } from '../state/serialize.js';
import { isEntityType, type EntityType } from '../state/types.js';
import type { ApiRequest, ApiResult } from './api-types.js';
import { batchDelete, deleteBySyncId, deleteEntity, getEntity, listEntities, metadata, postEntities, putEntity } from './entity.js';
import { deleteImage, download, listImages, uploadImages, type FileLinks } from './images.js';
import { addPositions, deletePosition, deletePositions, getPosition, listPositions, putPosition } from './positions.js';
import { counterpartyReport, counterpartyReportOne, stockAll, stockByStore, stockCurrent } from './reports.js';
import { expandOf, listEnvelope, pagingOf } from './list-response.js';
import { metaOf } from '../state/serialize.js';
import { permissionsOf } from '../state/users.js';

/** Document types with a positions sub-resource and states. */
const DOCS = new Set(['customerorder', 'purchaseorder']);

function notAllowed(req: ApiRequest): never {
  throw msErrors.methodNotAllowed(req.method);
}

function assortment(req: ApiRequest): ApiResult {
  const paging = pagingOf(req);
  const expand = expandOf(req, paging);
  const a = req.account;
  const source = [...a.rows('product'), ...a.rows('variant')];
  const rows = queryRows(
    a,
    'product',
    { filter: req.query.get('filter') ?? undefined, order: req.query.get('order') ?? undefined, search: req.query.get('search') ?? undefined },
    { origins: req.origins },
    source,
  );
  const withoutStock = req.headers.get('x-lognex-remap-beta-feature') === 'assortmentWithoutStock';
  const page = rows.slice(paging.offset, paging.offset + paging.limit).map((e) => {
    const out = serializeEntity(e, req.ctx, expand);
    if (!withoutStock) {
      let stock = 0, reserve = 0, inTransit = 0;
      for (const c of a.stockCells(e.id)?.values() ?? []) {
        stock += c.stock;
        reserve += c.reserve;
        inTransit += c.inTransit;
      }
      Object.assign(out, { stock, reserve, inTransit, quantity: stock - reserve + inTransit });
    }
    return out;
  });
  return { status: 200, body: listEnvelope(req, 'entity/assortment', 'assortment', rows.length, paging, page), rows: page.length };
}

export function route(req: ApiRequest, links: FileLinks): ApiResult | Promise<ApiResult> {
  const s = req.segments;
  const m = req.method;
  const [s0, s1, s2, s3, s4] = s;
  if (s0 === 'context' && s1 === 'employee' && s.length === 2) {
    if (m !== 'GET') notAllowed(req);
    // C10 md/_general.md «Получить контекст сотрудника»: the employee of the request and its permissions.
    const u = req.user;
    return {
      status: 200,
      body: {
        meta: metaOf(req.ctx, { type: 'employee', id: u.employeeId }),
        id: u.employeeId,
        accountId: req.account.accountId,
        name: u.name,
        uid: u.login,
        archived: false,
        shared: true,
        permissions: permissionsOf(u, req.account.crm),
      },
    };
  }
  if (s0 === 'download' && s1 && s.length === 2) {
    if (m !== 'GET') notAllowed(req);
    return download(req, s1, links);
  }
  if (s0 === 'report') {
    if (s1 === 'stock' && m === 'GET') {
      if (s2 === 'all' && s.length === 3) return stockAll(req);
      if (s2 === 'bystore' && s.length === 3) return stockByStore(req);
      if (s2 === 'all' && s3 === 'current' && s.length === 4) return stockCurrent(req, false);
      if (s2 === 'bystore' && s3 === 'current' && s.length === 4) return stockCurrent(req, true);
    }
    if (s1 === 'counterparty') {
      if (s.length === 2 && (m === 'GET' || m === 'POST')) return counterpartyReport(req);
      if (s.length === 3 && s2 && m === 'GET') return counterpartyReportOne(req, s2);
    }
    throw msErrors.unknownPath(req.path);
  }
  if (s0 !== 'entity' || !s1) throw msErrors.unknownPath(req.path);
  if (s1 === 'assortment') {
    if (s.length !== 2) throw msErrors.unknownPath(req.path);
    if (m !== 'GET') notAllowed(req);
    return assortment(req);
  }
  if (!isEntityType(s1)) throw msErrors.unknownType(s1);
  const type: EntityType = s1;
  // REFERENCE §8: webhooks are for paid tariffs only (30006); the status is not documented (403 like 1043).
  // C10 md/_errors.md 30004: webhooks are for administrators only (checked before the tariff: inferred).
  if ((type === 'webhook' || type === 'webhookstock') && !req.user.admin) throw msErrors.webhooksAdminOnly();
  if ((type === 'webhook' || type === 'webhookstock') && !req.account.webhooksAllowed) throw msErrors.noWebhooks();
  // C10 md/_errors.md 1045: a user whose `create` permission of the type is NO (status 403 inferred).
  if (m === 'POST' && (s.length === 2 || s[2] === 'batch') && req.user.cannotCreate.includes(type)) throw msErrors.noCreateRight();
  if (s.length === 2) {
    if (m === 'GET') return listEntities(req, type);
    if (m === 'POST') return postEntities(req, type);
    if (m === 'PUT') throw msErrors.noId();
    notAllowed(req);
  }
  if (s2 === 'delete' && s.length === 3) {
    if (m !== 'POST') notAllowed(req);
    return batchDelete(req, type);
  }
  if (s2 === 'batch' && s.length === 3) {
    if (m !== 'POST') notAllowed(req);
    return postEntities(req, type);
  }
  if (s2 === 'metadata' && s.length === 3) {
    if (m !== 'GET') notAllowed(req);
    return metadata(req, type);
  }
  if (s2 === 'metadata' && s3 === 'states' && s4 && s.length === 5 && DOCS.has(type)) {
    const st = req.account.states[type as 'customerorder'].find((x) => x.id === s4);
    if (!st) throw msErrors.notFound('state', s4);
    return { status: 200, body: { meta: metaOf(req.ctx, { type: 'state', id: st.id, parent: type }), id: st.id, accountId: req.account.accountId, name: st.name, color: st.color, stateType: st.stateType, entityType: type } };
  }
  if (s2 === 'syncid' && s3 && s.length === 4) {
    if (m !== 'DELETE') notAllowed(req);
    return deleteBySyncId(req, type, s3);
  }
  if (!s2) throw msErrors.unknownPath(req.path);
  if (s.length === 3) {
    if (m === 'GET') return getEntity(req, type, s2);
    if (m === 'PUT') return putEntity(req, type, s2);
    if (m === 'DELETE') return deleteEntity(req, type, s2);
    notAllowed(req);
  }
  if (type === 'product' && s3 === 'images') {
    if (s.length === 4) {
      if (m === 'GET') return listImages(req, s2);
      if (m === 'POST') return uploadImages(req, s2);
      notAllowed(req);
    }
    if (s.length === 5 && s4 && m === 'DELETE') return deleteImage(req, s2, s4);
  }
  if (DOCS.has(type) && s3 === 'positions') {
    const doc = type as 'customerorder' | 'purchaseorder';
    if (s.length === 4) {
      if (m === 'GET') return listPositions(req, doc, s2);
      if (m === 'POST') return addPositions(req, doc, s2);
      notAllowed(req);
    }
    if (s.length === 5 && s4 === 'delete') {
      if (m !== 'POST') notAllowed(req);
      return deletePositions(req, doc, s2);
    }
    if (s.length === 5 && s4) {
      if (m === 'GET') return getPosition(req, doc, s2, s4);
      if (m === 'PUT') return putPosition(req, doc, s2, s4);
      if (m === 'DELETE') return deletePosition(req, doc, s2, s4);
      notAllowed(req);
    }
  }
  throw msErrors.unknownPath(req.path);
}
