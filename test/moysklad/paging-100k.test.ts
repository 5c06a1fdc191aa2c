/**
 * The benchmark the issue asks for: 100,000 products paged through the client while the emulator
 * enforces MoySklad's 2026 limits (45 units / 3 s, weight 3 for login+password, 5 parallel).
 * One ManualClock in autoAdvance mode is shared, so the wall time is virtual and exact.
 */
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createEmulator } from '../../src/emulator/index.js';
import { MoySkladClient, type RequestEvent } from '../../src/moysklad/index.js';

describe('MoySkladClient 100,000 products', () => {
  it('B2 pages 100,000 products in exactly 100 requests with zero 429s under MoySklad limits', async () => {
    const clock = new ManualClock({ autoAdvance: true });
    const emulator = createEmulator({
      clock,
      accounts: [{ login: 'admin@demo', password: 'demo', seed: { kind: 'generated', products: 100_000, seed: 1 } }],
    });
    try {
      const events: RequestEvent[] = [];
      const client = new MoySkladClient({
        baseUrl: emulator.apiBaseUrl,
        credentials: { kind: 'password', login: 'admin@demo', password: 'demo' },
        fetch: emulator.fetch,
        clock,
        onRequest: (e) => events.push(e),
      });
      const started = clock.nowMs();
      const realStarted = performance.now();
      let rows = 0;
      const ids = new Set<string>();
      for await (const page of client.productPages()) {
        rows += page.length;
        for (const p of page) ids.add(p.id);
      }
      const virtualMs = clock.nowMs() - started;
      const realMs = performance.now() - realStarted;
      const s = client.stats();
      const weight = 3;
      // Rate-limit floor: 100 requests × 3 units at 45 units per 3000 ms (no credit for the initial full bucket).
      const floorMs = (100 * weight * 3000) / 45;
      // With the bucket full at the start, the first 45 units are free: (300 − 45) units × 3000/45 ms.
      const floorWithBurstMs = ((100 * weight - 45) * 3000) / 45;
      console.log(
        `[100k paging] rows=${rows} requests=${s.requests} 429s=${s.rateLimitedTotal} retries=${s.retries} ` +
          `virtual=${virtualMs} ms floor=${floorMs} ms (with initial burst ${floorWithBurstMs} ms) ratio=${(virtualMs / floorMs).toFixed(3)} ` +
          `bytes=${s.bytesReceived} real=${Math.round(realMs)} ms`,
      );
      expect(rows).toBe(100_000);
      expect(ids.size).toBe(100_000);
      expect(events.filter((e) => e.path === 'entity/product')).toHaveLength(100);
      expect(s.requests).toBe(100);
      expect(s.rateLimitedTotal).toBe(0);
      expect(events.some((e) => e.status === 429)).toBe(false);
      // The emulator agrees: it answered 100 requests and not one 429.
      const es = emulator.stats();
      expect(es.requests).toBe(100);
      expect(es.tooMany).toBe(0);
      // Paced, not bursting: the full bucket spent at the start, then the refill rate (one page at a time here).
      expect(virtualMs).toBeGreaterThanOrEqual(floorWithBurstMs);
      expect(virtualMs).toBeLessThanOrEqual(floorWithBurstMs * 1.02);
    } finally {
      await emulator.close();
    }
  }, 300_000);
});

describe('MoySkladClient pacing from 2026-12-01 (weight 4)', () => {
  it('B2 pages 23,000 products with zero 429s when a request weighs 4 units', async () => {
    const clock = new ManualClock({ autoAdvance: true, start: '2026-11-30T21:00:00Z' }); // 2026-12-01 00:00 Moscow
    const emulator = createEmulator({
      clock,
      accounts: [{ login: 'admin@demo', password: 'demo', seed: { kind: 'generated', products: 23_000, seed: 2 } }],
    });
    try {
      const events: RequestEvent[] = [];
      const client = new MoySkladClient({
        baseUrl: emulator.apiBaseUrl,
        credentials: { kind: 'password', login: 'admin@demo', password: 'demo' },
        fetch: emulator.fetch,
        clock,
        onRequest: (e) => events.push(e),
      });
      const started = clock.nowMs();
      let rows = 0;
      for await (const page of client.productPages()) rows += page.length;
      const virtualMs = clock.nowMs() - started;
      expect(rows).toBe(23_000);
      expect(events).toHaveLength(23);
      expect(events.every((e) => e.weight === 4 && e.status === 200)).toBe(true);
      expect(emulator.stats().tooMany).toBe(0);
      // 11 requests (44 units) from the full bucket, then one per 267 ms.
      const floorWithBurstMs = ((23 * 4 - 45) * 3000) / 45;
      expect(virtualMs).toBeGreaterThanOrEqual(floorWithBurstMs);
      expect(virtualMs).toBeLessThanOrEqual(floorWithBurstMs * 1.02);
      console.log(`[23k paging, weight 4] requests=${events.length} 429s=0 virtual=${virtualMs} ms floor=${(23 * 4 * 3000) / 45} ms`);
    } finally {
      await emulator.close();
    }
  }, 120_000);
});
