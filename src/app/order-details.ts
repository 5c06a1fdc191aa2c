/**
 * @module order-details
 * E7/B1 what the admin panel's order page shows: the order with its lines (status, MoySklad state
 * and shipped quantity when known), its counterparty and the MoySklad cards, the export attempts
 * (outbox items with attempts and errors), and why it waits (`orderWaitReason`).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { orderWaitReason, type OrderWaitReason } from '../domain/order-wait.js';
import { IntegrationProblemRepository } from '../store/repositories/integration-problem-repository.js';
import { IntegrationRepository, type Integration } from '../store/repositories/integration-repository.js';
import { OrderRepository, type Order } from '../store/repositories/order-repository.js';
import { OrderViewRepository, type OpenMatchIssue } from '../store/repositories/order-view-repository.js';
import { OutboxRepository, type OutboxItemView } from '../store/repositories/outbox-repository.js';
import type { Database } from '../store/schema.js';

export interface OrderDetails {
  order: Order;
  counterparty: { name: string; msCounterpartyId: string | null };
  integration: Integration | null;
  attempts: OutboxItemView[];
  ambiguous: OpenMatchIssue | null;
  /** The MoySklad problem that holds the order export back (Russian sentence), if any. */
  problem: string | null;
  waitReason: OrderWaitReason | null;
}

export async function orderDetails(deps: { db: Kysely<Database>; clock: Clock }, orderId: number): Promise<OrderDetails | null> {
  const order = await new OrderRepository(deps.db, deps.clock).find(orderId);
  if (!order) return null;
  const views = new OrderViewRepository(deps.db);
  const integration = await new IntegrationRepository(deps.db, deps.clock).findByRegion(order.regionId);
  const msAccountId = order.msAccountId ?? integration?.msAccountId ?? null;
  const counterparty = (await views.counterparty(Number(order.counterpartyId), msAccountId === null ? null : Number(msAccountId))) ?? { name: '—', msCounterpartyId: null };
  const attempts = await new OutboxRepository(deps.db, deps.clock).listFor('order', orderId);
  const ambiguous = await views.openMatchIssueOf(Number(order.counterpartyId));
  const problem = integration ? await new IntegrationProblemRepository(deps.db, deps.clock).find(integration.id, 'outbox') : null;
  const failedAttempt = [...attempts].reverse().find((a) => a.state !== 'sent' && a.lastError !== null);
  const waitReason = orderWaitReason({
    exportState: order.exportState,
    hasIntegration: integration !== null,
    integrationActive: integration?.active ?? false,
    exportProblem: problem !== null,
    counterpartyAmbiguous: ambiguous !== null,
    nextRetryAt: failedAttempt ? failedAttempt.nextAttemptAt : null,
  });
  return { order, counterparty, integration, attempts, ambiguous, problem: problem?.message ?? null, waitReason };
}
