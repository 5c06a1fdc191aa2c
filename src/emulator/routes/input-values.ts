/**
 * @module input-values
 * One field's value in a request body → its stored form, with the type checks MoySklad makes
 * (2016 wrong type, 3008 too long, 3005 enum, dates, money, sale prices, barcodes, images ≤ 10).
 */

import { Buffer } from 'node:buffer';
import { parseMoscow, formatMoscow } from '../../core/moscow-time.js';
import { MsError, msErrors } from '../http/ms-error.js';
import { mediaTypeOf } from '../state/media-type.js';
import { ref, type EntityType, type Fields, type ImageRec, type Ref } from '../state/types.js';
import type { ApiRequest } from './api-types.js';
import { checkRefExists, parseRef } from './input-refs.js';
import type { FieldRule } from './input-rules.js';

export function convertField(req: ApiRequest, type: EntityType, k: string, v: unknown, rule: FieldRule): unknown {
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

export function money(req: ApiRequest, v: unknown, k: string): Fields {
  if (typeof v !== 'object' || v === null) throw msErrors.wrongType(k);
  const value = (v as { value?: unknown }).value;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw msErrors.wrongType(`${k}.value`);
  return { value, currency: ref('currency', req.account.currencyId) };
}

export function salePrices(req: ApiRequest, v: unknown): Fields[] {
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

export function barcodes(v: unknown): Fields[] {
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
