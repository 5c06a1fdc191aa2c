/**
 * @module moysklad/retry
 * The one retry decision of the MoySklad client, pure: given what went wrong with an attempt and how
 * many re-sends were made so far, re-send (after how long) or give up.
 *
 * - A 429 (`rate_limited`) is always re-sent, at most `max429Retries` times, with no wait of its own:
 *   MoySklad did not process the request, and the limiter paces the re-send (it learned from the 429).
 * - A 5xx, a timeout or a network error is re-sent when the request is idempotent, at most
 *   `maxRetries` times, after a full-jitter exponential backoff: `random() × min(cap, base × 2^(n−1))`
 *   for the n-th re-send.
 * - Anything else (other 4xx, a body that is not what we expect) fails at once.
 */
import type { MoySkladError } from './errors.js';

/** What went wrong with one attempt. */
export type FailureOutcome = 'rate_limited' | 'server_error' | 'network_error' | 'timeout' | 'http_error' | 'bad_response';

/** Re-sends made so far for one request, by kind (the first try is not counted). */
export interface RetryCount {
  /** After 5xx, timeouts and network errors. */
  retries: number;
  /** After 429s. */
  rateLimited: number;
}

export interface RetryPolicy {
  maxRetries: number;
  max429Retries: number;
  backoffBaseMs: number;
  backoffCapMs: number;
}

export type RetryDecision = { action: 'retry'; waitMs: number } | { action: 'fail' };

/**
 * Decides what to do after a failed attempt. `random` (in [0,1)) is called only for a backoff wait.
 * The caller counts the re-send it makes (see `countRetry`).
 */
export function decide(outcome: FailureOutcome, sent: RetryCount, request: { idempotent: boolean }, policy: RetryPolicy, random: () => number): RetryDecision {
  if (outcome === 'rate_limited') {
    return sent.rateLimited < policy.max429Retries ? { action: 'retry', waitMs: 0 } : { action: 'fail' };
  }
  const transient = outcome === 'server_error' || outcome === 'network_error' || outcome === 'timeout';
  if (!transient || !request.idempotent || sent.retries >= policy.maxRetries) return { action: 'fail' };
  return { action: 'retry', waitMs: random() * backoffCeiling(sent.retries + 1, policy) };
}

/** The upper bound of the wait before the n-th re-send (n ≥ 1): `min(cap, base × 2^(n−1))`. */
export function backoffCeiling(retry: number, policy: Pick<RetryPolicy, 'backoffBaseMs' | 'backoffCapMs'>): number {
  return Math.min(policy.backoffCapMs, policy.backoffBaseMs * 2 ** (retry - 1));
}

/** The counts after one more re-send of `outcome`. */
export function countRetry(outcome: FailureOutcome, sent: RetryCount): RetryCount {
  return outcome === 'rate_limited' ? { ...sent, rateLimited: sent.rateLimited + 1 } : { ...sent, retries: sent.retries + 1 };
}

/** The failure kind of a client error (its code says it). */
export function failureOutcome(err: MoySkladError): FailureOutcome {
  switch (err.code) {
    case 'moysklad_rate_limited':
      return 'rate_limited';
    case 'moysklad_server_error':
      return 'server_error';
    case 'moysklad_unreachable':
      return 'network_error';
    case 'moysklad_timeout':
      return 'timeout';
    case 'moysklad_bad_response':
      return 'bad_response';
    default:
      return 'http_error';
  }
}
