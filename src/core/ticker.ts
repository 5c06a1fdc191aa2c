/**
 * @module ticker
 * Something that runs a callback every `everyMs` until stopped: a heartbeat, a periodic look-up.
 * `timerTicker` uses real timers (production; it never keeps the process alive); `clockTicker(clock)`
 * sleeps on a Clock, so tests drive it with a ManualClock (without auto-advance: an auto-advancing
 * clock would jump forward for it).
 */
import type { Clock } from './clock.js';

/** Starts calling `tick` every `everyMs`; returns the stop function. A failing tick is ignored. */
export type Ticker = (everyMs: number, tick: () => unknown) => () => void;

const safely = async (tick: () => unknown): Promise<void> => {
  try {
    await tick();
  } catch {
    // a heartbeat that failed once is retried at the next tick
  }
};

export const timerTicker: Ticker = (everyMs, tick) => {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    void safely(tick).finally(() => (running = false));
  }, everyMs);
  timer.unref?.();
  return () => clearInterval(timer);
};

export function clockTicker(clock: Clock): Ticker {
  return (everyMs, tick) => {
    const stop = new AbortController();
    void (async () => {
      while (!stop.signal.aborted) {
        try {
          await clock.sleep(everyMs, stop.signal);
        } catch {
          return;
        }
        await safely(tick);
      }
    })();
    return () => stop.abort();
  };
}
