/**
 * @module platform-events
 * E3 the events the module sends to the store platform's webhooks: a closed union of types, the
 * data each one carries, the body that is signed (the Standard Webhooks payload structure
 * `{type, timestamp, data}`), and the retry schedule of a delivery (exponential backoff for 24 h).
 * Pure: no I/O, no clock (instants are passed in).
 */

/** Every event type a subscription can ask for. */
export const PLATFORM_EVENT_TYPES = [
  'order.exported',
  'order.failed',
  'order.position_deleted',
  'order.status_changed',
  'product.changed',
  'product.deleted',
  'price_list.updated',
  'balance.updated',
] as const;
export type PlatformEventType = (typeof PLATFORM_EVENT_TYPES)[number];

export const isPlatformEventType = (v: string): v is PlatformEventType => (PLATFORM_EVENT_TYPES as readonly string[]).includes(v);

type OrderRef = { orderId: number; externalId: string; kind: 'customer' | 'supplier' };

/** What each event carries (`data` of the body). Ids are the module's own (as in `/api/v1`). */
export interface PlatformEventData {
  /**
   * The order reached MoySklad: `created` there, `updated` (the store's changes were sent), or
   * `unchanged` (a retried export found MoySklad already up to date, e.g. after `order.failed`).
   */
  'order.exported': OrderRef & { msOrderId: string; action: 'created' | 'updated' | 'unchanged'; exportedAt: string };
  /** The export stopped and a person must act (ambiguous counterparty, MoySklad refused the data, …). */
  'order.failed': OrderRef & { error: string };
  /** A rejected or withdrawn position was deleted from the MoySklad order (R7). */
  'order.position_deleted': OrderRef & { positionId: number; positionExternalId: string; msPositionId: string; status: 'rejected' | 'withdrawn' };
  /** The order's MoySklad state or shipped quantities changed (emitted by the order status sync, E7). */
  'order.status_changed': OrderRef & { state: string | null; shipped: Array<{ positionId: number; quantity: number }> };
  /** A catalog product was created or changed (derived from the catalog change feed, E1). */
  'product.changed': { productId: number; msId: string; brand: string; article: string };
  /** A catalog product left the catalog (derived from the catalog change feed, E1). */
  'product.deleted': { productId: number; msId: string; reason: 'deleted' | 'archived' | 'not_synced' };
  /** A price list's rows changed: a new generation replaced them (full sync) or they were patched in place. */
  'price_list.updated': { priceListId: number; generation: number; rowCount: number; change: 'replaced' | 'patched' };
  /** A client's MoySklad balance was read and differs from the one read before. */
  'balance.updated': { clientId: number; externalId: string; balanceKopecks: number; previousKopecks: number | null; readAt: string };
}

/** One event: its type and the matching data. */
export type PlatformEvent = { [T in PlatformEventType]: { type: T; data: PlatformEventData[T] } }[PlatformEventType];

/** The JSON body delivered (and signed) for an event; the same bytes on every attempt and resend. */
export function eventBody(event: PlatformEvent, timestamp: string): string {
  return JSON.stringify({ type: event.type, timestamp, data: event.data });
}

/** The delivery retry policy: exponential backoff from `baseDelayMs`, each wait capped, for `windowMs`. */
export interface DeliveryRetryPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long after the delivery was (re)started it is retried before it is marked failed. */
  windowMs: number;
}

/** Waits of 30 s, 1, 2, 4 … min, each at most 4 h, the last attempt at 24 h: 15 attempts. */
export const DEFAULT_DELIVERY_RETRY: DeliveryRetryPolicy = { baseDelayMs: 30_000, maxDelayMs: 4 * 3600_000, windowMs: 24 * 3600_000 };

/**
 * When to try again after attempt number `attempts` (1-based) failed at `nowMs`, for a delivery
 * whose retry window ends at `deadlineMs`: the backoff wait, but never past the window's end (the
 * last attempt is made at the deadline); null once the window is over (the delivery is then failed).
 */
export function nextAttemptAt(policy: DeliveryRetryPolicy, attempts: number, nowMs: number, deadlineMs: number): number | null {
  if (nowMs >= deadlineMs) return null;
  const delay = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(30, Math.max(0, attempts - 1)));
  return Math.min(nowMs + delay, deadlineMs);
}

/** The instants (ms after the first attempt) of every attempt of a delivery that always fails. */
export function attemptSchedule(policy: DeliveryRetryPolicy): number[] {
  const out = [0];
  for (let n = 1; ; n++) {
    const next = nextAttemptAt(policy, n, out[n - 1]!, policy.windowMs);
    if (next === null) return out;
    out.push(next);
  }
}
