/**
 * The benchmark's arithmetic (bench/lib/report.ts, bench/lib/bench-clock.ts, bench/main.ts plan):
 * the rate-limit floor, the ratio and the issue 10 target checks.
 */
import { describe, expect, it } from 'vitest';
import { shiftedClock, weightSwitchOffsetMs } from '../../bench/lib/bench-clock.js';
import { checkTargets, floorMs, markdownTable, textTable, toRow } from '../../bench/lib/report.js';
import { plan } from '../../bench/main.js';
import type { ScenarioResult } from '../../bench/runners/scenarios.js';
import { requestWeight, WEIGHT_4_FROM_MS } from '../../src/moysklad/limiter.js';

const result = (over: Partial<ScenarioResult>): ScenarioResult => ({
  scenario: 'nomenclature full',
  size: '100,000 products',
  auth: 'password',
  dialect: 'sqlite',
  requests: 101,
  minRequests: 101,
  weight: 4,
  tooMany: 0,
  wallMs: 28_000,
  rowsWritten: 100_000,
  writeMs: 10_000,
  status: 'ok',
  notes: [],
  peakRssMb: 250,
  ...over,
});

describe('benchmark report', () => {
  it('B2 the rate-limit floor is minimum requests × weight ÷ (45 units / 3 s)', () => {
    expect(floorMs(101, 4)).toBeCloseTo((101 * 4 * 3000) / 45, 6); // 26.9 s at login+password from 2026-12-01
    expect(floorMs(101, 1)).toBeCloseTo((101 * 3000) / 45, 6); // solution token
    expect(floorMs(1, 5)).toBe(1000 / 3); // report/stock/all
  });

  it('B2 a row carries wall/floor and store writes per second', () => {
    const row = toRow(result({}));
    expect(row.floorS).toBeCloseTo(26.933, 3);
    expect(row.ratio).toBeCloseTo(28_000 / 26_933.33, 3);
    expect(row.writesPerS).toBe(10_000);
    // no separate write time: rows per wall second
    expect(toRow(result({ writeMs: null, rowsWritten: 1000, wallMs: 4000 })).writesPerS).toBe(250);
    expect(textTable([row])).toContain('nomenclature full');
    expect(markdownTable([row]).split('\n')).toHaveLength(3);
  });

  it('B2 targets: ratio ≤ 1.15, zero 429s, < 300 MB at 100,000 products; the naive baseline is not judged', () => {
    const ok = [toRow(result({})), toRow(result({ scenario: 'naive baseline: nomenclature full', tooMany: 40, wallMs: 900_000 }))];
    expect(checkTargets(ok).map((t) => t.met)).toEqual([true, true, true]);
    const bad = [toRow(result({ wallMs: 40_000, tooMany: 2, peakRssMb: 310 }))];
    const [ratio, zero429, rss] = checkTargets(bad);
    expect(ratio!.met).toBe(false);
    expect(ratio!.detail).toContain('1.49');
    expect(zero429!.met).toBe(false);
    expect(rss!.met).toBe(false);
  });

  it('B2 the benchmark clock puts the run at the 2026-12-01 weight of 4 units per login+password request', () => {
    const before = Date.parse('2026-11-29T21:00:00Z');
    const offset = weightSwitchOffsetMs(before);
    expect(before + offset).toBeGreaterThanOrEqual(WEIGHT_4_FROM_MS);
    expect(requestWeight('password', 'entity/product', before + offset)).toBe(4);
    expect(weightSwitchOffsetMs(WEIGHT_4_FROM_MS + 1)).toBe(0);
    const clock = shiftedClock(offset);
    expect(clock.nowMs() - Date.now()).toBeGreaterThanOrEqual(offset - 5);
  });

  it('B2 the quick plan compares ours and the naive baseline at the same size, and the full plan has the issue sizes', () => {
    const size = (quick: boolean, id: string): number => plan(quick).find((p) => p.id === id)!.spec.size;
    for (const quick of [true, false]) expect(size(quick, 'nomenclature-full-10k')).toBe(size(quick, 'nomenclature-naive-10k'));
    expect(size(false, 'nomenclature-full-100k')).toBe(100_000);
    expect(size(false, 'stock-100k')).toBe(100_000);
    expect(size(false, 'photos-1k')).toBe(1_000);
    expect(size(false, 'orders-1k')).toBe(1_000);
    expect(plan(false).find((p) => p.id === 'multi-tenant-200')!.spec.integrations).toBe(200);
  });
});
