/**
 * @module queue/retry-policy
 * Which failures are retried and when. A failure is retryable when the error says so
 * (`retryable: true`, e.g. MoySklad 5xx, timeouts, unreachable); everything else stops at once.
 */
import { isAppError } from '../core/errors.js';
import type { SerializedJobError } from './types.js';

export interface RetryPolicy {
  /** Delay before the first retry (default 30 s). */
  baseDelayMs: number;
  /** Upper bound of the delay (default 30 min). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 30_000, maxDelayMs: 30 * 60_000 };

export function isRetryable(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { retryable?: unknown }).retryable === true;
}

/** Exponential backoff: base × 2^(attempt−1), capped. `attempt` is the attempt that just failed (1-based). */
export function retryDelayMs(policy: RetryPolicy, attempt: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
}

/** A failure as stored with the job: message and code only (never a stack or request data). */
export function serializeJobError(e: unknown): SerializedJobError {
  const message = e instanceof Error ? e.message : String(e);
  const code = isAppError(e) ? e.code : typeof (e as { code?: unknown })?.code === 'string' ? String((e as { code: string }).code) : undefined;
  return code === undefined ? { message, retryable: isRetryable(e) } : { message, code, retryable: isRetryable(e) };
}
