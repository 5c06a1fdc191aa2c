import { describe, expect, it } from 'vitest';
import { attemptSchedule, DEFAULT_DELIVERY_RETRY, eventBody, nextAttemptAt } from './platform-events.js';

const MIN = 60_000;
const H = 60 * MIN;

describe('platform events', () => {
  it('E3 the body is the Standard Webhooks payload structure {type, timestamp, data}', () => {
    const body = eventBody({ type: 'price_list.updated', data: { priceListId: 3, generation: 7, rowCount: 120, change: 'replaced' } }, '2026-11-29T09:00:00.000Z');
    expect(JSON.parse(body)).toEqual({ type: 'price_list.updated', timestamp: '2026-11-29T09:00:00.000Z', data: { priceListId: 3, generation: 7, rowCount: 120, change: 'replaced' } });
  });

  it('E3 a failing delivery is retried with exponential backoff for 24 hours, then given up', () => {
    expect(attemptSchedule(DEFAULT_DELIVERY_RETRY)).toEqual([
      0,
      30_000,
      90_000,
      210_000,
      450_000,
      930_000,
      1_890_000,
      3_810_000,
      7_650_000,
      15_330_000, // 4 h 15.5 min: the waits so far doubled from 30 s to 128 min
      15_330_000 + 4 * H, // then every 4 h
      15_330_000 + 8 * H,
      15_330_000 + 12 * H,
      15_330_000 + 16 * H, // 20 h 15.5 min
      24 * H, // the 15th and last attempt at the end of the 24-hour window
    ]);
    expect(nextAttemptAt(DEFAULT_DELIVERY_RETRY, 1, 1000, 1000 + 24 * H)).toBe(31_000);
    expect(nextAttemptAt(DEFAULT_DELIVERY_RETRY, 14, 21 * H, 24 * H)).toBe(24 * H);
    expect(nextAttemptAt(DEFAULT_DELIVERY_RETRY, 15, 24 * H, 24 * H)).toBeNull();
  });
});
