/**
 * The quick start's demo order (C2, C4): the service as `npm start` runs it (server off here, the
 * worker, the queue and the bootstrap on, real time), with the demo emulator in-process so that the
 * test can read MoySklad's side. The demo client orders one unit from the demo price list (a
 * variant when the list has one); the order is exported with its reserve at the price list's store,
 * and the price list's available quantity shows the reserve within seconds of the export.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { systemClock, type Clock } from '../../src/core/clock.js';
import { createEmulator, DEFAULT_ACCOUNT, type Emulator } from '../../src/emulator/index.js';
import { DEMO_ORDER_ID } from '../../src/app/demo-order.js';
import { DEMO_EMULATOR_STATE_FILE, openStore, startService, type DemoMoySklad } from '../../src/main.js';
import { silentLogger } from '../../src/queue/index.js';
import { tempDir } from './cli-helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('demo shop order', { timeout: 240_000 }, () => {
  it('C4 `npm start` orders a variant from the demo price list, exports it with its reserve, and the price list shows the reserve within seconds', async () => {
    const root = tempDir();
    dirs.push(root);
    const config = loadConfig({ DATA_DIR: path.join(root, 'data'), LOG_DIR: path.join(root, 'logs'), LOG_LEVEL: 'silent' }, root);
    let emulator: Emulator | undefined;
    const startDemoMoySklad = async (clock: Clock, dataDir: string): Promise<DemoMoySklad> => {
      fs.mkdirSync(dataDir, { recursive: true });
      const emu = createEmulator({ clock, accounts: [DEFAULT_ACCOUNT], persistPath: path.join(dataDir, DEMO_EMULATOR_STATE_FILE) });
      emulator = emu;
      const a = emu.account(DEFAULT_ACCOUNT.login);
      const org = a.organizations[0]!;
      const store = a.stores[0]!;
      return {
        fetch: emu.fetch, apiBaseUrl: emu.apiBaseUrl, login: DEFAULT_ACCOUNT.login, password: DEFAULT_ACCOUNT.password,
        organization: { id: org.id, name: String(org.f.name) }, store: { id: store.id, name: String(store.f.name) }, close: () => emu.close(),
      };
    };
    const service = await startService(config, { server: false, worker: true, schedules: false, bootstrap: true }, { clock: systemClock, logger: silentLogger, console: { out: () => undefined }, startDemoMoySklad });
    const store = await openStore(config);
    try {
      const db = store.db;
      const exported = await until(
        'the demo order to be exported',
        async () => {
          const o = await db.selectFrom('orders').selectAll().where('externalId', '=', DEMO_ORDER_ID).executeTakeFirst();
          return o?.exportState === 'sent' ? o : undefined;
        },
        200_000,
      );
      const line = await db.selectFrom('orderPositions').selectAll().where('orderId', '=', exported.id).executeTakeFirstOrThrow();
      const card = await db.selectFrom('products').select(['kind', 'msId']).where('msId', '=', line.msProductId!).executeTakeFirstOrThrow();
      const variantRows = await db
        .selectFrom('priceListRows as r')
        .innerJoin('products as p', 'p.id', 'r.productId')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('p.kind', '=', 'variant')
        .where('r.priceListId', '=', Number(exported.priceListId))
        .executeTakeFirstOrThrow();
      // a variant whenever the demo price list has one (the demo seed's variants with stock)
      expect(card.kind).toBe(Number(variantRows.n) > 0 ? 'variant' : 'product');

      const a = emulator!.account(DEFAULT_ACCOUNT.login);
      const msOrder = a.customerOrders.find((o) => o.id === exported.msOrderId)!;
      const storeId = a.stores[0]!.id;
      expect((msOrder.f.store as { $ref: { id: string } }).$ref.id).toBe(storeId);
      const positions = msOrder.f.positions as Array<{ f: { assortment: { $ref: { type: string; id: string } }; quantity: number; reserve: number } }>;
      expect(positions.map((p) => [p.f.assortment.$ref.type, p.f.assortment.$ref.id, p.f.quantity, p.f.reserve])).toEqual([[card.kind, card.msId, 1, 1]]);

      // the price list's row follows MoySklad's available quantity, reserve included, within seconds
      const exportedAt = Date.parse(exported.exportedAt!);
      const cell = a.stockOf(card.msId, storeId)!;
      const available = Math.max(0, cell.stock - cell.reserve + cell.inTransit);
      const row = await until(
        'the price list to show the reserve',
        async () => {
          const r = await db
            .selectFrom('priceListRows as r')
            .innerJoin('priceLists as pl', (j) => j.onRef('pl.id', '=', 'r.priceListId').onRef('pl.generation', '=', 'r.generation'))
            .select('r.quantity')
            .where('r.priceListId', '=', Number(exported.priceListId))
            .where('r.msProductId', '=', card.msId)
            .executeTakeFirst();
          return r && Number(r.quantity) === available ? r : undefined;
        },
        30_000,
      );
      expect(Number(row.quantity)).toBe(available);
      const refresh = await db.selectFrom('syncRuns').select(['startedAt', 'status']).where('kind', '=', 'stock.incremental').orderBy('id').executeTakeFirstOrThrow();
      expect(refresh.status).toBe('ok');
      const seconds = (Date.parse(refresh.startedAt) - exportedAt) / 1000;
      console.info(`[demo order] ${card.kind} ${line.brand} ${line.article}: stock run started ${seconds.toFixed(1)} s after the export`);
      expect(seconds).toBeLessThan(10);
    } finally {
      await store.destroy();
      await service.stop();
    }
  });
});
