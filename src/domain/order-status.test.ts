import { describe, expect, it } from 'vitest';
import { orderStatusChange } from './order-status.js';

const known = {
  stateName: 'Новый',
  positions: [
    { id: 1, msPositionId: 'p1', shippedQuantity: null },
    { id: 2, msPositionId: 'p2', shippedQuantity: 2 },
    { id: 3, msPositionId: null, shippedQuantity: null },
  ],
};

describe('order status rules', () => {
  it('E7 a new state name and changed shipped quantities are a change; the same values are none', () => {
    expect(orderStatusChange(known, { stateName: 'Отгружен', shippedByMsPositionId: new Map([['p1', 3], ['p2', 2]]) })).toEqual({ state: 'Отгружен', shipped: [{ positionId: 1, quantity: 3 }] });
    expect(orderStatusChange(known, { stateName: 'Новый', shippedByMsPositionId: new Map([['p2', 2]]) })).toBeNull();
    // No state in MoySklad never erases a known one; a position MoySklad no longer lists keeps its value.
    expect(orderStatusChange(known, { stateName: null, shippedByMsPositionId: new Map() })).toBeNull();
    expect(orderStatusChange({ ...known, stateName: null }, { stateName: 'Новый', shippedByMsPositionId: new Map([['p1', 0]]) })).toEqual({ state: 'Новый', shipped: [{ positionId: 1, quantity: 0 }] });
  });
});
