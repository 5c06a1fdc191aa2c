import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDuration, formatInterval, formatMoney, percentOf } from './format.js';

const plain = (s: string): string => s.replace(/[\u00a0\u202f]/g, ' ');

describe('admin formats', () => {
  it('R14 money from integer kopecks in Russian and English', () => {
    expect(plain(formatMoney(1_304_000))).toBe('13 040,00 ₽');
    expect(plain(formatMoney(5))).toBe('0,05 ₽');
    expect(plain(formatMoney(-199))).toBe('-1,99 ₽');
    expect(plain(formatMoney(1_304_000, 'en'))).toBe('RUB 13,040.00');
    expect(formatMoney(null)).toBe('—');
  });

  it('R14 Moscow time, durations and schedules as words', () => {
    expect(formatDateTime('2026-12-03T19:09:16.000Z')).toBe('03.12.2026, 22:09:16');
    expect(formatDateTime('2026-12-03T19:09:16.000Z', 'en')).toBe('03/12/2026, 22:09:16');
    expect(formatDateTime(null)).toBe('—');
    expect(formatDuration(350)).toBe('350 мс');
    expect(formatDuration(1200)).toBe('1,2 с');
    expect(formatDuration(125_000)).toBe('2 мин 5 с');
    expect([5, 15, 21, 30, 60, 180, 720, 1440].map((n) => formatInterval(n))).toEqual([
      'каждые 5 мин',
      'каждые 15 мин',
      'каждую 21 мин',
      'каждые 30 мин',
      'каждый час',
      'каждые 3 ч',
      'каждые 12 ч',
      'раз в сутки',
    ]);
    expect([15, 60, 1440].map((n) => formatInterval(n, 'en'))).toEqual(['every 15 min', 'every hour', 'once a day']);
    expect([percentOf(1, 3), percentOf(5, 0), percentOf(9, 4)]).toEqual([33, null, 100]);
  });
});
