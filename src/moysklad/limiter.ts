/**
 * @module moysklad/limiter
 * Client-side pacing for one MoySklad credential (REFERENCE §3).
 *
 * MoySklad (2026): a bucket of 45 units per 3 s per user or solution; a request weighs 3 units with
 * login+password or a user token until 2026-11-30 and 4 from 2026-12-01 (Moscow), 1 with a solution
 * token, and 5 for `report/stock/all|bystore`; at most 5 parallel requests; 429/1049 with
 * `X-Lognex-Retry-After` when over budget, 429/1073 without it when too many run in parallel; API
 * access is switched off past 200 requests a minute that end in 429.
 *
 * `AdaptiveLimiter` paces proactively so that 429s are the exception:
 * - a local sliding window of `capacity` units per `intervalMs`: a request's units count from the
 *   moment it is sent until `intervalMs + marginMs` after its response arrived (the server may have
 *   counted it at any instant in between, so this never under-counts);
 * - the bucket size and interval are taken from `X-RateLimit-Limit` / `X-Lognex-Retry-TimeInterval`
 *   as soon as a response states them (MoySklad counts both in weight units);
 * - corrections from `X-RateLimit-Remaining` and `X-Lognex-Reset`:
 *   when the server knows of more consumption than we do (another process on the same credential),
 *   the difference is booked as a phantom entry that expires when the server says the limit resets;
 * - a parallel cap (4 by default), lowered by one on each 429 without Retry-After (1073) and raised
 *   by one after `quietMsToRaise` without such a 429;
 * - a pause of every request of the credential until `X-Lognex-Retry-After` has passed on 429/1049;
 * - a budget of 429s: while `max429PerMinute` 429s plus the requests in flight would exceed the
 *   budget for the last minute, nothing is sent.
 * Waiters are served first come, first served. All waiting uses the injected clock.
 */
import type { Clock } from '../core/clock.js';
import { parseMoscow } from '../core/moscow-time.js';

/** What the client reports back when a request it acquired a slot for has finished. */
export interface LimiterResult {
  /** HTTP status; undefined when no response arrived (network error, timeout, abort). */
  status?: number;
  /** Response headers (the limiter reads the X-RateLimit-* and X-Lognex-* ones). */
  headers?: Headers;
  /** MoySklad error code of a 429 body (1049 or 1073), when parsed. */
  msCode?: number;
}

export type ReleaseFn = (result: LimiterResult) => void;

/** The contract the client needs; one shared limiter per credential can replace the default. */
export interface RequestLimiter {
  /** Resolves when a request of `weight` units may be sent; call the returned function when it is done. */
  acquire(weight: number, signal?: AbortSignal): Promise<ReleaseFn>;
}

export type AuthKind = 'password' | 'user_token' | 'solution_token';

/** 2026-12-01 00:00 Moscow: the weight of login+password and user-token requests goes from 3 to 4. */
export const WEIGHT_4_FROM_MS = parseMoscow('2026-12-01 00:00:00') as number;

/** The weight MoySklad charges a request (REFERENCE §3). `path` is relative to the API base. */
export function requestWeight(auth: AuthKind, path: string, nowMs: number): number {
  const p = path.replace(/^\/+/, '').split('?')[0] ?? '';
  if (/^report\/stock\/(all|bystore)\/?$/.test(p)) return 5;
  if (auth === 'solution_token') return 1;
  return nowMs >= WEIGHT_4_FROM_MS ? 4 : 3;
}

export interface AdaptiveLimiterOptions {
  clock: Clock;
  /** Units per interval (default 45). */
  capacity?: number;
  /** Interval of the bucket in ms (default 3000). */
  intervalMs?: number;
  /** Extra time a unit stays booked after its interval (default 50 ms), against clock skew. */
  marginMs?: number;
  /** Parallel cap (default 4; MoySklad allows 5). */
  maxConcurrency?: number;
  /** Quiet time after a 1073 before the parallel cap is raised by one (default 10 000 ms). */
  quietMsToRaise?: number;
  /** 429 responses allowed per minute (default 100; MoySklad disables API access past 200). */
  max429PerMinute?: number;
}

