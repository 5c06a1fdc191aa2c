/**
 * @module order-status
 * E7 what MoySklad says about an exported order, compared with what the store knows: the name of
 * the order's state and the shipped quantity of each position (MoySklad's `shipped` of the
 * customer-order position, which its shipments — demands — fill). Pure: no I/O.
 */

export interface KnownOrderStatus {
  stateName: string | null;
  positions: ReadonlyArray<{ id: number; msPositionId: string | null; shippedQuantity: number | null }>;
}

export interface MsOrderStatus {
  stateName: string | null;
  /** `shipped` by MoySklad position id. */
  shippedByMsPositionId: ReadonlyMap<string, number>;
}

export interface OrderStatusChange {
  /** The state's new name, when it changed. */
  state?: string | null;
  /** Positions whose shipped quantity changed (new values). */
  shipped: Array<{ positionId: number; quantity: number }>;
}

/**
 * The change to record, or null when nothing changed. A state MoySklad does not name (no state)
 * never erases a known name; positions MoySklad does not list (deleted there) keep their value.
 */
export function orderStatusChange(known: KnownOrderStatus, ms: MsOrderStatus): OrderStatusChange | null {
  const out: OrderStatusChange = { shipped: [] };
  if (ms.stateName !== null && ms.stateName !== known.stateName) out.state = ms.stateName;
  for (const p of known.positions) {
    if (p.msPositionId === null) continue;
    const q = ms.shippedByMsPositionId.get(p.msPositionId);
    if (q !== undefined && q !== p.shippedQuantity) out.shipped.push({ positionId: p.id, quantity: q });
  }
  return out.state === undefined && out.shipped.length === 0 ? null : out;
}
