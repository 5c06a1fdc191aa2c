/**
 * The client balance through the platform's REST API (R29–R31): activity → one queued `balance`
 * job → the balance route shows MoySklad's figure; with the option off, the store's own ledger.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedJobQueue } from '../../src/queue/embedded-queue.js';
import { createApp } from '../../src/server/app.js';
import { ApiTokenService } from '../../src/server/auth.js';
import { migrationStatus } from '../../src/store/migrate.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import { createBalanceSyncKinds } from '../../src/sync/balance/index.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  (skip ? describe.skip : describe)(`balance via the REST API (${dialect})`, () => {
    let fx: SyncFixture;
    afterEach(async () => {
      await fx?.dispose();
    });

    it('R30 activity reported by the platform reads MoySklad once; the balance route returns that one figure', async () => {
      fx = await createSyncFixture({ dialect, integration: { balanceSyncEnabled: 1 } });
      const account = fx.emulator.account('admin@demo');
      const queue = new EmbeddedJobQueue({ db: fx.db, clock: fx.clock });
      const syncs = new SyncRegistry();
      for (const k of createBalanceSyncKinds({ db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps })) syncs.register(k);
      const app = createApp({
        db: fx.db, clock: fx.clock, enqueuer: queue, syncs, publicBaseUrl: 'http://shop.test',
        logger: { error: () => undefined },
        readiness: { migrationStatus: () => migrationStatus(fx.db) },
      });
      const { token } = await new ApiTokenService({ db: fx.db, clock: fx.clock }).create('platform');
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies asserted field by field
      const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> => {
        const res = await app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
        return { status: res.status, json: await res.json() };
      };

      const created = await call('POST', '/api/v1/clients', { externalId: 'c-1', name: 'ООО Вектор', regionId: fx.regionId, inn: '7736570901' });
      expect(created.status).toBe(201);
      const clientId = created.json.id as number;
      const cp = account.createEntity('counterparty', { name: 'ООО Вектор', inn: '7736570901', companyType: 'legal' });
      account.setBalance(cp.id, -12_345_67);
      await fx.db.insertInto('counterpartyLinks').values({ counterpartyId: clientId, msAccountId: fx.msAccountId, msCounterpartyId: cp.id, matchedBy: 'inn', linkedAt: fx.clock.now().toISOString() }).execute();
      await fx.db.insertInto('balanceRecords').values({ counterpartyId: clientId, amount: 500_00, kind: 'payment', note: null, createdAt: fx.clock.now().toISOString() }).execute();

      const act = await call('POST', `/api/v1/clients/${clientId}/activity`);
      expect(act.json).toMatchObject({ refreshQueued: true });
      const again = await call('POST', `/api/v1/clients/${clientId}/activity`);
      expect(again.json).toMatchObject({ refreshQueued: true, reason: 'merged into a waiting refresh' });
      const job = (await queue.fetch(['balance'], 'w'))!;
      await queue.complete(job, await syncs.get('balance')!.runner({ request: { kind: 'balance', integrationId: Number(job.integrationId), trigger: 'api' }, signal: new AbortController().signal, progress: () => undefined }));
      expect(await queue.fetch(['balance'], 'w')).toBeUndefined();

      const bal = await call('GET', `/api/v1/clients/${clientId}/balance`);
      expect(bal.json).toMatchObject({ clientId, balanceKopecks: -12_345_67, balance: '-12345.67', source: 'moysklad', problem: null });
      expect(Object.entries(fx.emulator.stats().byPath).filter(([k]) => k.includes('report/counterparty')).reduce((s, [, n]) => s + n, 0)).toBe(1);

      await fx.db.updateTable('integrations').set({ balanceSyncEnabled: 0 }).where('id', '=', fx.integrationId).execute();
      expect((await call('GET', `/api/v1/clients/${clientId}/balance`)).json).toMatchObject({ balanceKopecks: 500_00, source: 'store' });
    });
  });
}
