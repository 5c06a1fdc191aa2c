/**
 * Client balance from MoySklad (issue 8): R29–R31 on a ManualClock, against the emulator's
 * `report/counterparty`, with the real embedded job queue merging activity into one job.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedJobQueue } from '../../src/queue/embedded-queue.js';
import type { EmulatorAccount } from '../../src/emulator/index.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import {
  createBalanceSyncKinds,
  ownBalance,
  readClientBalance,
  recordClientActivity,
  type BalanceSyncDeps,
  type ClientBalanceDeps,
} from '../../src/sync/balance/index.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { createSyncFixture, type SyncFixture } from '../helpers/sync-fixture.js';

const MIN = 60_000;

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  if (skip) console.warn(`[postgres] PostgreSQL unreachable (${skip}); PostgreSQL balance cases SKIPPED`);
  (skip ? describe.skip : describe)(`client balance (${dialect})`, () => {
    let fx: SyncFixture;
    let queue: EmbeddedJobQueue;
    let api: ClientBalanceDeps;
    let syncDeps: BalanceSyncDeps;
    let registry: SyncRegistry;
    let account: EmulatorAccount;

    async function setup(options: { crm?: boolean; balanceSync?: boolean } = {}): Promise<void> {
      fx = await createSyncFixture({
        dialect,
        emulator: { accounts: [{ login: 'admin@demo', password: 'demo', seed: 'demo', crm: options.crm ?? true }] },
        integration: { balanceSyncEnabled: options.balanceSync === false ? 0 : 1 },
      });
      account = fx.emulator.account('admin@demo');
      queue = new EmbeddedJobQueue({ db: fx.db, clock: fx.clock });
      api = { db: fx.db, clock: fx.clock, enqueuer: queue };
      syncDeps = { db: fx.db, clock: fx.clock, clients: fx.clients, runDeps: fx.runDeps };
      registry = new SyncRegistry();
      for (const k of createBalanceSyncKinds(syncDeps)) registry.register(k);
    }

    /** A store client linked to a new MoySklad counterparty holding `balance` kopecks. */
    async function client(name: string, balance: number): Promise<{ id: number; regionId: number; msId: string }> {
      const cp = account.createEntity('counterparty', { name, companyType: 'legal' });
      account.setBalance(cp.id, balance);
      const now = fx.clock.now().toISOString();
      const row = await fx.db
        .insertInto('counterparties')
        .values({ kind: 'client', externalId: name, regionId: fx.regionId, name, createdAt: now, updatedAt: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      await fx.db.insertInto('counterpartyLinks').values({ counterpartyId: row.id, msAccountId: fx.msAccountId, msCounterpartyId: cp.id, matchedBy: 'inn', linkedAt: now }).execute();
      return { id: Number(row.id), regionId: fx.regionId, msId: cp.id };
    }

    const reportRequests = (): number =>
      Object.entries(fx.emulator.stats().byPath)
        .filter(([k]) => k.includes('report/counterparty'))
        .reduce((s, [, n]) => s + n, 0);

    /** What the worker does: run every queued balance job through the registry. */
    async function drain(): Promise<number> {
      let jobs = 0;
      for (;;) {
        const job = await queue.fetch(['balance'], 'test-worker');
        if (!job) return jobs;
        jobs += 1;
        try {
          const out = await registry.get('balance')!.runner({
            request: { kind: 'balance', integrationId: Number(job.integrationId), trigger: 'api' },
            signal: new AbortController().signal,
            progress: () => undefined,
          });
          await queue.complete(job, out);
        } catch (e) {
          await queue.fail(job, { message: String(e), retryable: false });
        }
      }
    }

    afterEach(async () => {
      await fx?.dispose();
    });

    it('R30 the first activity reads the balance; again after 10 min no request; after 31 min it does', async () => {
      await setup();
      const c = await client('ООО Ромашка', -1_500_00);
      const first = await recordClientActivity(api, c);
      expect(first.refreshQueued).toBe(true);
      await drain();
      expect(reportRequests()).toBe(1);
      expect(await readClientBalance(api, c)).toMatchObject({ balanceKopecks: -1_500_00, source: 'moysklad', problem: null });

      account.setBalance(c.msId, -2_000_00);
      fx.clock.advance(10 * MIN);
      expect(await recordClientActivity(api, c)).toMatchObject({ refreshQueued: false });
      expect(await drain()).toBe(0);
      expect(reportRequests()).toBe(1);
      expect((await readClientBalance(api, c)).balanceKopecks).toBe(-1_500_00);

      fx.clock.advance(21 * MIN); // 31 min after the read
      expect(await recordClientActivity(api, c)).toMatchObject({ refreshQueued: true });
      await drain();
      expect(reportRequests()).toBe(2);
      expect(await readClientBalance(api, c)).toMatchObject({ balanceKopecks: -2_000_00, readAt: fx.clock.now().toISOString() });
    });

    it('R30 many clients active at once cost one request', async () => {
      await setup();
      const clients = [];
      for (let i = 0; i < 25; i++) clients.push(await client(`Клиент ${i}`, (i - 12) * 100_00));
      const outcomes = await Promise.all(clients.map((c) => recordClientActivity(api, c)));
      expect(outcomes.filter((o) => o.refreshQueued)).toHaveLength(25);
      expect(new Set(outcomes.map((o) => o.jobId)).size).toBe(1); // merged into one job
      expect(await drain()).toBe(1);
      expect(reportRequests()).toBe(1);
      expect(fx.emulator.stats().byPath).toMatchObject({ 'POST report/counterparty': 1 });
      for (const [i, c] of clients.entries()) expect((await readClientBalance(api, c)).balanceKopecks).toBe((i - 12) * 100_00);
      const run = await fx.db.selectFrom('syncRuns').selectAll().where('kind', '=', 'balance').executeTakeFirstOrThrow();
      expect(run).toMatchObject({ status: 'ok', requests: 1 });
    });

    it('R31 option off: own records and calculation untouched; on: calculation paused, records kept; off again resumes', async () => {
      await setup({ balanceSync: false });
      const c = await client('ИП Иванов', -999_00);
      const now = fx.clock.now().toISOString();
      await fx.db
        .insertInto('balanceRecords')
        .values([
          { counterpartyId: c.id, amount: -300_00, kind: 'order', note: 'заказ 1', createdAt: now },
          { counterpartyId: c.id, amount: 100_00, kind: 'payment', note: null, createdAt: now },
        ])
        .execute();
      const snapshot = async () => fx.db.selectFrom('balanceRecords').selectAll().where('counterpartyId', '=', c.id).orderBy('id').execute();
      const records = await snapshot();

      // Off: the store's own calculation; activity asks nothing of MoySklad.
      expect(await readClientBalance(api, c)).toMatchObject({ balanceKopecks: -200_00, source: 'store' });
      expect(await recordClientActivity(api, c)).toMatchObject({ refreshQueued: false, reason: 'balance sync is off for this client' });
      expect(await drain()).toBe(0);
      expect(reportRequests()).toBe(0);

      // On: MoySklad's figure; the own calculation is paused and its records stay as they were.
      await fx.db.updateTable('integrations').set({ balanceSyncEnabled: 1 }).where('id', '=', fx.integrationId).execute();
      const pending = await readClientBalance(api, c);
      expect(pending).toMatchObject({ source: 'moysklad', balanceKopecks: null });
      await drain();
      expect(await readClientBalance(api, c)).toMatchObject({ balanceKopecks: -999_00, source: 'moysklad' });
      expect(await snapshot()).toEqual(records);

      // Off again: resumes from the same records.
      await fx.db.updateTable('integrations').set({ balanceSyncEnabled: 0 }).where('id', '=', fx.integrationId).execute();
      expect(await readClientBalance(api, c)).toMatchObject({ balanceKopecks: -200_00, source: 'store' });
      expect(await ownBalance({ db: fx.db, clock: fx.clock }, c.id)).toBe(-200_00);
      expect(await snapshot()).toEqual(records);
    });

    it('R29 a client without a region is served by the central region’s integration', async () => {
      await setup();
      const c = await client('Без региона', -77_00);
      await fx.db.updateTable('counterparties').set({ regionId: null }).where('id', '=', c.id).execute();
      const noRegion = { id: c.id, regionId: null };
      expect(await recordClientActivity(api, noRegion)).toMatchObject({ refreshQueued: true });
      await drain();
      expect(await readClientBalance(api, noRegion)).toMatchObject({ balanceKopecks: -77_00, source: 'moysklad' });
    });

    it('R29 sign convention: negative = the client owes the shop, as in the emulator report (demandsSum)', async () => {
      await setup();
      const debtor = await client('Должник', -4_321_00);
      const prepaid = await client('Предоплата', 1_000_00);
      await recordClientActivity(api, debtor);
      await recordClientActivity(api, prepaid);
      await drain();
      const ctx = await fx.integrationContext();
      const [row] = await ctx.client.counterpartyReport([debtor.msId]);
      // The report attributes the negative balance to shipments not paid for: the client owes.
      expect(row).toMatchObject({ balance: -4_321_00, demandsSum: 4_321_00 });
      expect((await readClientBalance(api, debtor)).balanceKopecks).toBe(-4_321_00);
      expect((await readClientBalance(api, prepaid)).balanceKopecks).toBe(1_000_00);
    });

    it('C10 a tariff without CRM shows what to change in MoySklad (status, one log line); the balance job waits instead of retrying', async () => {
      await setup({ crm: false });
      const c = await client('Без CRM', -1_00);
      await recordClientActivity(api, c);
      await drain();
      const integration = await fx.db.selectFrom('integrations').selectAll().where('id', '=', fx.integrationId).executeTakeFirstOrThrow();
      expect(integration).toMatchObject({ status: 'error', statusCode: 'no_crm_tariff' });
      expect(integration.statusMessage).toMatch(/^Тариф МойСклад без опции CRM \(ошибка 1043\).*Подключите опцию CRM/);
      const errors = fx.log.entries.filter((e) => e.level === 'error' && e.kind === 'balance');
      expect(errors.map((e) => e.message)).toEqual([`balance: ${integration.statusMessage}`]);
      const shown = await readClientBalance(api, c);
      expect(shown).toMatchObject({ source: 'moysklad', balanceKopecks: null, card: 'linked' });
      expect(shown.problem).toBe(integration.statusMessage);
      // Activity does not hammer MoySklad: within 30 minutes, nor after them while the problem holds the job back.
      fx.clock.advance(5 * MIN);
      expect(await recordClientActivity(api, c)).toMatchObject({ refreshQueued: false });
      account.setCrm(true);
      fx.clock.advance(30 * MIN);
      expect(await recordClientActivity(api, c)).toMatchObject({ refreshQueued: false });
      expect(reportRequests()).toBe(1);

      // Six hours later (the slow pace) the next activity reads it, and the success clears the status.
      fx.clock.advance(6 * 60 * MIN);
      expect(await recordClientActivity(api, c)).toMatchObject({ refreshQueued: true });
      await drain();
      const after = await fx.db.selectFrom('integrations').selectAll().where('id', '=', fx.integrationId).executeTakeFirstOrThrow();
      expect(after).toMatchObject({ status: 'ok', statusCode: null, statusMessage: null });
      expect(await readClientBalance(api, c)).toMatchObject({ balanceKopecks: -1_00, problem: null });
    });

    /** A store client with no link to MoySklad (it never had an order). */
    async function storeClient(externalId: string, fields: { inn?: string; email?: string; phone?: string }): Promise<{ id: number; regionId: number }> {
      const now = fx.clock.now().toISOString();
      const row = await fx.db
        .insertInto('counterparties')
        .values({ kind: 'client', externalId, regionId: fx.regionId, name: externalId, inn: fields.inn ?? null, innNorm: fields.inn ?? null, email: fields.email ?? null, emailNorm: fields.email?.toLowerCase() ?? null, phone: fields.phone ?? null, phoneNorm: null, createdAt: now, updatedAt: now })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { id: Number(row.id), regionId: fx.regionId };
    }

    it('C12 a client never linked is matched on its first balance read (INN, e-mail, phone), linked and read in the same job', async () => {
      await setup();
      const byInn = account.createEntity('counterparty', { name: 'ООО ИНН', companyType: 'legal', inn: '7707083893' });
      const byEmail = account.createEntity('counterparty', { name: 'Почта', companyType: 'individual', email: 'Buyer@Example.RU' });
      const byPhone = account.createEntity('counterparty', { name: 'Телефон', companyType: 'individual', phone: '8 (495) 331-22-33' });
      account.setBalance(byInn.id, -500_00);
      account.setBalance(byEmail.id, 120_00);
      account.setBalance(byPhone.id, -7_00);
      const a = await storeClient('C-inn', { inn: '7707083893' });
      const b = await storeClient('C-mail', { email: 'buyer@example.ru' });
      const c = await storeClient('C-phone', { phone: '+7 495 331 22 33 доб. 5' });
      const countersBefore = account.counterparties.length;
      for (const x of [a, b, c]) await recordClientActivity(api, x);
      expect(await drain()).toBe(1);
      expect([await readClientBalance(api, a), await readClientBalance(api, b), await readClientBalance(api, c)].map((r) => [r.balanceKopecks, r.card, r.problem])).toEqual([
        [-500_00, 'linked', null],
        [120_00, 'linked', null],
        [-7_00, 'linked', null],
      ]);
      const links = await fx.db.selectFrom('counterpartyLinks').select(['counterpartyId', 'msCounterpartyId', 'matchedBy']).where('counterpartyId', 'in', [a.id, b.id, c.id]).orderBy('counterpartyId').execute();
      expect(links.map((l) => [l.msCounterpartyId, l.matchedBy])).toEqual([
        [byInn.id, 'inn'],
        [byEmail.id, 'email'],
        [byPhone.id, 'phone'],
      ]);
      expect(account.counterparties.length).toBe(countersBefore); // nothing created
      expect(reportRequests()).toBe(1); // one report for the three
    });

    it('C12 no card in MoySklad is a state, not an error; several fitting cards are not guessed; no card is created', async () => {
      await setup();
      account.createEntity('counterparty', { name: 'Двойник 1', companyType: 'individual', email: 'twin@example.ru' });
      account.createEntity('counterparty', { name: 'Двойник 2', companyType: 'individual', email: 'twin@example.ru' });
      const none = await storeClient('C-none', { email: 'nobody@example.ru', phone: '+7 912 000-00-09' });
      const twin = await storeClient('C-twin', { email: 'twin@example.ru' });
      const countersBefore = account.counterparties.length;
      await recordClientActivity(api, none);
      await recordClientActivity(api, twin);
      await drain();
      expect(await readClientBalance(api, none)).toMatchObject({ source: 'moysklad', balanceKopecks: null, card: 'none', problem: null });
      expect(await readClientBalance(api, twin)).toMatchObject({ source: 'moysklad', balanceKopecks: null, card: 'ambiguous', problem: null });
      expect(account.counterparties.length).toBe(countersBefore);
      expect(fx.log.entries.filter((e) => e.level === 'error')).toEqual([]);
      expect(await fx.db.selectFrom('counterpartyLinks').select('id').where('counterpartyId', 'in', [none.id, twin.id]).execute()).toEqual([]);
      expect(reportRequests()).toBe(0); // nothing to read
      const integration = await fx.db.selectFrom('integrations').select(['status', 'statusCode']).where('id', '=', fx.integrationId).executeTakeFirstOrThrow();
      expect(integration).toEqual({ status: 'ok', statusCode: null });

      // The card appears in MoySklad later: the next due read finds and links it.
      const later = account.createEntity('counterparty', { name: 'Появился', companyType: 'individual', phone: '8 912 000 00 09' });
      account.setBalance(later.id, 42_00);
      fx.clock.advance(31 * MIN);
      await recordClientActivity(api, none);
      await drain();
      expect(await readClientBalance(api, none)).toMatchObject({ balanceKopecks: 42_00, card: 'linked' });
    });
  });
}
