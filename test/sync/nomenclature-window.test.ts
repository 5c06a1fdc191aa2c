/**
 * The full nomenclature pass keeps several page requests in flight (B2) while it writes pages in
 * offset order and checkpoints only over pages written (B3). Against the emulator with MoySklad's
 * 2026 limits and its latency model on a shared ManualClock, on SQLite and PostgreSQL.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { DialectName } from '../../src/store/database.js';
import { postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { lastRun, runKind, snapshot } from './nomenclature-helpers.js';

const pgSkip = postgresUnavailableReason();
const PRODUCTS = 3_000;
const LIMIT = 300;

const fixtures: SyncFixture[] = [];
afterEach(async () => {
  while (fixtures.length) await fixtures.pop()?.dispose();
});

async function fixture(dialect: DialectName): Promise<SyncFixture> {
  const fx = await createSyncFixture({
    dialect,
    emulator: {
      latency: { baseMs: 100, perRowMs: 0.1 },
      accounts: [{ login: 'admin@demo', password: 'demo', seed: { kind: 'generated', products: PRODUCTS, seed: 3 } }],
    },
  });
  fixtures.push(fx);
  return fx;
}

async function productCount(fx: SyncFixture): Promise<number> {
  const r = await fx.db.selectFrom('products').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

for (const dialect of ['sqlite', 'postgres'] as const) {
  const block = dialect === 'postgres' && pgSkip ? describe.skip : describe;
  block(`nomenclature full pass with pages in flight (${dialect}${dialect === 'postgres' && pgSkip ? `, SKIPPED: ${pgSkip}` : ''})`, () => {
    it('B2 reads 3,000 products in the minimum 11 requests with several in flight, zero 429s, at the pace of the bucket', async () => {
      const fx = await fixture(dialect);
      const client = await fx.clients.forAccount(fx.msAccountId);
      const before = client.stats().requests;
      let written = 0;
      let maxAhead = 0;
      fx.emulator.resetStats();
      const started = fx.clock.nowMs();
      const out = await runKind(fx, 'nomenclature.full', {
        options: { pageLimit: LIMIT },
        onProgress: () => {
          written += 1;
          maxAhead = Math.max(maxAhead, client.stats().requests - before - written);
        },
      });
      const ms = fx.clock.nowMs() - started;
      expect(out.status).toBe('ok');
      expect(out.counts).toMatchObject({ created: PRODUCTS, requests: PRODUCTS / LIMIT + 1 });
      expect(fx.emulator.stats().tooMany).toBe(0);
      // Requests sent and not yet written: pages ahead, never more than the window (default 4, the
      // limiter's parallel cap), the variant page included.
      expect(maxAhead).toBeGreaterThanOrEqual(2);
      expect(maxAhead).toBeLessThanOrEqual(4);
      // 11 requests of weight 3 fit the full bucket (33 of 45 units): the pass takes a few response
      // times, not one response time per page in a row (10 × ≥ 130 ms).
      expect(ms).toBeLessThan(10 * 130);
    });

    it('B3 a full pass killed with pages in flight resumes from the last written page: nothing skipped, nothing written twice', async () => {
      const reference = await fixture(dialect);
      await runKind(reference, 'nomenclature.full', { options: { pageLimit: LIMIT } });
      const expected = await snapshot(reference);
      const uninterruptedRequests = (await lastRun(reference, 'nomenclature.full')).requests;
      expect(uninterruptedRequests).toBe(PRODUCTS / LIMIT + 1);

      const fx = await fixture(dialect);
      const client = await fx.clients.forAccount(fx.msAccountId);
      const before = client.stats().requests;
      const ac = new AbortController();
      let pages = 0;
      let aheadAtKill = -1;
      await expect(
        runKind(fx, 'nomenclature.full', {
          signal: ac.signal,
          options: { pageLimit: LIMIT },
          onProgress: () => {
            pages += 1;
            if (pages === 2) {
              aheadAtKill = client.stats().requests - before - pages;
              ac.abort(new Error('killed after 2 pages'));
            }
          },
        }),
      ).rejects.toThrow();
      // Pages beyond the two written had been requested when the kill came.
      expect(aheadAtKill).toBeGreaterThanOrEqual(2);
      const killed = await lastRun(fx, 'nomenclature.full');
      expect(killed.status).toBe('failed');
      // Exactly the two written pages are in the store and counted; the checkpoint is right after them.
      expect(killed.counts.created).toBe(2 * LIMIT);
      expect(await productCount(fx)).toBe(2 * LIMIT);
      const firstIds = fx.emulator
        .account('admin@demo')
        .listProducts()
        .map((p) => p.id)
        .sort()
        .slice(0, 2 * LIMIT);
      const stored = (await fx.db.selectFrom('products').select('msId').orderBy('msId').execute()).map((r) => r.msId);
      expect(stored).toEqual(firstIds);
      const checkpoint = await fx.db.selectFrom('syncCheckpoints').select('cursor').where('kind', '=', 'nomenclature.full').executeTakeFirstOrThrow();
      expect(JSON.parse(checkpoint.cursor)).toMatchObject({ state: 'running', phase: 'product', offset: 2 * LIMIT });

      const resumed = await runKind(fx, 'nomenclature.full', { options: { pageLimit: LIMIT } });
      expect(resumed.message).toContain('resumed from checkpoint');
      // Every remaining product created once; none of the written pages came again (it would count as unchanged).
      expect(resumed.counts?.created).toBe(PRODUCTS - 2 * LIMIT);
      expect(resumed.counts?.unchanged ?? 0).toBe(0);
      expect(resumed.counts?.requests).toBe(uninterruptedRequests - 2);
      expect(await snapshot(fx)).toEqual(expected);
    });
  });
}
