/** The retry decision of the MoySklad client, with exact expected values. */
import { describe, expect, it } from 'vitest';
import { MoySkladError, MoySkladNetworkError, MoySkladRateLimitError, MoySkladServerError, MoySkladTimeoutError, MoySkladBadResponseError, MoySkladNotFoundError } from './errors.js';
import { backoffCeiling, countRetry, decide, failureOutcome, type RetryPolicy } from './retry.js';

const policy: RetryPolicy = { maxRetries: 5, max429Retries: 20, backoffBaseMs: 500, backoffCapMs: 30_000 };
const half = (): number => 0.5;
const never = (): number => {
  throw new Error('random must not be drawn');
};

describe('decide', () => {
  it('B2 waits random × min(30 s, 500 ms × 2^(n−1)) before the n-th re-send of a 5xx, timeout or network error', () => {
    const waits = [0, 1, 2, 3, 4].map((retries) => decide('server_error', { retries, rateLimited: 0 }, { idempotent: true }, policy, half));
    expect(waits).toEqual([
      { action: 'retry', waitMs: 250 },
      { action: 'retry', waitMs: 500 },
      { action: 'retry', waitMs: 1000 },
      { action: 'retry', waitMs: 2000 },
      { action: 'retry', waitMs: 4000 },
    ]);
    expect(decide('timeout', { retries: 0, rateLimited: 0 }, { idempotent: true }, policy, () => 0.25)).toEqual({ action: 'retry', waitMs: 125 });
    expect(decide('network_error', { retries: 2, rateLimited: 7 }, { idempotent: true }, policy, () => 0.1)).toEqual({ action: 'retry', waitMs: 200 });
  });

  it('B2 caps the backoff at 30 s and gives up after maxRetries re-sends', () => {
    const long = { ...policy, maxRetries: 12 };
    expect(decide('server_error', { retries: 10, rateLimited: 0 }, { idempotent: true }, long, () => 0.5)).toEqual({ action: 'retry', waitMs: 15_000 });
    expect(decide('server_error', { retries: 5, rateLimited: 0 }, { idempotent: true }, policy, never)).toEqual({ action: 'fail' });
    expect(decide('timeout', { retries: 1, rateLimited: 0 }, { idempotent: true }, { ...policy, maxRetries: 1 }, never)).toEqual({ action: 'fail' });
    expect([1, 2, 3, 6, 7, 8].map((n) => backoffCeiling(n, policy))).toEqual([500, 1000, 2000, 16_000, 30_000, 30_000]);
  });

  it('B2 never re-sends a request that is not idempotent after a 5xx, timeout or network error', () => {
    for (const outcome of ['server_error', 'timeout', 'network_error'] as const) {
      expect(decide(outcome, { retries: 0, rateLimited: 0 }, { idempotent: false }, policy, never)).toEqual({ action: 'fail' });
    }
  });

  it('B2 re-sends a 429 at once (the limiter paces it), idempotent or not, at most 20 times', () => {
    expect(decide('rate_limited', { retries: 5, rateLimited: 0 }, { idempotent: false }, policy, never)).toEqual({ action: 'retry', waitMs: 0 });
    expect(decide('rate_limited', { retries: 0, rateLimited: 19 }, { idempotent: true }, policy, never)).toEqual({ action: 'retry', waitMs: 0 });
    expect(decide('rate_limited', { retries: 0, rateLimited: 20 }, { idempotent: true }, policy, never)).toEqual({ action: 'fail' });
  });

  it('B2 fails at once on other 4xx and on a body of the wrong shape', () => {
    expect(decide('http_error', { retries: 0, rateLimited: 0 }, { idempotent: true }, policy, never)).toEqual({ action: 'fail' });
    expect(decide('bad_response', { retries: 0, rateLimited: 0 }, { idempotent: true }, policy, never)).toEqual({ action: 'fail' });
  });

  it('B2 counts re-sends by kind and reads the kind from the error', () => {
    expect(countRetry('rate_limited', { retries: 2, rateLimited: 3 })).toEqual({ retries: 2, rateLimited: 4 });
    expect(countRetry('timeout', { retries: 2, rateLimited: 3 })).toEqual({ retries: 3, rateLimited: 3 });
    const init = { status: 0, method: 'GET', path: 'entity/product' };
    expect(
      [
        new MoySkladRateLimitError('x', { ...init, status: 429 }),
        new MoySkladServerError('x', { ...init, status: 503 }),
        new MoySkladNetworkError('x', init),
        new MoySkladTimeoutError('x', init),
        new MoySkladBadResponseError('x', { ...init, status: 200 }),
        new MoySkladNotFoundError('x', { ...init, status: 404 }),
        new MoySkladError('moysklad_forbidden', 'x', { ...init, status: 403 }),
      ].map(failureOutcome),
    ).toEqual(['rate_limited', 'server_error', 'network_error', 'timeout', 'bad_response', 'http_error', 'http_error']);
  });
});
