/**
 * The benchmark's arithmetic (bench/lib/report.ts, bench/lib/bench-clock.ts, bench/main.ts plan):
 * the rate-limit floor, the ratio and the issue 10 target checks.
 */
import { describe, expect, it } from 'vitest';
import { shiftedClock, weightSwitchOffsetMs } from '../../bench/lib/bench-clock.js';
import { MAX_RSS_NOTE, parseVmHwmKb, PeakRss, type ProcFs } from '../../bench/lib/peak-rss.js';
import { checkTargets, floorMs, latencyFloorMs, markdownTable, textTable, toRow } from '../../bench/lib/report.js';
import { BENCH_LATENCY } from '../../bench/lib/bench-context.js';
import { childArgs, plan } from '../../bench/main.js';
import { pageGroups, type ScenarioResult } from '../../bench/runners/scenarios.js';
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

  it('B2 the latency floor: no schedule beats the longest response nor all responses spread over 5 parallel slots', () => {
    const lat = { baseMs: 100, perRowMs: 0.1 };
    // stock full: one 100,000-row report ≈ 10.1 s, whatever the parallelism
    expect(latencyFloorMs([{ count: 1, rows: 100_000 }], lat)).toBeCloseTo(10_100, 6);
    // 100 pages of 1,000 (200 ms each) + an empty variant page (100 ms): 20.1 s of responses over 5 slots
    expect(latencyFloorMs([...pageGroups(100_000, 1000), ...pageGroups(0, 1000)], lat)).toBeCloseTo(20_100 / 5, 6);
    expect(latencyFloorMs([{ count: 10, rows: 1 }], lat, 1)).toBeCloseTo(1001, 6); // one at a time: the sum
    expect(latencyFloorMs([{ count: 3, rows: 1 }], undefined)).toBe(0);
    expect(latencyFloorMs([], lat)).toBe(0);
  });

  it('B2 the minimum pages of a listing: full pages, the partial last one, one empty page for nothing', () => {
    expect(pageGroups(100_000, 1000)).toEqual([{ count: 100, rows: 1000 }]);
    expect(pageGroups(1_050, 100)).toEqual([
      { count: 10, rows: 100 },
      { count: 1, rows: 50 },
    ]);
    expect(pageGroups(0, 1000)).toEqual([{ count: 1, rows: 0 }]);
    expect(pageGroups(10, 100)).toEqual([{ count: 1, rows: 10 }]);
  });

  it('B2 the row floor is max(rate floor, latency floor); wall/floor and the target use it', () => {
    const stock = toRow(result({ scenario: 'stock full', minRequests: 1, minimum: [{ count: 1, rows: 100_000 }], latency: BENCH_LATENCY, weight: 4, wallMs: 11_000 }));
    expect(stock.rateFloorS).toBeCloseTo(4 / 15, 6);
    expect(stock.latencyFloorS).toBeCloseTo(10.1, 6);
    expect(stock.floorS).toBeCloseTo(10.1, 6);
    expect(stock.ratio).toBeCloseTo(11 / 10.1, 6);
    expect(checkTargets([stock])[0]!.met).toBe(true);
    const nom = toRow(result({ minimum: [...pageGroups(100_000, 1000), ...pageGroups(0, 1000)], latency: BENCH_LATENCY }));
    expect(nom.floorS).toBeCloseTo(nom.rateFloorS, 9); // rate-bound: 26.9 s vs 4.0 s
    // no stated minimum (or no latency model): the rate floor alone, latency shown as —
    const bare = toRow(result({}));
    expect(bare.latencyFloorS).toBeNull();
    expect(bare.floorS).toBeCloseTo(bare.rateFloorS, 9);
    const line = textTable([stock]).split('\n')[2]!;
    expect(line).toContain('0.27');
    expect(line).toContain('10.10');
    expect(textTable([bare]).split('\n')[0]).toMatch(/rate floor s\s+latency floor s\s+wall\/floor/);
  });

  it('B2 peak RSS of the measured phase: VmHWM after resetting it (with a gc first), else the process maximum', () => {
    expect(parseVmHwmKb('Name:\tnode\nVmPeak:\t 1000 kB\nVmHWM:\t  204800 kB\nVmRSS:\t 1000 kB\n')).toBe(204_800);
    expect(parseVmHwmKb('Name:\tnode\n')).toBeNull();
    const writes: string[] = [];
    let hwm = 512_000;
    const proc: ProcFs = {
      writeFileSync: (p, d) => {
        writes.push(`${p}=${d}`);
        hwm = 150_000; // the kernel resets the mark to the current RSS
      },
      readFileSync: () => `VmHWM:\t ${hwm} kB\n`,
    };
    let gcs = 0;
    const peak = new PeakRss(proc, () => 600_000, () => void gcs++);
    peak.reset();
    hwm = 180_000; // the measured work
    expect(peak.read()).toEqual({ mb: Math.round(180_000 / 1024), method: 'VmHWM' });
    expect(writes).toEqual(['/proc/self/clear_refs=5']);
    expect(gcs).toBe(1);
    const noProc = new PeakRss(
      {
        writeFileSync: () => {
          throw new Error('ENOENT');
        },
        readFileSync: () => {
          throw new Error('ENOENT');
        },
      },
      () => 600_000,
      undefined,
    );
    noProc.reset();
    expect(noProc.read()).toEqual({ mb: Math.round(600_000 / 1024), method: 'maxRSS' });
    expect(MAX_RSS_NOTE).toContain('includes the setup');
  });

  it('B2 scenario children run the compiled build with plain node and --expose-gc (tsx only when asked)', () => {
    const spec = { name: 'stock', size: 10, clockOffsetMs: 0 };
    const compiled = childArgs(spec, ['--max-old-space-size=128']);
    expect(compiled[0]).toBe('--expose-gc');
    expect(compiled).toContain('--max-old-space-size=128');
    expect(compiled).not.toContain('tsx');
    expect(compiled.find((a) => a.endsWith('run-scenario.js'))).toMatch(/bench[\\/]\.build[\\/]bench[\\/]run-scenario\.js$/);
    expect(childArgs(spec, [], true)).toContain('tsx');
    expect(plan(true).filter((p) => p.tsx).map((p) => p.id)).toEqual(['multi-tenant-200']);
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
