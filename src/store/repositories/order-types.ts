/**
 * @module order-types
 * An order as the repositories hand it out: its row with its positions (shared by `OrderRepository`
 * and the batch export's reads and writes in `order-batch-repository.ts`).
 */
import type { OrderPositionRow, OrderRow } from '../schema.js';

export type OrderPosition = OrderPositionRow;
export interface Order extends OrderRow {
  positions: OrderPosition[];
}
