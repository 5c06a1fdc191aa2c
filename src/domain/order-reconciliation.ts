/**
 * @module order-reconciliation
 * R5–R7, C2, C4, C6: what to do to bring one MoySklad order in step with the store's order, as
 * pure plans (no I/O). `exportOrder` (src/sync/orders) loads both sides, asks these functions,
 * and carries the plan out request by request.
 *
 * - `decideOrderAction`: create, reconcile, delete (C6: every line rejected or withdrawn and the
 *   R7 option on), or nothing (no line to send; the MoySklad order already deleted).
 * - `planPositions`: position by position — which lines are linked to which MoySklad positions,
 *   which are adopted (a create or an add whose answer was lost), added, updated (quantity, price,
 *   card, and the reserve with the quantity), deleted (R7) or released (reserve 0 when R7 is off).
 * - `adoptPositions`: links lines to positions by card, then quantity and price (strict pass
 *   first, then card only), never one position twice.
 */

/** The kind of a MoySklad card: positions reference a variant as `variant` (C2). */
export type AssortmentKind = 'product' | 'variant';

export interface CardRef {
  msId: string;
  kind: AssortmentKind;
}

/** One store line as the plan sees it. */
export interface StoreLine {
  id: number;
  active: boolean;
  msPositionId: string | null;
  /** `deleted`: its MoySklad position was deleted (R7) or is known to be gone. */
  syncState: 'pending' | 'synced' | 'deleted' | 'failed';
  /** The card of an active line (inactive lines need none). */
  card: CardRef | null;
  quantity: number;
  /** Kopecks. */
  price: number;
  /** The reserve to send with the line (C4); null = none is sent. */
  reserve: number | null;
}

/** One MoySklad position as the plan sees it. */
export interface MsLine {
  id: string;
  assortmentId: string;
  quantity: number;
  /** Kopecks (MoySklad answers a float). */
  price: number;
  reserve: number;
}

export interface PositionPatch {
  quantity?: number;
  price?: number;
  assortment?: CardRef;
  reserve?: number;
}

export interface Link {
  lineId: number;
  msPositionId: string;
}

export interface PositionPlan {
  /** Active lines whose MoySklad position is gone: sent again (their link is cleared). */
  relink: number[];
  /** Inactive lines whose MoySklad position is gone: nothing left to delete. */
  gone: number[];
  /** Lines linked to an existing MoySklad position they were not linked to (lost answers). */
  adopt: Link[];
  /** Active lines to POST to `…/positions`. */
  add: number[];
  /** Linked active lines whose position differs (only what differs is sent). */
  update: Array<Link & { patch: PositionPatch }>;
  /** Linked active lines not marked synced yet (adopted lines are marked with their link). */
  synced: number[];
  /** R7: rejected or withdrawn lines whose position is deleted (the option is on). */
  remove: Link[];
  /** C4: rejected or withdrawn lines whose position stays (R7 off) but gives its reserve back. */
  release: Link[];
}

export type OrderAction = 'create' | 'reconcile' | 'delete' | 'empty' | 'closed';

export interface OrderState {
  /** The order has a MoySklad order that was not deleted by C6. */
  inMoySklad: boolean;
  /** C6 deleted its MoySklad order earlier. */
  deletedInMoySklad: boolean;
  activeLines: number;
  /** The integration's R7 option (also C6). */
  deleteRejected: boolean;
}

/**
 * - no active line: the MoySklad order is deleted (`delete`, C6) when the R7 option is on, else it
 *   is reconciled (its positions stay, reserves are released); an order never exported is not
 *   created empty (`empty`); one already deleted needs nothing (`closed`);
 * - active lines: `reconcile` an order in MoySklad, else `create` it (also again after a C6 delete,
 *   when a line became active again).
 */
export function decideOrderAction(s: OrderState): OrderAction {
  if (s.activeLines === 0) {
    if (s.inMoySklad) return s.deleteRejected ? 'delete' : 'reconcile';
    return s.deletedInMoySklad ? 'closed' : 'empty';
  }
  return s.inMoySklad ? 'reconcile' : 'create';
}

/** Links unlinked active lines to unclaimed positions: same card, quantity and price first, then same card. */
export function adoptPositions(lines: readonly StoreLine[], candidates: readonly MsLine[], claimed: ReadonlySet<string>): Link[] {
  const taken = new Set(claimed);
  const linked = new Set<number>();
  const out: Link[] = [];
  for (const strict of [true, false]) {
    for (const l of lines) {
      if (!l.active || l.msPositionId || !l.card || linked.has(l.id)) continue;
      const m = candidates.find((x) => !taken.has(x.id) && x.assortmentId === l.card!.msId && (!strict || (x.quantity === l.quantity && Math.round(x.price) === l.price)));
      if (!m) continue;
      taken.add(m.id);
      linked.add(l.id);
      out.push({ lineId: l.id, msPositionId: m.id });
    }
  }
  return out;
}

/** What differs between a linked active line and its position (the reserve follows a quantity change). */
export function positionPatch(l: StoreLine, m: MsLine): PositionPatch {
  const patch: PositionPatch = {};
  if (m.quantity !== l.quantity) {
    patch.quantity = l.quantity;
    if (l.reserve !== null) patch.reserve = l.reserve;
  }
  if (Math.round(m.price) !== l.price) patch.price = l.price;
  if (l.card && m.assortmentId !== l.card.msId) patch.assortment = l.card;
  return patch;
}

/** The position-by-position plan for an order that exists in MoySklad with positions `ms`. */
export function planPositions(lines: readonly StoreLine[], ms: readonly MsLine[], options: { deleteRejected: boolean }): PositionPlan {
  const plan: PositionPlan = { relink: [], gone: [], adopt: [], add: [], update: [], synced: [], remove: [], release: [] };
  const byId = new Map(ms.map((m) => [m.id, m]));
  const claimed = new Set<string>();
  const linkOf = new Map<number, string | null>();
  for (const l of lines) {
    linkOf.set(l.id, l.msPositionId);
    if (!l.msPositionId) continue;
    if (byId.has(l.msPositionId) && !claimed.has(l.msPositionId)) {
      if (l.active || l.syncState !== 'deleted') claimed.add(l.msPositionId);
      continue;
    }
    if (l.active) {
      plan.relink.push(l.id);
      linkOf.set(l.id, null);
    } else if (l.syncState !== 'deleted') {
      plan.gone.push(l.id);
    }
  }
  const current = lines.map((l) => ({ ...l, msPositionId: linkOf.get(l.id) ?? null }));
  plan.adopt = adoptPositions(current, ms, claimed);
  for (const a of plan.adopt) linkOf.set(a.lineId, a.msPositionId);
  for (const l of current) {
    const link = linkOf.get(l.id) ?? null;
    if (!l.active) continue;
    if (!link) {
      plan.add.push(l.id);
      continue;
    }
    const m = byId.get(link);
    if (!m) continue;
    const patch = positionPatch(l, m);
    if (Object.keys(patch).length) plan.update.push({ lineId: l.id, msPositionId: link, patch });
    if (l.syncState !== 'synced' && !plan.adopt.some((a) => a.lineId === l.id)) plan.synced.push(l.id);
  }
  for (const l of current) {
    const m = l.msPositionId ? byId.get(l.msPositionId) : undefined;
    if (l.active || !m || l.syncState === 'deleted') continue;
    if (options.deleteRejected) plan.remove.push({ lineId: l.id, msPositionId: m.id });
    else if (m.reserve > 0) plan.release.push({ lineId: l.id, msPositionId: m.id });
  }
  return plan;
}