interface Booking {
  units: number;
  /** Infinity while the request is in flight. */
  expiresAtMs: number;
}

interface Waiter {
  weight: number;
  resolve: (release: ReleaseFn) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
}

export interface LimiterStats {
  inFlight: number;
  concurrency: number;
  queued: number;
  bookedUnits: number;
  pausedUntilMs: number;
  recent429: number;
}

export class AdaptiveLimiter implements RequestLimiter {
  readonly #clock: Clock;
  #capacity: number;
  #intervalMs: number;
  readonly #marginMs: number;
  readonly #maxConcurrency: number;
  readonly #quietMsToRaise: number;
  readonly #max429PerMinute: number;

  #bookings: Booking[] = [];
  #inFlight = 0;
  #concurrency: number;
  #last1073AtMs = -Infinity;
  #pausedUntilMs = 0;
  #recent429: number[] = [];
  readonly #queue: Waiter[] = [];
  #timerAtMs: number | null = null;

  constructor(options: AdaptiveLimiterOptions) {
    this.#clock = options.clock;
    this.#capacity = options.capacity ?? 45;
    this.#intervalMs = options.intervalMs ?? 3000;
    this.#marginMs = options.marginMs ?? 50;
    this.#maxConcurrency = options.maxConcurrency ?? 4;
    this.#quietMsToRaise = options.quietMsToRaise ?? 10_000;
    this.#max429PerMinute = options.max429PerMinute ?? 100;
    this.#concurrency = this.#maxConcurrency;
  }

