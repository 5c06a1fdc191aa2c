/**
 * P1 for the admin panel: «Повторить» on an order page wakes the outbox sender, as a REST commit
 * does, so the retried order reaches MoySklad without waiting for the minute poll. The order is
 * written through the REST API, its export made to fail, then retried from the panel; the clock
 * only moves by what the sends take.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Ticker } from '../../src/core/ticker.js';
import { setAdminPassword } from '../../src/main.js';
import type { EnqueueRequest, JobEnqueuer } from '../../src/queue/types.js';
import { mountAdminPanel } from '../../src/server/admin/admin-panel.js';
import { createApp } from '../../src/server/app.js';
import { IntegrationSetupService } from '../../src/setup/integration-setup.js';
import { migrationStatus } from '../../src/store/migrate.js';
import { createOutboxSender, type OutboxSender } from '../../src/sync/outbox/outbox-sender.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { ordersHarness, type OrdersHarness } from '../sync/orders-harness.js';
import { ADMIN_LOGIN, ADMIN_PASSWORD, AdminClient } from './harness.js';

/** A ticker that never ticks (no expiry checks: only wakes drain). */
const stillTicker: Ticker = () => () => undefined;

class NullEnqueuer implements JobEnqueuer {
  async enqueue(_request: EnqueueRequest) {
    return { jobId: 'job-1', merged: false };
  }
}

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  const block = skip ? describe.skip : describe;
  block(`admin retry wakes the sender (${dialect})${skip ? ` SKIPPED: PostgreSQL unreachable: ${skip}` : ''}`, () => {
    let h: OrdersHarness | undefined;
    let sender: OutboxSender | undefined;
    let logDir: string | undefined;
    afterEach(async () => {
      await sender?.stop();
      await h?.dispose();
      if (logDir) fs.rmSync(logDir, { recursive: true, force: true });
      sender = h = logDir = undefined;
    });

    it('P1 «Повторить» on the order page wakes the outbox sender: the retried order is in MoySklad without the minute poll', async () => {
      const late: { sender?: OutboxSender } = {};
      const wake = (): void => late.sender?.wake();
      h = await ordersHarness(dialect);
      const hh = h;
      const { db, clock } = hh.fx;
      logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'mse-admin-retry-'));
      const setup = new IntegrationSetupService({ db, clock, secretBox: new SecretBox(randomBytes(32)), clients: hh.fx.clients, defaultBaseUrl: hh.fx.emulator.apiBaseUrl });
      const app = createApp({
        db,
        clock,
        enqueuer: new NullEnqueuer(),
        syncs: new SyncRegistry(),
        publicBaseUrl: 'http://shop.test',
        logger: { error: () => undefined },
        readiness: { migrationStatus: () => migrationStatus(db) },
        mountAdmin: (a) => mountAdminPanel(a, { db, clock, enqueuer: new NullEnqueuer(), syncs: new SyncRegistry(), setup, logDir: logDir!, publicBaseUrl: 'http://shop.test', wake }),
      });
      await setAdminPassword(hh.fx.database, clock, ADMIN_LOGIN, ADMIN_PASSWORD);

      // An order written through the API (no sender yet), whose export then failed.
      const ps = hh.msProducts().slice(0, 2);
      await hh.knowProducts(ps);
      const clientId = await hh.client({ externalId: 'C-R', email: 'retry@example.ru' });
      const o = await hh.order({ externalId: 'W-RETRY', counterpartyId: clientId, positions: ps.map((p) => ({ brand: p.brand, article: p.article, quantity: 1, priceKopecks: 700 })) });
      await db.updateTable('outbox').set({ state: 'failed', attempts: 5, lastError: 'http_500: MoySklad answered 500' }).where('aggregateType', '=', 'order').execute();
      await db.updateTable('orders').set({ exportState: 'failed', exportError: 'http_500: MoySklad answered 500' }).where('id', '=', o.id).execute();

      const s = (late.sender = sender = createOutboxSender({ db, clock, owner: 'admin-p1', ticker: stillTicker, drain: (signal) => hh.drain({ signal, owner: 'admin-p1' }) }));
      await s.start();
      await s.idle();
      // A failed export is not due: nothing went out.
      expect(hh.customerOrders()).toHaveLength(0);

      const c = new AdminClient(app);
      await c.login();
      await c.get(`/admin/orders/${o.id}`);
      const t0 = clock.nowMs();
      const retried = await c.post(`/admin/orders/${o.id}/retry`, {});
      expect(retried.status).toBe(302);
      expect(retried.location).toBe(`/admin/orders/${o.id}?done=ord.retried&id=W-RETRY&n=1`);
      await s.idle();
      expect(hh.customerOrders().map((e) => e.f.externalCode)).toEqual(['W-RETRY']);
      expect((await hh.api('GET', `/orders/${o.id}`)).json).toMatchObject({ exportState: 'sent', msOrderId: hh.customerOrders()[0]!.id });
      expect((await hh.outbox()).map((r) => r.state)).toEqual(['sent']);
      // no minute poll happened in between: the clock moved by what the sends took, far below a minute
      expect(clock.nowMs() - t0).toBeLessThan(2_000);
    });
  });
}
