/**
 * @module input
 * An API body → the field patch of an entity: each field through its rule (input-rules,
 * input-values, input-positions), required fields (3000), product code uniqueness (3006), folder
 * cycles, webhook rules (300xx), the defaults MoySklad fills on create and documents' sums.
 */

import { formatMoscow } from '../../core/moscow-time.js';
import { MsError, msErrors } from '../http/ms-error.js';
import { isUuid } from '../state/ids.js';
import { isRef, ref, type Entity, type EntityType, type Fields, type ImageRec, type Position } from '../state/types.js';
import type { ApiRequest } from './api-types.js';
import { computeSums, positionsFromInput } from './input-positions.js';
import { REQUIRED, RULES } from './input-rules.js';
import { barcodes, convertField, imagesFromInput, money, salePrices } from './input-values.js';

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


