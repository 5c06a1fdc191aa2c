/**
 * @module order-wait
 * B1/E7 why an order that is not in MoySklad yet waits — one reason, the first that applies, for
 * the admin panel's order page. Pure: the caller reads the facts, this decides.
 */

export type OrderWaitReason =
  | 'no_integration'
  | 'integration_inactive'
  | 'integration_problem'
  | 'counterparty_ambiguous'
  | 'retry_scheduled'
  | 'failed'
  | 'queued';

export interface OrderWaitFacts {
  exportState: 'pending' | 'sent' | 'failed';
  hasIntegration: boolean;
  integrationActive: boolean;
  /** An open MoySklad permission or tariff problem of the integration's order export. */
  exportProblem: boolean;
  /** The order's counterparty matches several MoySklad counterparties and none is chosen. */
  counterpartyAmbiguous: boolean;
  /** The latest export attempt failed and the next one is at this ISO time (null: none failed). */
  nextRetryAt: string | null;
}

/** Null when the order does not wait (it was exported). */
export function orderWaitReason(f: OrderWaitFacts): OrderWaitReason | null {
  if (f.exportState === 'sent') return null;
  if (!f.hasIntegration) return 'no_integration';
  if (!f.integrationActive) return 'integration_inactive';
  if (f.exportProblem) return 'integration_problem';
  if (f.counterpartyAmbiguous) return 'counterparty_ambiguous';
  if (f.exportState === 'failed') return 'failed';
  if (f.nextRetryAt !== null) return 'retry_scheduled';
  return 'queued';
}
