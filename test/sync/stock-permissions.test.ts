/**
 * C10 the stock sync against MoySklad's rights and limits: a user without the stock-report right
 * (the demo's `manager@demo`, 13004) makes the integration say in Russian what to change in
 * MoySklad, logs one line, and its stock schedule stops firing until the retry time or a settings
 * change; a store whose report is too large (13005, the emulator's report row limit) is read by
 * chunks of items and gives the same rows as one report.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startScheduler } from '../../src/queue/scheduler.js';
import { JobTargetRepository } from '../../src/store/repositories/job-target-repository.js';
import { IntegrationProblemRepository } from '../../src/store/repositories/integration-problem-repository.js';
import type { EnqueueRequest } from '../../src/queue/types.js';
import { IntegrationSetupService } from '../../src/setup/integration-setup.js';
import { syncPriceListStock, type StockSyncDeps } from '../../src/sync/stock/index.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';
import { waitUntil } from '../queue/helpers.js';
import { createPriceList, currentRows, loadNomenclature } from './stock-fixture.js';

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`stock sync and MoySklad rights (${dialect})`, () => {
    let fx: SyncFixture | undefined;
    afterEach(async () => {
      await fx?.dispose();
      fx = undefined;
    });
    const deps = (f: SyncFixture): StockSyncDeps => ({ db: f.db, clock: f.clock, clients: f.clients, runDeps: f.runDeps });

    it('C10 without the stock-report right (13004) the integration says what to change in MoySklad and the stock schedule waits', async () => {
      fx = await createSyncFixture({ dialect, login: 'manager@demo', password: 'demo' });
      const f = fx;
      await loadNomenclature(f);
      const store = f.emulator.account('admin@demo').stores[0]!;
      const pl = await createPriceList(f, { name: 'Склад', msStoreId: store.id, syncIntervalMinutes: 15 });
      await expect(syncPriceListStock(deps(f), { priceListId: pl, mode: 'full', trigger: 'manual' })).rejects.toMatchObject({ msCode: 13004 });
      const integration = await f.db.selectFrom('integrations').selectAll().where('id', '=', f.integrationId).executeTakeFirstOrThrow();
      expect(integration).toMatchObject({ status: 'error', statusCode: 'no_stock_report' });
      expect(integration.statusMessage).toMatch(/^У пользователя МойСклад нет доступа к отчёту «Остатки» \(ошибка 13004\).*Просматривать остатки по товарам/);
      expect(f.log.entries.filter((e) => e.level === 'error').map((e) => e.message)).toEqual([`stock.full: ${integration.statusMessage}`]);
      const problems = await f.db.selectFrom('integrationProblems').selectAll().execute();
      expect(problems.map((p) => ({ family: p.family, code: p.code, msCode: p.msCode, retryAt: p.retryAt }))).toEqual([
        { family: 'stock', code: 'no_stock_report', msCode: 13004, retryAt: new Date(f.clock.nowMs() + 6 * 3600_000).toISOString() },
      ]);

      // The schedule: two hours of clock time fire the nomenclature polling but no stock job for this price list.
      const fired: Array<{ at: number; request: EnqueueRequest }> = [];
      const scheduler = startScheduler({
        queue: { enqueue: async (request) => (fired.push({ at: f.clock.nowMs(), request }), { jobId: String(fired.length), merged: false }) },
        db: f.db,
        clock: f.clock,
        targets: new JobTargetRepository(f.db).scheduleTargets,
        blocked: () => new IntegrationProblemRepository(f.db, f.clock).blockedNow(),
        outboxEverySeconds: 0,
      });
      try {
        const start = f.clock.nowMs();
        await waitUntil(() => f.clock.nowMs() >= start + 2 * 3600_000, 'two hours', 20_000_000);
        expect(fired.filter((x) => x.request.kind.startsWith('stock.'))).toEqual([]);
        expect(fired.filter((x) => x.request.kind === 'nomenclature.incremental').length).toBeGreaterThanOrEqual(7);

        // The admin fixes MoySklad and saves the integration's settings: the stock schedule comes back at its next slot.
        const setup = new IntegrationSetupService({ db: f.db, clock: f.clock, secretBox: f.secretBox, clients: f.clients, defaultBaseUrl: f.emulator.apiBaseUrl });
        expect(await setup.saveOptions(f.integrationId, { importPhotos: true })).toMatchObject({ ok: true });
        expect(await f.db.selectFrom('integrationProblems').selectAll().execute()).toEqual([]);
        const saved = f.clock.nowMs();
        await waitUntil(() => fired.some((x) => x.request.kind === 'stock.incremental' && x.at > saved), 'the next stock slot', 20_000_000);
        expect(fired.find((x) => x.request.kind === 'stock.incremental' && x.at > saved)!.at - saved).toBeLessThanOrEqual(16 * 60_000);
      } finally {
        await scheduler.stop();
      }
    });

    it('C10 a successful stock run clears the problem and the status', async () => {
      fx = await createSyncFixture({ dialect, login: 'manager@demo', password: 'demo' });
      const f = fx;
      await loadNomenclature(f);
      const store = f.emulator.account('admin@demo').stores[0]!;
      const pl = await createPriceList(f, { name: 'Склад', msStoreId: store.id });
      await expect(syncPriceListStock(deps(f), { priceListId: pl, mode: 'full', trigger: 'manual' })).rejects.toMatchObject({ msCode: 13004 });
      // The MoySklad administrator gives the manager the «Остатки» right.
      f.emulator.account('admin@demo').users.find((u) => u.login === 'manager@demo')!.stockReport = true;
      await syncPriceListStock(deps(f), { priceListId: pl, mode: 'full', trigger: 'manual' });
      expect(await f.db.selectFrom('integrations').select(['status', 'statusCode', 'statusMessage']).where('id', '=', f.integrationId).executeTakeFirstOrThrow()).toEqual({ status: 'ok', statusCode: null, statusMessage: null });
      expect(await f.db.selectFrom('integrationProblems').selectAll().execute()).toEqual([]);
    });

    it('C10 a store too large for one current-stock report (13005) is read by chunks of items, with the same rows', async () => {
      fx = await createSyncFixture({ dialect, emulator: { accounts: [{ login: 'admin@demo', password: 'demo', seed: { kind: 'generated', products: 450, seed: 11, stores: 2 } }] } });
      const f = fx;
      await loadNomenclature(f);
      const store = f.emulator.account('admin@demo').stores[0]!;
      const whole = await createPriceList(f, { name: 'Одним отчётом', msStoreId: store.id });
      const parts = await createPriceList(f, { name: 'По частям', msStoreId: store.id });
      await syncPriceListStock(deps(f), { priceListId: whole, mode: 'full', trigger: 'manual' });
      f.emulator.setReportRowLimit(60);
      const run = await syncPriceListStock(deps(f), { priceListId: parts, mode: 'full', trigger: 'manual' });
      const byParts = await currentRows(f, parts);
      expect(byParts).toEqual(await currentRows(f, whole));
      expect(byParts.size).toBeGreaterThan(60);
      expect(run.counts.narrowedRequests).toBeGreaterThanOrEqual(5); // 450 items, 100 per request, halved while refused
      expect(f.log.messages('info').some((m) => m.includes('too large (13005); read in'))).toBe(true);
      expect(await f.db.selectFrom('integrations').select('statusCode').where('id', '=', f.integrationId).executeTakeFirstOrThrow()).toEqual({ statusCode: null });

      // An incremental run whose changes report is too large falls back to a full run by parts.
      f.clock.advance(60_000);
      const inc = await syncPriceListStock(deps(f), { priceListId: parts, mode: 'incremental', trigger: 'manual' });
      expect(inc.message).toMatch(/too large for MoySklad \(13005\)/);
    });
  });
}
