/**
 * B9 live progress of a running sync in the admin panel, on SQLite and PostgreSQL: the run's
 * progress reported through the sync registry lands on its `sync_runs` row (readable by any
 * process), the price list page and `/admin/runs/live` show a progress bar with «обработано N из M»
 * and keep polling while it runs, and show the result once it has finished.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import { PROGRESS_WRITE_MS, recordRun } from '../../src/sync/sync-run.js';
import { AdminClient, createAdminHarness, type AdminHarness } from './harness.js';

const pgReason = postgresUnavailableReason();

for (const dialect of dialects) {
  describe.skipIf(dialect === 'postgres' && pgReason !== null)(`live sync progress in the admin panel (${dialect})`, () => {
    let h: AdminHarness;
    let c: AdminClient;
    let priceListId: number;

    beforeAll(async () => {
      h = await createAdminHarness({ dialect });
      c = new AdminClient(h.app);
      await c.login();
      const now = h.clock.now().toISOString();
      priceListId = Number((await h.db.insertInto('priceLists').values({ regionId: h.regionId, name: 'Склад Юг', createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow()).id);
    }, 60_000);

    afterAll(async () => {
      await h?.dispose();
    });

    it('B9 a running sync shows a progress bar with counts, polled until it ends with its result', async () => {
      const registry = new SyncRegistry();
      // The run stops after each report until the test lets it go on (reports come from inside the run, as in a sync).
      let stopped!: () => void;
      let go!: () => void;
      let atStop = new Promise<void>((resolve) => (stopped = resolve));
      const reported: Array<{ done: number; total?: number }> = [];
      const stop = async (): Promise<void> => {
        const next = new Promise<void>((resolve) => (go = resolve));
        stopped();
        await next;
      };
      const goOn = async (): Promise<void> => {
        atStop = new Promise<void>((resolve) => (stopped = resolve));
        go();
        await atStop;
      };
      registry.register({
        kind: 'stock.full',
        description: 'test stock run',
        scope: 'price-list',
        runner: async (ctx) => {
          const finished = await recordRun({ db: h.db, clock: h.clock, log: { write: () => undefined } }, { kind: 'stock.full', trigger: 'manual', priceListId }, async (run) => {
            for (const done of [0, 50, 150]) {
              await ctx.progress({ done, total: 200, message: 'writing rows' });
              await stop();
            }
            run.count('rows', 200);
            run.count('added', 200);
            await ctx.progress({ done: 200, total: 200 });
            return { status: 'ok' };
          });
          return { status: finished.status };
        },
      });
      const before = Number((await h.db.selectFrom('syncRuns').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0);
      const running = registry.get('stock.full')!.runner({ request: { kind: 'stock.full', trigger: 'admin', priceListId }, signal: new AbortController().signal, progress: (p) => void reported.push(p) });
      await atStop;

      let live = (await c.get(`/admin/runs/live?priceListId=${priceListId}`)).text;
      expect(live).toContain('data-polling="1"');
      expect(live).toContain('hx-trigger="every 2s"');
      expect(live).toContain('Остатки и цены: обработано 0 из 200');
      expect(live).toContain('value="0"');

      // Progress is written at most every PROGRESS_WRITE_MS of the clock: an early report is not written, a later one is.
      await goOn(); // 50
      expect((await c.get(`/admin/runs/live?priceListId=${priceListId}`)).text).toContain('обработано 0 из 200');
      h.clock.advance(PROGRESS_WRITE_MS);
      await goOn(); // 150
      live = (await c.get(`/admin/runs/live?priceListId=${priceListId}`)).text;
      expect(live).toContain('обработано 150 из 200');
      expect(live).toContain('value="75"');
      const page = (await c.get(`/admin/price-lists/${priceListId}`)).text;
      expect(page).toContain('id="live-runs"');
      expect(page).toContain('обработано 150 из 200');
      expect((await c.get(`/admin/runs/live?priceListId=${priceListId}&lang=en`)).text).toContain('Stock and prices: 150 of 200 processed');
      await c.get('/admin/runs/live?lang=ru');
      const row = await h.db.selectFrom('syncRuns').select(['status', 'progressDone', 'progressTotal']).where('priceListId', '=', priceListId).executeTakeFirstOrThrow();
      expect(row).toEqual({ status: 'running', progressDone: 150, progressTotal: 200 });

      go();
      expect(await running).toEqual({ status: 'ok' });
      expect(reported.map((p) => p.done)).toEqual([0, 50, 150, 200]);
      live = (await c.get(`/admin/runs/live?priceListId=${priceListId}&after=${before}&waiting=1`)).text;
      expect(live).toContain('data-polling="0"');
      expect(live).not.toContain('<progress');
      expect(live).toContain('Остатки и цены');
      expect(live).toContain('успешно');
      expect(live).toContain('строк: 200, добавлено: 200');
    }, 60_000);

    it('B9 after a sync is queued the block polls until its run appears', async () => {
      const last = Number((await h.db.selectFrom('syncRuns').select((eb) => eb.fn.max('id').as('id')).executeTakeFirst())?.id ?? 0);
      const live = (await c.get(`/admin/runs/live?priceListId=${priceListId}&after=${last}&waiting=1`)).text;
      expect(live).toContain('data-polling="1"');
      expect(live).toContain('Синхронизация в очереди');
    });
  });
}
