/**
 * @module rate-limit
 * The 2026 MoySklad request budget (REFERENCE §3): a continuous token bucket of 45 units that
 * refills 45 units per 3000 ms, counted per user (per solution for solution tokens); each request
 * costs a weight; at most 5 requests of one user may be in flight.
 */

import { parseMoscow } from '../../core/moscow-time.js';

export interface RateLimitSettings {
  /** Bucket size in weight units (X-RateLimit-Limit). */
  bucket: number;
  /** Refill interval in ms: the whole bucket refills over this time (X-Lognex-Retry-TimeInterval). */
  intervalMs: number;
  /** Parallel requests allowed per user or solution. */
  parallel: number;
  /** Parallel requests allowed per account (all users and solutions together). */
  accountParallel: number;
  /** Weight of a login+password or user-token request before `userWeightSwitchAt`. */
  userWeight: number;
  /** Weight of a login+password or user-token request from `userWeightSwitchAt` on. */
  userWeightLater: number;
  /** Epoch ms of the switch (default 2026-12-01 00:00 Moscow). */
  userWeightSwitchAt: number;
  /** Weight of a solution-token request. */
  solutionWeight: number;
  /** Weight of GET report/stock/all and report/stock/bystore (any auth kind). */
  stockReportWeight: number;
  /**
   * More than this many 429 answers to one account within 60 s switch its API access off
   * (REFERENCE §3 "Automatic API disablement"); 0 disables the rule.
   */
  disableAfter429PerMinute: number;
}

export const defaultRateLimits: RateLimitSettings = {
  bucket: 45,
  intervalMs: 3000,
  parallel: 5,
  accountParallel: 20,
  userWeight: 3,
  userWeightLater: 4,
  userWeightSwitchAt: parseMoscow('2026-12-01 00:00:00') ?? 0,
  solutionWeight: 1,
  stockReportWeight: 5,
  disableAfter429PerMinute: 200,
};

export type AuthKind = 'password' | 'user-token' | 'solution-token';

/** The weight of one request. */
export function requestWeight(s: RateLimitSettings, kind: AuthKind, method: string, apiPath: string, nowMs: number): number {
  if (method === 'GET' && /^report\/stock\/(all|bystore)\/?$/.test(apiPath)) return s.stockReportWeight;
  if (kind === 'solution-token') return s.solutionWeight;
  return nowMs >= s.userWeightSwitchAt ? s.userWeightLater : s.userWeight;
}

export interface BucketDecision {
  ok: boolean;
  /** Units left after this request (floored), for X-RateLimit-Remaining. */
  remaining: number;
  /** ms until the bucket is full again (X-Lognex-Reset). */
  resetMs: number;
  /** ms until a request of this weight would pass (X-Lognex-Retry-After); 0 when ok. */
  retryAfterMs: number;
}

/** A continuous token bucket. */
export class TokenBucket {
  #tokens: number;
  #atMs: number;

  constructor(nowMs: number, capacity: number) {
    this.#tokens = capacity;
    this.#atMs = nowMs;
  }

  #refill(nowMs: number, s: RateLimitSettings): void {
    const rate = s.bucket / s.intervalMs;
    if (nowMs > this.#atMs) {
      this.#tokens = Math.min(s.bucket, this.#tokens + (nowMs - this.#atMs) * rate);
      this.#atMs = nowMs;
    }
    if (this.#tokens > s.bucket) this.#tokens = s.bucket;
  }

  take(nowMs: number, weight: number, s: RateLimitSettings): BucketDecision {
    this.#refill(nowMs, s);
    const rate = s.bucket / s.intervalMs;
    if (this.#tokens + 1e-9 >= weight) {
      this.#tokens -= weight;
      return {
        ok: true,
        remaining: Math.max(0, Math.floor(this.#tokens + 1e-9)),
        resetMs: Math.ceil((s.bucket - this.#tokens) / rate),
        retryAfterMs: 0,
      };
    }
    return {
      ok: false,
      remaining: Math.max(0, Math.floor(this.#tokens + 1e-9)),
      resetMs: Math.ceil((s.bucket - this.#tokens) / rate),
      retryAfterMs: Math.max(1, Math.ceil((weight - this.#tokens) / rate)),
    };
  }

  /** Current state without taking anything. */
  peek(nowMs: number, s: RateLimitSettings): BucketDecision {
    this.#refill(nowMs, s);
    const rate = s.bucket / s.intervalMs;
    return {
      ok: true,
      remaining: Math.floor(this.#tokens + 1e-9),
      resetMs: Math.ceil((s.bucket - this.#tokens) / rate),
      retryAfterMs: 0,
    };
  }
}

/** Buckets and in-flight counters keyed by "user or solution". */
export class RateLimiter {
  settings: RateLimitSettings | false;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #inFlight = new Map<string, number>();

  constructor(settings: RateLimitSettings | false) {
    this.settings = settings;
  }

  bucket(key: string, nowMs: number): TokenBucket {
    let b = this.#buckets.get(key);
    if (!b) {
      b = new TokenBucket(nowMs, this.settings ? this.settings.bucket : 45);
      this.#buckets.set(key, b);
    }
    return b;
  }

  inFlight(key: string): number {
    return this.#inFlight.get(key) ?? 0;
  }

  enter(key: string): void {
    this.#inFlight.set(key, this.inFlight(key) + 1);
  }

  leave(key: string): void {
    const n = this.inFlight(key) - 1;
    if (n <= 0) this.#inFlight.delete(key);
    else this.#inFlight.set(key, n);
  }

  reset(): void {
    this.#buckets.clear();
  }
}
