/**
 * @module order-counterparty
 * R27, the one place it is decided: a customer order is placed on a client, a supplier order on a
 * supplier; a supplier is never a client. The order service refuses such an order at creation
 * (422), and the export checks it again before any MoySklad request (the counterparty's kind may
 * have changed since).
 */
type OrderKind = 'customer' | 'supplier';
type CounterpartyKind = 'client' | 'supplier';

export type OrderCounterpartyProblem = 'supplier_not_client' | 'client_not_supplier';

/** The counterparty kind an order of `kind` needs. */
export const COUNTERPARTY_KIND_OF_ORDER: Readonly<Record<OrderKind, CounterpartyKind>> = { customer: 'client', supplier: 'supplier' };

/** Null when the order may be placed on a counterparty of that kind, else what is wrong (R27). */
export function orderCounterpartyProblem(orderKind: OrderKind, counterpartyKind: CounterpartyKind): OrderCounterpartyProblem | null {
  if (COUNTERPARTY_KIND_OF_ORDER[orderKind] === counterpartyKind) return null;
  return orderKind === 'customer' ? 'supplier_not_client' : 'client_not_supplier';
}
