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
 * - a local model of the server's continuous token bucket: `capacity` units, refilled at
 *   `capacity / intervalMs`, full at the start; a request's units are taken when it is sent. The
 *   initial bucket can be spent as a burst (11 requests of weight 4), then requests go at the refill
 *   rate. While requests are in flight the model's bucket is capped at `capacity − units in flight`
 *   (the server may not have charged them yet, so it cannot have refilled past that);
 * - a fallback to a conservative sliding window after a 429/1049 (the server's budget was not the
 *   modelled one): for `conservativeMs` a request's units count from the moment it is sent until
 *   `intervalMs + marginMs` after its response arrived (never under-counts, whatever the server's
 *   bucket model), then the token bucket is trusted again;
 * - the bucket size and interval are taken from `X-RateLimit-Limit` / `X-Lognex-Retry-TimeInterval`
 *   as soon as a response states them (MoySklad counts both in weight units);
 * - corrections from `X-RateLimit-Remaining`: when the server knows of more consumption than we do
 *   (another process on the same credential), the difference is taken from the model's bucket (and
 *   booked in the window until `X-Lognex-Reset`);
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
  /** Window mode: extra time a unit stays booked after its interval (default 50 ms), against clock skew. */
  marginMs?: number;
  /** How long the sliding window replaces the token bucket after a 429/1049 (default 60 000 ms). */
  conservativeMs?: number;
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
  /** Token-bucket units left right after this request was sent (NaN for phantom entries). */
  tokensAfter: number;
  /** Units sent after this request, while it was in flight (for the Remaining correction). */
  sentSince: number;
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
  /** Units in the modelled token bucket now. */
  tokens: number;
  /** 'bucket' (continuous refill) or 'window' (conservative, after a 429/1049). */
  mode: 'bucket' | 'window';
}

/**
 * The part of a limiter's state that another process needs to continue pacing a credential where this
 * one stopped (handed over with the credential's lease). Plain JSON; times are epoch ms of the clock.
 */
export interface LimiterSnapshot {
  v: 1;
  /** When the snapshot was taken. */
  atMs: number;
  capacity: number;
  intervalMs: number;
  /** Units in the modelled bucket at `atMs`; available later: min(capacity − inFlightUnits, tokens + refill × elapsed). */
  tokens: number;
  /** Units sent and not answered at `atMs` (0 when taken at a lease release). */
  inFlightUnits: number;
  pausedUntilMs: number;
  /** End of the conservative sliding window after a 429/1049 (−1: none). */
  windowUntilMs: number;
  /** Units still booked in the sliding window, with when they expire. */
  booked: Array<{ units: number; expiresAtMs: number }>;
}

const finiteNumber = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

/** Validates a snapshot read back from storage; undefined when it is not one (then nothing is restored). */
export function parseLimiterSnapshot(value: unknown): LimiterSnapshot | undefined {
  let x = value;
  if (typeof x === 'string') {
    try {
      x = JSON.parse(x) as unknown;
    } catch {
      return undefined;
    }
  }
  if (typeof x !== 'object' || x === null) return undefined;
  const o = x as Record<string, unknown>;
  if (o.v !== 1) return undefined;
  const nums = [o.atMs, o.capacity, o.intervalMs, o.tokens, o.inFlightUnits, o.pausedUntilMs, o.windowUntilMs];
  if (!nums.every(finiteNumber) || !Array.isArray(o.booked)) return undefined;
  if ((o.capacity as number) <= 0 || (o.intervalMs as number) <= 0 || (o.inFlightUnits as number) < 0) return undefined;
  const booked: LimiterSnapshot['booked'] = [];
  for (const b of o.booked as unknown[]) {
    const e = b as Record<string, unknown> | null;
    if (!e || !finiteNumber(e.units) || !finiteNumber(e.expiresAtMs) || e.units < 0) return undefined;
    booked.push({ units: e.units, expiresAtMs: e.expiresAtMs });
  }
  return {
    v: 1,
    atMs: o.atMs as number,
    capacity: o.capacity as number,
    intervalMs: o.intervalMs as number,
    tokens: o.tokens as number,
    inFlightUnits: o.inFlightUnits as number,
    pausedUntilMs: o.pausedUntilMs as number,
    windowUntilMs: o.windowUntilMs as number,
    booked,
  };
}

export class AdaptiveLimiter implements RequestLimiter {
  readonly #clock: Clock;
  #capacity: number;
  #intervalMs: number;
  readonly #marginMs: number;
  readonly #conservativeMs: number;
  readonly #maxConcurrency: number;
  readonly #quietMsToRaise: number;
  readonly #max429PerMinute: number;

