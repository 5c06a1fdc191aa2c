import { describe, expect, it } from 'vitest';
import { adoptPositions, decideOrderAction, planPositions, type MsLine, type StoreLine } from './order-reconciliation.js';

const line = (id: number, extra: Partial<StoreLine> = {}): StoreLine => ({
  id,
  active: true,
  msPositionId: null,
  syncState: 'synced',
  card: { msId: `p${id}`, kind: 'product' },
  quantity: 1,
  price: 100,
  reserve: 1,
  ...extra,
});
const pos = (id: string, assortmentId: string, extra: Partial<MsLine> = {}): MsLine => ({ id, assortmentId, quantity: 1, price: 100, reserve: 1, ...extra });

describe('decideOrderAction', () => {
  it('C6 every line rejected: delete when the option is on, keep (reconcile) when off; never create an empty order', () => {
    const states = [
      { inMoySklad: true, deletedInMoySklad: false, activeLines: 0, deleteRejected: true },
      { inMoySklad: true, deletedInMoySklad: false, activeLines: 0, deleteRejected: false },
      { inMoySklad: false, deletedInMoySklad: false, activeLines: 0, deleteRejected: true },
      { inMoySklad: false, deletedInMoySklad: true, activeLines: 0, deleteRejected: true },
      { inMoySklad: false, deletedInMoySklad: true, activeLines: 2, deleteRejected: true },
      { inMoySklad: true, deletedInMoySklad: false, activeLines: 2, deleteRejected: true },
      { inMoySklad: false, deletedInMoySklad: false, activeLines: 1, deleteRejected: false },
    ];
    expect(states.map(decideOrderAction)).toEqual(['delete', 'reconcile', 'empty', 'closed', 'create', 'reconcile', 'create']);
  });
});

describe('planPositions', () => {
  it('R7 every kind of line at once: kept, changed (reserve follows the quantity), new, rejected, gone, adopted; unknown positions left alone', () => {
    const lines: StoreLine[] = [
      line(1, { msPositionId: 'a', syncState: 'pending' }), // same as MoySklad: only marked synced
      line(2, { msPositionId: 'b', quantity: 3, reserve: 3 }), // quantity changed
      line(3), // new
      line(4, { active: false, msPositionId: 'd', reserve: null, card: null }), // rejected
      line(5, { msPositionId: 'gone' }), // its position was deleted in MoySklad
      line(6, { active: false, msPositionId: 'gone-too', reserve: null, card: null }), // rejected, position gone
      line(7, { quantity: 2, reserve: 2 }), // its add answered but the answer was lost
      line(8, { msPositionId: 'h', card: { msId: 'v8', kind: 'variant' } }), // card changed to a variant
    ];
    const ms = [pos('a', 'p1'), pos('b', 'p2'), pos('d', 'p4'), pos('g', 'p7', { quantity: 2, reserve: 2 }), pos('h', 'p8'), pos('manual', 'p99')];
    expect(planPositions(lines, ms, { deleteRejected: true })).toEqual({
      relink: [5],
      gone: [6],
      adopt: [{ lineId: 7, msPositionId: 'g' }],
      add: [3, 5],
      update: [
        { lineId: 2, msPositionId: 'b', patch: { quantity: 3, reserve: 3 } },
        { lineId: 8, msPositionId: 'h', patch: { assortment: { msId: 'v8', kind: 'variant' } } },
      ],
      synced: [1],
      remove: [{ lineId: 4, msPositionId: 'd' }],
      release: [],
    });
  });

  it('C4 with the R7 option off a rejected line stays but gives its reserve back, once', () => {
    const lines = [line(1, { msPositionId: 'a' }), line(2, { active: false, msPositionId: 'b', reserve: null, card: null })];
    expect(planPositions(lines, [pos('a', 'p1'), pos('b', 'p2', { reserve: 2 })], { deleteRejected: false })).toEqual({
      relink: [], gone: [], adopt: [], add: [], update: [], synced: [], remove: [], release: [{ lineId: 2, msPositionId: 'b' }],
    });
    expect(planPositions(lines, [pos('a', 'p1'), pos('b', 'p2', { reserve: 0 })], { deleteRejected: false }).release).toEqual([]);
  });

  it('C4 no reserve is sent for a line without one (purchase orders, option off, no store)', () => {
    const plan = planPositions([line(1, { msPositionId: 'a', quantity: 5, reserve: null })], [pos('a', 'p1')], { deleteRejected: true });
    expect(plan.update).toEqual([{ lineId: 1, msPositionId: 'a', patch: { quantity: 5 } }]);
  });
});

describe('adoptPositions', () => {
  it('B1 same card, quantity and price first, then same card; a position is never taken twice or when claimed', () => {
    const lines = [line(1, { quantity: 2 }), line(2, { card: { msId: 'p1', kind: 'product' }, quantity: 1 }), line(3, { card: { msId: 'p1', kind: 'product' }, quantity: 9 })];
    const ms = [pos('x', 'p1', { quantity: 1 }), pos('y', 'p1', { quantity: 2 }), pos('z', 'p1', { quantity: 7 })];
    expect(adoptPositions(lines, ms, new Set(['z']))).toEqual([
      { lineId: 1, msPositionId: 'y' },
      { lineId: 2, msPositionId: 'x' },
    ]);
  });
});
