/**
 * @module input-positions
 * Document positions in request bodies (≤ 1000, quantities, prices, reserve / in-transit) and what
 * follows from them: the documents' computed sums and the (item, store) stock cells they touch.
 */

import { MsError, msErrors } from '../http/ms-error.js';
import { isRef, type Fields, type Position } from '../state/types.js';
import type { ApiRequest } from './api-types.js';
import { checkRefExists, parseRef } from './input-refs.js';

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