  #bookings: Booking[] = [];
  /** Requests in flight (their bookings). */
  readonly #open = new Set<Booking>();
  #inFlight = 0;
  #inFlightUnits = 0;
  #tokens: number;
  #tokensAtMs: number;
  #windowUntilMs = -Infinity;
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
    this.#conservativeMs = options.conservativeMs ?? 60_000;
    this.#maxConcurrency = options.maxConcurrency ?? 4;
    this.#quietMsToRaise = options.quietMsToRaise ?? 10_000;
    this.#max429PerMinute = options.max429PerMinute ?? 100;
    this.#concurrency = this.#maxConcurrency;
    this.#tokens = this.#capacity;
    this.#tokensAtMs = this.#clock.nowMs();
  }

  /** The parallel cap this limiter starts with and returns to (MoySklad allows 5). */
  get maxConcurrency(): number {
    return this.#maxConcurrency;
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
      tokens: this.#refill(now),
      mode: now < this.#windowUntilMs ? 'window' : 'bucket',
    };
  }

  /**
   * The state another holder of the credential needs (see `LimiterSnapshot`); taken when this process
   * releases the credential's lease.
   */
  snapshot(): LimiterSnapshot {
    const now = this.#clock.nowMs();
    this.#expire(now);
    const booked: LimiterSnapshot['booked'] = [];
    for (const b of this.#bookings) {
      // in flight: booked until an interval (plus margin) after now at the earliest
      booked.push({ units: b.units, expiresAtMs: Number.isFinite(b.expiresAtMs) ? b.expiresAtMs : now + this.#intervalMs + this.#marginMs });
    }
    return {
      v: 1,
      atMs: now,
      capacity: this.#capacity,
      intervalMs: this.#intervalMs,
      tokens: this.#refill(now),
      inFlightUnits: this.#inFlightUnits,
      pausedUntilMs: this.#pausedUntilMs,
      windowUntilMs: Number.isFinite(this.#windowUntilMs) ? this.#windowUntilMs : -1,
      booked,
    };
  }

  /**
   * Continues from another limiter's snapshot of the same credential (taken when it released the lease):
   * the bucket becomes the lower of this model and the snapshot's refilled to now
   * (min(capacity − inFlightUnits, tokens + refill × elapsed)), pauses and the conservative window carry
   * over, and the snapshot's bookings are booked here too. Never makes this limiter less careful: a stale
   * snapshot (older than an interval) changes nothing, and a snapshot from the future is not refilled.
   */
  restore(snapshot: LimiterSnapshot): void {
    const now = this.#clock.nowMs();
    this.#expire(now);
    this.#capacity = snapshot.capacity;
    this.#intervalMs = snapshot.intervalMs;
    const elapsed = Math.max(0, now - snapshot.atMs);
    // after a whole interval its requests in flight have been answered or timed out on the server's side
    const theirs =
      elapsed >= snapshot.intervalMs
        ? snapshot.capacity
        : Math.min(snapshot.capacity - snapshot.inFlightUnits, snapshot.tokens + elapsed * (snapshot.capacity / snapshot.intervalMs));
    const ours = this.#refill(now);
    this.#tokens = Math.min(ours, theirs);
    this.#tokensAtMs = now;
    this.#pausedUntilMs = Math.max(this.#pausedUntilMs, snapshot.pausedUntilMs);
    if (snapshot.windowUntilMs > now) this.#windowUntilMs = Math.max(this.#windowUntilMs, snapshot.windowUntilMs);
    for (const b of snapshot.booked) {
      if (b.expiresAtMs > now && b.units > 0) this.#bookings.push({ units: b.units, expiresAtMs: b.expiresAtMs, tokensAfter: Number.NaN, sentSince: 0 });
    }
    this.#pump();
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

  get #rate(): number {
    return this.#capacity / this.#intervalMs;
  }

  /** Brings the modelled bucket to `now` (refill capped at capacity − units in flight) and returns it. */
  #refill(now: number): number {
    if (now > this.#tokensAtMs) {
      const cap = this.#capacity - this.#inFlightUnits;
      if (this.#tokens < cap) this.#tokens = Math.min(cap, this.#tokens + (now - this.#tokensAtMs) * this.#rate);
      this.#tokensAtMs = now;
    }
    return this.#tokens;
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
    const bucketAt = this.#bucketReadyAt(weight, now);
    if (bucketAt === null) return null;
    at = Math.max(at, bucketAt);
    if (now < this.#windowUntilMs) {
      const windowAt = this.#windowReadyAt(weight);
      if (windowAt === null) return null;
      at = Math.max(at, windowAt);
    }
    return at;
  }

  /** Token bucket: when `weight` units will have refilled (null: only a release can make room). */
  #bucketReadyAt(weight: number, now: number): number | null {
    const tokens = this.#refill(now);
    if (tokens + 1e-9 >= weight) return now;
    if (this.#capacity - this.#inFlightUnits < weight) return null;
    return now + Math.ceil((weight - tokens) / this.#rate);
  }

  /** Sliding window: when enough booked units will have expired (null: they are held in flight). */
  #windowReadyAt(weight: number): number | null {
    const booked = this.#bookedUnits();
    if (booked + weight <= this.#capacity) return -Infinity;
    // Units free up as bookings expire, earliest first; in-flight bookings never expire by time.
    const timed = this.#bookings.filter((b) => Number.isFinite(b.expiresAtMs)).sort((a, b) => a.expiresAtMs - b.expiresAtMs);
    let free = this.#capacity - booked;
    for (const b of timed) {
      free += b.units;
      if (free >= weight) return b.expiresAtMs;
    }
    return null; // only in-flight requests hold the units
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
    const now = this.#clock.nowMs();
    this.#refill(now);
    this.#tokens -= weight;
    for (const b of this.#open) b.sentSince += weight;
    const booking: Booking = { units: weight, expiresAtMs: Infinity, tokensAfter: this.#tokens, sentSince: 0 };
    this.#bookings.push(booking);
    this.#open.add(booking);
    this.#inFlight += 1;
    this.#inFlightUnits += weight;
    let released = false;
    return (result: LimiterResult) => {
      if (released) return;
      released = true;
      const at = this.#clock.nowMs();
      this.#refill(at);
      this.#inFlight -= 1;
      this.#inFlightUnits -= weight;
      this.#open.delete(booking);
      booking.expiresAtMs = at + this.#intervalMs + this.#marginMs;
      this.#learn(result, at, booking);
      this.#pump();
    };
  }

  #learn(result: LimiterResult, now: number, booking: Booking): void {
    const h = result.headers;
    const num = (name: string): number | undefined => {
      const v = h?.get(name);
      if (v === null || v === undefined || v.trim() === '') return undefined;
      const n = Number(v);
      return Number.isFinite(n) ? n : undefined;
    };
    // The server states its bucket: X-RateLimit-Limit units per X-Lognex-Retry-TimeInterval ms.
    const limitHeader = num('x-ratelimit-limit');
    if (limitHeader !== undefined && limitHeader > 0) {
      this.#capacity = limitHeader;
      this.#tokens = Math.min(this.#tokens, limitHeader);
    }
    const interval = num('x-lognex-retry-timeinterval');
    if (interval !== undefined && interval > 0) this.#intervalMs = interval;
    if (result.status === 429) {
      this.#recent429.push(now);
      const retryAfter = num('x-lognex-retry-after');
      if (retryAfter !== undefined && retryAfter > 0 && result.msCode !== 1073) {
        // 1049: rate exceeded. Pause every request of this credential; the server's bucket is empty,
        // and its budget was not the modelled one: fall back to the sliding window for a while.
        this.#pausedUntilMs = Math.max(this.#pausedUntilMs, now + retryAfter);
        this.#tokens = Math.min(this.#tokens, 0);
        this.#windowUntilMs = Math.max(this.#windowUntilMs, now + this.#conservativeMs);
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
    const reset = num('x-lognex-reset');
    // Token bucket: the server charged this request at some instant after we sent it, so, if it saw
    // only our traffic, it had at least our units-after-send minus what we sent since (those may have
    // arrived first). Less than that (plus one for the floored header) is someone else's consumption.
    const foreign = Math.min(booking.tokensAfter, this.#capacity) - booking.sentSince - (remaining + 1);
    if (foreign > 0) this.#tokens -= foreign;
    // Window: the server knows of more consumption than we have booked.
    const missing = this.#capacity - this.#bookedUnits() - remaining;
    if (missing >= 1) {
      const ttl = reset !== undefined && reset > 0 ? Math.min(reset, this.#intervalMs) : this.#intervalMs;
      this.#bookings.push({ units: missing, expiresAtMs: now + ttl + this.#marginMs, tokensAfter: Number.NaN, sentSince: 0 });
    }
  }
}

/** A limiter that never waits (for tests of the emulator's own 429s, or a shared outer limiter). */
export const unlimited: RequestLimiter = {
  acquire: (_weight, signal) => (signal?.aborted ? Promise.reject(signal.reason) : Promise.resolve(() => undefined)),
};
