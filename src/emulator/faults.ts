/**
 * @module faults
 * Injected failures for tests and benchmarks: 5xx bursts, a random failure rate, timeouts
 * (the request hangs until the client aborts), dropped connections and 429 storms.
 */

export interface FaultSettings {
  /** The next `count` API requests answer `status` (default 503). */
  fail5xx?: { count: number; status?: number };
  /** Probability (0..1) that any API request answers 503. */
  failRate?: number;
  /** The next N API requests hang until the client aborts. */
  timeouts?: number;
  /** The next N API requests lose their connection (socket destroyed; in-process: TypeError). */
  drops?: number;
  /** The next N API requests answer 429/1049 (with X-Lognex-Retry-After). */
  storm429?: number;
}

export type FaultDecision =
  | { kind: 'none' }
  | { kind: 'status'; status: number }
  | { kind: 'timeout' }
  | { kind: 'drop' }
  | { kind: 'storm429' };

export class Faults {
  #s: Required<Omit<FaultSettings, 'fail5xx'>> & { fail5xx: { count: number; status: number } } = {
    fail5xx: { count: 0, status: 503 },
    failRate: 0,
    timeouts: 0,
    drops: 0,
    storm429: 0,
  };
  readonly #random: () => number;

  constructor(random: () => number = Math.random) {
    this.#random = random;
  }

  /** Replaces the given settings (others keep their value). */
  set(f: FaultSettings): void {
    if (f.fail5xx !== undefined) this.#s.fail5xx = { count: Math.max(0, f.fail5xx.count), status: f.fail5xx.status ?? 503 };
    if (f.failRate !== undefined) this.#s.failRate = Math.min(1, Math.max(0, f.failRate));
    if (f.timeouts !== undefined) this.#s.timeouts = Math.max(0, f.timeouts);
    if (f.drops !== undefined) this.#s.drops = Math.max(0, f.drops);
    if (f.storm429 !== undefined) this.#s.storm429 = Math.max(0, f.storm429);
  }

  get(): FaultSettings {
    return { ...this.#s, fail5xx: { ...this.#s.fail5xx } };
  }

  clear(): void {
    this.set({ fail5xx: { count: 0 }, failRate: 0, timeouts: 0, drops: 0, storm429: 0 });
  }

  /** Consumes one fault for the current request. */
  next(): FaultDecision {
    const s = this.#s;
    if (s.drops > 0) {
      s.drops--;
      return { kind: 'drop' };
    }
    if (s.timeouts > 0) {
      s.timeouts--;
      return { kind: 'timeout' };
    }
    if (s.fail5xx.count > 0) {
      s.fail5xx.count--;
      return { kind: 'status', status: s.fail5xx.status };
    }
    if (s.storm429 > 0) {
      s.storm429--;
      return { kind: 'storm429' };
    }
    if (s.failRate > 0 && this.#random() < s.failRate) return { kind: 'status', status: 503 };
    return { kind: 'none' };
  }
}
