/**
 * @module order-service
 * The one write path of store orders (R5–R7, R27, B1, P1), between the REST API / demo / bench and
 * the store: creates an order, updates it, changes a line's status. Each change is written with its
 * outbox row in one transaction by `OrderRepository`, and right after the commit the service wakes
 * the sender (`wake`, injected: in one process a direct call to the outbox sender, across processes
 * a PostgreSQL NOTIFY), so the order reaches MoySklad in seconds instead of at the next minute poll.
 * R27 (a customer order on a client, a supplier order on a supplier) is decided by
 * `domain/order-counterparty.ts`.
 */
import type { Clock } from '../core/clock.js';
import { AppError, ConflictError, NotFoundError } from '../core/errors.js';
import { COUNTERPARTY_KIND_OF_ORDER, orderCounterpartyProblem } from '../domain/order-counterparty.js';
import type { Db } from '../store/db.js';
import { CounterpartyRepository } from '../store/repositories/counterparty-repository.js';
import { OrderRepository, type Order, type OrderInput, type OrderPatch } from '../store/repositories/order-repository.js';
import type { PositionStatus } from '../store/schema.js';

/** Wakes whatever sends the outbox (P1). Must not throw; may be called often (the sender coalesces). */
export type OutboxWake = () => void;

export interface OrderServiceDeps {
  db: Db;
  clock: Clock;
  /** P1: called after every committed change. Without it the minute poll sends the order. */
  wake?: OutboxWake;
}

const R27_TEXT = {
  supplier_not_client: { path: 'counterpartyId', message: 'a supplier cannot be the client of a customer order' },
  client_not_supplier: { path: 'counterpartyId', message: 'a client cannot be the supplier of a supplier order' },
} as const;

export class OrderService {
  readonly #orders: OrderRepository;
  constructor(private readonly deps: OrderServiceDeps) {
    this.#orders = new OrderRepository(deps.db, deps.clock);
  }

  get(id: number): Promise<Order> {
    return this.#orders.get(id);
  }

  findByExternalId(kind: Order['kind'], externalId: string): Promise<Order | null> {
    return this.#orders.findByExternalId(kind, externalId);
  }

  search(query: Parameters<OrderRepository['search']>[0]): ReturnType<OrderRepository['search']> {
    return this.#orders.search(query);
  }

  /** R5/R6: a new order; refused when the counterparty is of the wrong kind (R27) or the order exists. */
  async create(input: OrderInput): Promise<Order> {
    const cp = await new CounterpartyRepository(this.deps.db, this.deps.clock).find(input.counterpartyId);
    if (!cp) throw new NotFoundError('counterparty', input.counterpartyId);
    const problem = orderCounterpartyProblem(input.kind, cp.kind);
    if (problem) {
      throw new AppError(problem, `counterparty ${input.counterpartyId} is a ${cp.kind}; a ${input.kind} order needs a ${COUNTERPARTY_KIND_OF_ORDER[input.kind]} (R27)`, {
        status: 422,
        details: [R27_TEXT[problem]],
      });
    }
    const dup = await this.#orders.findByExternalId(input.kind, input.externalId);
    if (dup) throw new ConflictError('duplicate_order', `${input.kind} order ${input.externalId} already exists as ${dup.id}; update it instead`, { id: Number(dup.id) });
    const order = await this.#orders.create(input).catch((e: unknown) => {
      // A concurrent create of the same order won the race: same answer as the check above.
      if (e instanceof ConflictError) throw new ConflictError('duplicate_order', `${input.kind} order ${input.externalId} already exists; update it instead`);
      throw e;
    });
    this.#wake();
    return order;
  }

  /** R5: changes the order; with `replacePositions` the listed lines are the whole order. */
  async update(id: number, patch: OrderPatch): Promise<Order> {
    const order = await this.#orders.update(id, patch);
    this.#wake();
    return order;
  }

  /** R7: one line rejected or withdrawn (or active again), by the store's position id. */
  async setPositionStatus(orderId: number, positionId: number, status: PositionStatus, quantity?: number): Promise<Order> {
    const order = await this.#orders.setPositionStatus(orderId, { positionId }, status, quantity);
    this.#wake();
    return order;
  }

  #wake(): void {
    try {
      this.deps.wake?.();
    } catch {
      // The change is committed; the minute poll sends it if the wake-up failed.
    }
  }
}
