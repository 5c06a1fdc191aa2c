/**
 * The benchmark scenario module works and stays within MoySklad's limits (B2): a full pass of
 * 5,000 generated products at the login+password limit on a virtual clock.
 */
import { describe, expect, it } from 'vitest';
import { runNomenclatureBench } from '../../bench/scenarios/nomenclature.js';
import { ManualClock } from '../../src/core/clock.js';

describe('nomenclature benchmark scenario', () => {
  it('B2 syncs 5,000 generated products in 6 list requests with zero 429s, paced at the rate-limit floor', async () => {
    const clock = new ManualClock({ autoAdvance: true });
    const r = await runNomenclatureBench({ products: 5_000, clock });
    expect(r.status).toBe('ok');
    expect(r.counts).toMatchObject({ created: 5_000 });
    expect(r.rowsWritten).toBe(5_000);
    // 5 product pages of 1000 + 1 variant page; no deletion check (nothing unseen).
    expect(r.requests).toBe(6);
    expect(r.rateLimited).toBe(0);
    expect(r.emulator429).toBe(0);
    expect(r.weight).toBe(3);
    expect(r.floorMs).toBe(Math.round((6 * 3 * 3000) / 45));
    expect(r.writesPerSecond).toBeGreaterThan(0);
    expect(r.peakRssBytes).toBeGreaterThan(0);
  }, 120_000);
});
