/**
 * @module clock
 * The one source of time. Production code receives a `Clock`; tests pass a `ManualClock`
 * so that nothing ever sleeps for real.
 */

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  nowMs(): number;
  /** The current instant as a Date. */
  now(): Date;
  /** Resolves after `ms` milliseconds of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** Wall-clock time and real timers. */
export const systemClock: Clock = {
  nowMs: () => Date.now(),
  now: () => new Date(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

interface Sleeper {
  wakeAtMs: number;
  resolve: () => void;
}

export interface ManualClockOptions {
  /** Start instant (ms since epoch or ISO string). Default 2026-11-29T09:00:00Z. */
  start?: number | string;
  /**
   * When true (the default), `sleep(ms)` moves the clock forward to the sleeper's wake-up time
   * on the next tick instead of waiting for `advance()`. Virtual time then runs as fast as the
   * code allows, while every component that shares the clock sees the same consistent time.
   */
  autoAdvance?: boolean;
}

/** A clock for tests: time moves only when told to (or jumps to the next sleeper in autoAdvance mode). */
export class ManualClock implements Clock {
  #nowMs: number;
  readonly #autoAdvance: boolean;
  readonly #sleepers: Sleeper[] = [];

  constructor(options: ManualClockOptions = {}) {
    const start = options.start ?? '2026-11-29T09:00:00Z';
    this.#nowMs = typeof start === 'number' ? start : Date.parse(start);
    this.#autoAdvance = options.autoAdvance ?? true;
  }

  nowMs(): number {
    return this.#nowMs;
  }

  now(): Date {
    return new Date(this.#nowMs);
  }

  /** Sets the clock to an absolute instant (never backwards) and wakes the sleepers that are due. */
  set(instant: number | string | Date): void {
    const ms = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
    this.#nowMs = Math.max(this.#nowMs, ms);
    this.#wakeDue();
  }

  /** Moves the clock forward by `ms` and wakes the sleepers that are due. */
  advance(ms: number): void {
    this.set(this.#nowMs + ms);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const wakeAtMs = this.#nowMs + Math.max(0, ms);
    return new Promise<void>((resolve, reject) => {
      const sleeper: Sleeper = {
        wakeAtMs,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const i = this.#sleepers.indexOf(sleeper);
        if (i >= 0) this.#sleepers.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#sleepers.push(sleeper);
      if (this.#autoAdvance) {
        setImmediate(() => {
          if (!this.#sleepers.includes(sleeper)) return;
          this.set(wakeAtMs);
        });
      } else {
        this.#wakeDue();
      }
    });
  }

  /** Number of sleepers still waiting (useful to assert that something is blocked). */
  get pendingSleepers(): number {
    return this.#sleepers.length;
  }

  #wakeDue(): void {
    const due = this.#sleepers.filter((s) => s.wakeAtMs <= this.#nowMs).sort((a, b) => a.wakeAtMs - b.wakeAtMs);
    for (const s of due) {
      this.#sleepers.splice(this.#sleepers.indexOf(s), 1);
      s.resolve();
    }
  }
}
