/**
 * @module doc-stock
 * The stock that documents hold: the `reserve` of positions of applicable customer orders and the
 * `inTransit` of positions of applicable purchase orders that name a store, per item and store,
 * and how they add to the stock cells set by seeds / `setStock`.
 */

import { isRef, type Entity, type Fields, type StockCell } from './types.js';

export type DocStockMap = Map<string, Map<string, { reserve: number; inTransit: number }>>;

/** Reserve / in-transit per item id → store id, summed over the given orders. */
export function docStockMap(customerOrders: Entity[], purchaseOrders: Entity[]): DocStockMap {
  const map: DocStockMap = new Map();
  for (const [docs, field] of [
    [customerOrders, 'reserve'],
    [purchaseOrders, 'inTransit'],
  ] as const) {
    for (const d of docs) {
      if (d.f.applicable === false || !isRef(d.f.store)) continue;
      const storeId = d.f.store.$ref.id;
      for (const p of (d.f.positions as { f: Fields }[] | undefined) ?? []) {
        const amount = Number(p.f[field] ?? 0);
        if (!amount || !isRef(p.f.assortment)) continue;
        const pid = p.f.assortment.$ref.id;
        let m = map.get(pid);
        if (!m) {
          m = new Map();
          map.set(pid, m);
        }
        const cell = m.get(storeId) ?? { reserve: 0, inTransit: 0 };
        cell[field] += amount;
        m.set(storeId, cell);
      }
    }
  }
  return map;
}

/**
 * Effective stock cells of an item per store: `base` (cells set by seeds / `setStock`) plus the
 * document reserves / in-transit `docs`, with `changed` (when those last changed per store).
 */
export function mergeStockCells(
  base: Map<string, StockCell> | undefined,
  docs: Map<string, { reserve: number; inTransit: number }>,
  changed: Map<string, number> | undefined,
): Map<string, StockCell> | undefined {
  if (docs.size === 0 && !changed) return base;
  const out = new Map<string, StockCell>(base ? [...base].map(([k, c]) => [k, { ...c }]) : []);
  for (const [storeId, d] of docs) {
    const c = out.get(storeId) ?? { stock: 0, reserve: 0, inTransit: 0, changedMs: 0 };
    c.reserve += d.reserve;
    c.inTransit += d.inTransit;
    c.changedMs = Math.max(c.changedMs, changed?.get(storeId) ?? 0);
    out.set(storeId, c);
  }
  if (changed) {
    for (const [storeId, ms] of changed) {
      const c = out.get(storeId);
      if (c) c.changedMs = Math.max(c.changedMs, ms);
      else out.set(storeId, { stock: 0, reserve: 0, inTransit: 0, changedMs: ms });
    }
  }
  return out;
}
