/**
 * @module outbox-sender
 * P1, P3: the process's outbox sender. `wake()` (called right after an order, a position change or a
 * counterparty change is committed, or by a PostgreSQL NOTIFY from another process) starts a drain at
 * once; wakes that arrive while a drain runs make it drain once more when it ends, so no commit waits
 * for the minute poll (which stays as the safety net). Only one drain of the sender runs at a time.
 *
 * `start()` first takes back this instance's own in-flight rows (a restarted single process: rows it
 * had claimed when it was killed are due again at once), then drains. While running it looks every
 * `expiryCheckMs` for rows whose claim ran out (a dead worker's: its heartbeat stopped) and drains
 * when it put some back, so they are resumed within the claim lifetime plus one check (≤ 60 s).
 */
import type { Clock } from '../../core/clock.js';
import { timerTicker, type Ticker } from '../../core/ticker.js';
import type { Db } from '../../store/db.js';
import { OutboxRepository } from '../../store/repositories/outbox-repository.js';

export interface OutboxSenderDeps {
  db: Db;
  clock: Clock;
  /** This process's claimer id (the one its drains write on claimed rows). */
  owner: string;
  /** One drain of the outbox (orders, counterparty changes) with this owner. */
  drain: (signal: AbortSignal) => Promise<unknown>;
  /** Runs the expiry check (default real timers; tests pass `clockTicker(manualClock)`). */
  ticker?: Ticker;
  /** How often expired claims are looked for (default 10 s). */
  expiryCheckMs?: number;
  /** Rows claimed by older code (no expiry) count as dead after this long (default 15 min). */
  staleAfterMs?: number;
  /** A drain that failed as a whole (database down): logged; the next wake or poll tries again. */
  onError?: (e: unknown) => void;
}

export interface OutboxSender {
  /** Takes back this instance's in-flight rows, starts the expiry check and drains; resolves to the rows taken back. */
  start(): Promise<number>;
  /** Drains now (or once more after the running drain). Never throws. */
  wake(): void;
  /** Resolves when no drain runs (tests, bench). */
  idle(): Promise<void>;
  /** Stops the expiry check, aborts and waits for the running drain. */
  stop(): Promise<void>;
}

export function createOutboxSender(deps: OutboxSenderDeps): OutboxSender {
  const store = new OutboxRepository(deps.db, deps.clock);
  const abort = new AbortController();
  let running: Promise<void> | null = null;
  let again = false;
  let stopTicker: (() => void) | null = null;

  const loop = async (): Promise<void> => {
    for (;;) {
      again = false;
      try {
        await deps.drain(abort.signal);
      } catch (e) {
        deps.onError?.(e);
      }
      // Checked and cleared in the same synchronous step: a wake after this line starts a new loop.
      if (!again || abort.signal.aborted) {
        running = null;
        return;
      }
    }
  };

  const wake = (): void => {
    if (abort.signal.aborted) return;
    if (running) {
      again = true;
      return;
    }
    running = loop();
  };

  const checkExpired = async (): Promise<void> => {
    const back = await store.requeueExpired(new Date(deps.clock.nowMs() - (deps.staleAfterMs ?? 15 * 60_000)));
    if (back > 0) wake();
  };

  return {
    async start() {
      const recovered = await store.recoverOwn(deps.owner);
      stopTicker = (deps.ticker ?? timerTicker)(deps.expiryCheckMs ?? 10_000, checkExpired);
      wake();
      return recovered;
    },
    wake,
    idle: async () => {
      while (running) await running;
    },
    async stop() {
      stopTicker?.();
      abort.abort();
      while (running) await running;
    },
  };
}
