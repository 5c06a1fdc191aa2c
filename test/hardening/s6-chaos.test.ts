/**
 * S6 chaos, short form (the long one is `npm run chaos`): the exporter is killed with SIGKILL at
 * ≥ 10 random points of order export — the emulator, the API and the exporter each in its own
 * process on loopback — and afterwards MoySklad holds every order exactly once with exactly its
 * positions, and every unknown product once. See test/chaos/chaos.ts.
 */
import { describe, expect, it } from 'vitest';
import { runChaos } from '../chaos/chaos.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';

// The two dialects run side by side (each its own emulator, API and exporters): the cost is process starts.
describe.concurrent('S6 chaos', () => {
  for (const dialect of dialects) {
    const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
    (skip ? it.skip : it)(`S6 SIGKILL at 10 random points of order export on ${dialect}: 0 orders lost, 0 doubled, positions exact`, async () => {
      const f = await runChaos({ dialect, kills: 10, ordersPerRound: 4, latencyMs: 100, maxKillDelayMs: 200, seed: dialect === 'sqlite' ? 1 : 2, log: (l) => console.info(l) });
      expect({ lost: f.lost, doubled: f.doubled, positionMismatches: f.positionMismatches, productsDoubled: f.productsDoubled }).toEqual({ lost: 0, doubled: 0, positionMismatches: 0, productsDoubled: 0 });
      expect(f.killsDuringExport).toBeGreaterThanOrEqual(10);
      expect(f.msOrders).toBe(f.orders);
      expect(f.orders).toBeGreaterThanOrEqual(40);
    }, 600_000);
  }
});