  acquire(weight: number, signal?: AbortSignal): Promise<ReleaseFn> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<ReleaseFn>((resolve, reject) => {
      const waiter: Waiter = { weight: Math.max(0, weight), resolve, reject, signal, onAbort: undefined };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.#queue.indexOf(waiter);
          if (i >= 0) this.#queue.splice(i, 1);
          reject(signal.reason);
          this.#pump();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.#queue.push(waiter);
      this.#pump();
    });
  }

  /** A snapshot for metrics and tests. */
  stats(): LimiterStats {
    const now = this.#clock.nowMs();
    this.#expire(now);
    return {
      inFlight: this.#inFlight,
      concurrency: this.#concurrency,
      queued: this.#queue.length,
      bookedUnits: this.#bookedUnits(),
      pausedUntilMs: this.#pausedUntilMs,
      recent429: this.#recent429.length,
    };
  }

  #bookedUnits(): number {
    let sum = 0;
    for (const b of this.#bookings) sum += b.units;
    return sum;
  }

  #expire(now: number): void {
    if (this.#bookings.some((b) => b.expiresAtMs <= now)) this.#bookings = this.#bookings.filter((b) => b.expiresAtMs > now);
    while (this.#recent429.length && (this.#recent429[0] as number) + 60_000 <= now) this.#recent429.shift();
  }

  /**
   * The earliest instant the head waiter may go (now or later), or null when it waits for a
   * request in flight to finish (the release will pump again).
   */
  #readyAt(weight: number, now: number): number | null {
    if (this.#inFlight >= this.#concurrency) return null;
    let at = Math.max(now, this.#pausedUntilMs);
    if (this.#recent429.length + this.#inFlight >= this.#max429PerMinute) {
      // Any request in flight could still end in 429: wait for it before spending the last of the budget.
      if (this.#inFlight > 0) return null;
      const oldest = this.#recent429[this.#recent429.length - this.#max429PerMinute] ?? now;
      at = Math.max(at, oldest + 60_000);
    }
    const booked = this.#bookedUnits();
    if (booked + weight > this.#capacity) {
      // Units free up as bookings expire, earliest first; in-flight bookings never expire by time.
      const timed = this.#bookings.filter((b) => Number.isFinite(b.expiresAtMs)).sort((a, b) => a.expiresAtMs - b.expiresAtMs);
      let free = this.#capacity - booked;
      let when: number | null = null;
      for (const b of timed) {
        free += b.units;
        if (free >= weight) {
          when = b.expiresAtMs;
          break;
        }
      }
      if (when === null) return null; // only in-flight requests hold the units
      at = Math.max(at, when);
    }
    return at;
  }

  #pump(): void {
    for (;;) {
      const head = this.#queue[0];
      if (!head) return;
      const now = this.#clock.nowMs();
      this.#expire(now);
      // Raise the parallel cap after a quiet period.
      if (this.#concurrency < this.#maxConcurrency && now - this.#last1073AtMs >= this.#quietMsToRaise) {
        this.#concurrency += 1;
        this.#last1073AtMs = now;
      }
      const at = this.#readyAt(Math.min(head.weight, this.#capacity), now);
      // null: blocked by the parallel cap or by units held in flight; the next release pumps again.
      if (at === null) return;
      if (at > now) {
        this.#wakeAt(at);
        return;
      }
      this.#queue.shift();
      if (head.signal && head.onAbort) head.signal.removeEventListener('abort', head.onAbort);
      head.resolve(this.#dispatch(Math.min(head.weight, this.#capacity)));
    }
  }

  #wakeAt(atMs: number): void {
    if (this.#timerAtMs !== null && this.#timerAtMs <= atMs) return;
    this.#timerAtMs = atMs;
    const delay = Math.max(0, atMs - this.#clock.nowMs());
    void this.#clock.sleep(delay).then(() => {
      if (this.#timerAtMs === atMs) this.#timerAtMs = null;
      this.#pump();
    });
  }

  #dispatch(weight: number): ReleaseFn {
    const booking: Booking = { units: weight, expiresAtMs: Infinity };
    this.#bookings.push(booking);
    this.#inFlight += 1;
    let released = false;
    return (result: LimiterResult) => {
      if (released) return;
      released = true;
      this.#inFlight -= 1;
      const now = this.#clock.nowMs();
      booking.expiresAtMs = now + this.#intervalMs + this.#marginMs;
      this.#learn(result, now);
      this.#pump();
    };
  }

  #learn(result: LimiterResult, now: number): void {
    const h = result.headers;
    const num = (name: string): number | undefined => {
      const v = h?.get(name);
      if (v === null || v === undefined || v.trim() === '') return undefined;
      const n = Number(v);
      return Number.isFinite(n) ? n : undefined;
    };
    // The server states its bucket: X-RateLimit-Limit units per X-Lognex-Retry-TimeInterval ms.
    const limitHeader = num('x-ratelimit-limit');
    if (limitHeader !== undefined && limitHeader > 0) this.#capacity = limitHeader;
    const interval = num('x-lognex-retry-timeinterval');
    if (interval !== undefined && interval > 0) this.#intervalMs = interval;
    if (result.status === 429) {
      this.#recent429.push(now);
      const retryAfter = num('x-lognex-retry-after');
      if (retryAfter !== undefined && retryAfter > 0 && result.msCode !== 1073) {
        // 1049: rate exceeded. Pause every request of this credential and book the whole bucket.
        this.#pausedUntilMs = Math.max(this.#pausedUntilMs, now + retryAfter);
      } else {
        // 1073 (or an unexplained 429): too many in parallel.
        this.#concurrency = Math.max(1, this.#concurrency - 1);
        this.#last1073AtMs = now;
        if (retryAfter === undefined || retryAfter <= 0) return;
        this.#pausedUntilMs = Math.max(this.#pausedUntilMs, now + retryAfter);
      }
      return;
    }
    const remaining = num('x-ratelimit-remaining');
    if (remaining === undefined || h === undefined) return;
    const serverRemaining = remaining;
    const localRemaining = this.#capacity - this.#bookedUnits();
    const missing = localRemaining - serverRemaining;
    if (missing >= 1) {
      const reset = num('x-lognex-reset');
      const ttl = reset !== undefined && reset > 0 ? Math.min(reset, this.#intervalMs) : this.#intervalMs;
      this.#bookings.push({ units: missing, expiresAtMs: now + ttl + this.#marginMs });
    }
  }
}

/** A limiter that never waits (for tests of the emulator's own 429s, or a shared outer limiter). */
export const unlimited: RequestLimiter = {
  acquire: (_weight, signal) => (signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve(() => undefined)),
};
