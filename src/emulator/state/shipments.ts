/**
 * @module shipments
 * E7 what demands (shipments) linked to a customer order ship of its positions.
 */

import { isRef, type Entity, type Position, type Ref } from './types.js';

/**
 * The order's positions with `shipped` set from the positions of its demands (per item, filled in
 * position order, never above a position's quantity).
 */
export function shippedPositions(order: Entity, demands: Entity[]): Position[] {
  const left = new Map<string, number>();
  for (const d of demands) {
    if (!isRef(d.f.customerOrder) || d.f.customerOrder.$ref.id !== order.id) continue;
    for (const p of (d.f.positions as Position[] | undefined) ?? []) {
      const id = (p.f.assortment as Ref).$ref.id;
      left.set(id, (left.get(id) ?? 0) + Number(p.f.quantity ?? 0));
    }
  }
  return ((order.f.positions as Position[] | undefined) ?? []).map((p) => {
    const id = (p.f.assortment as Ref).$ref.id;
    const shipped = Math.min(Number(p.f.quantity ?? 0), left.get(id) ?? 0);
    left.set(id, (left.get(id) ?? 0) - shipped);
    return { ...p, f: { ...p.f, shipped } };
  });
}
