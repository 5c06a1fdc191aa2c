/**
 * The benchmark's clock: real time (real timers, real elapsed milliseconds), shifted forward so
 * that the date is at or after 2026-12-01 00:00 Moscow, the day MoySklad's login+password weight
 * becomes 4. The emulator process and the scenario process get the same shift, so both sides agree
 * on the weight and on every timestamp. After 2026-12-01 the shift is zero.
 */
import type { Clock } from '../../src/core/clock.js';
import { systemClock } from '../../src/core/clock.js';
import { WEIGHT_4_FROM_MS } from '../../src/moysklad/limiter.js';

/** The shift (ms) that puts `nowMs` one hour past the 2026 weight switch, or 0 when already past it. */
export function weightSwitchOffsetMs(nowMs: number = Date.now()): number {
  return nowMs >= WEIGHT_4_FROM_MS ? 0 : WEIGHT_4_FROM_MS + 3_600_000 - nowMs;
}

/** A real-time clock shifted by `offsetMs` (sleep is a real timer). */
export function shiftedClock(offsetMs: number): Clock {
  if (offsetMs === 0) return systemClock;
  return {
    nowMs: () => Date.now() + offsetMs,
    now: () => new Date(Date.now() + offsetMs),
    sleep: (ms, signal) => systemClock.sleep(ms, signal),
  };
}
