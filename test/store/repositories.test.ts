import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { OrderService } from '../../src/app/order-service.js';
import { ManualClock } from '../../src/core/clock.js';
import { ConflictError, NotFoundError, ValidationError } from '../../src/core/errors.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { createRepositories } from '../../src/store/repositories.js';
import { checkpointScope } from '../../src/store/repositories/checkpoint-repository.js';
import { ProductRepository } from '../../src/store/repositories/product-repository.js';
import { forEachDialect } from '../helpers/databases.js';

const box = new SecretBox(randomBytes(32));

describe('repositories', () => {
  forEachDialect((getDb) => {
    const setup = () => {
      const clock = new ManualClock({ start: '2026-11-29T09:00:00Z' });
      return { clock, repos: createRepositories(getDb().db, clock, box), db: getDb().db };
    };
    let seq = 0;
    const uniq = (p: string) => `${p}-${++seq}-${randomBytes(3).toString('hex')}`;

    async function integrationFixture() {
      const { repos, clock, db } = setup();
      const region = await repos.regions.create({ name: 'Филиал', code: uniq('r') });
      const account = await repos.msAccounts.upsert({ authKind: 'password', login: uniq('admin@shop'), secret: 'pw', baseUrl: 'http://127.0.0.1:1/api/remap/1.2' });
      const integration = await repos.integrations.create({ regionId: region.id, msAccountId: account.id });
      return { repos, clock, db, region, account, integration };
    }

    it('R8 ensureCentralRegion creates the central region once', async () => {
      const { repos } = setup();
      const a = await repos.regions.ensureCentralRegion();
      const b = await repos.regions.ensureCentralRegion();
      expect(a.id).toBe(b.id);
      expect(a.isCentral).toBe(true);
      expect(a.createdAt).toBe('2026-11-29T09:00:00.000Z');
      await expect(repos.regions.create({ name: 'x', code: 'central' })).rejects.toBeInstanceOf(ConflictError);
      await expect(repos.regions.get(987654)).rejects.toBeInstanceOf(NotFoundError);
      await expect(repos.regions.update(987654, { name: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    });

    it('R8 one MoySklad account per login, shared; secret encrypted and never in the domain object', async () => {
      const { repos, db } = setup();
      const login = uniq('Admin@Shop');
      const base = 'http://127.0.0.1:1/api/remap/1.2/';
      const a = await repos.msAccounts.upsert({ authKind: 'password', login, secret: 'first-secret', baseUrl: base });
      const b = await repos.msAccounts.upsert({ authKind: 'password', login: login.toLowerCase(), secret: 'second-secret', baseUrl: base });
      expect(b.id).toBe(a.id);
      expect(JSON.stringify(b)).not.toContain('secret');
      expect((await repos.msAccounts.credentials(a.id)).secret).toBe('second-secret');
      const raw = await db.selectFrom('msAccounts').select('secretEnc').where('id', '=', a.id).executeTakeFirstOrThrow();
      expect(raw.secretEnc.startsWith('v1:')).toBe(true);
      expect(raw.secretEnc).not.toContain('second-secret');
      const t = await repos.msAccounts.upsert({ authKind: 'user_token', secret: 'tok-123456', baseUrl: base });
      expect(t.id).not.toBe(a.id);
      expect(t.login).toBeNull();
      expect((await repos.msAccounts.upsert({ authKind: 'user_token', secret: 'tok-123456', baseUrl: base })).id).toBe(t.id);
    });

    it('R9 integration options round-trip as booleans; one integration per region', async () => {
      const { repos, region, account, integration } = await integrationFixture();
      expect(integration.status).toBe('draft');
      expect(integration.active).toBe(false);
      const u = await repos.integrations.update(integration.id, {
        organizationMsId: 'org-1',
        organizationName: 'ООО Ромашка',
        active: true,
        exportPurchaseOrders: true,
        deleteRejectedPositions: true,
        importPhotos: true,
        rootFolderMsId: 'folder-1',
        categorySyncEnabled: true,
        balanceSyncEnabled: true,
      });
      expect(u).toMatchObject({ active: true, exportPurchaseOrders: true, importPhotos: true, balanceSyncEnabled: true, rootFolderMsId: 'folder-1' });
      expect((await repos.integrations.listActive()).map((i) => i.id)).toContain(integration.id);
      await expect(repos.integrations.create({ regionId: region.id, msAccountId: account.id })).rejects.toMatchObject({ code: 'integration_exists' });
      const failed = await repos.integrations.setStatus(integration.id, 'error', 'auth_failed', 'Неверный логин', { deactivate: true });
      expect(failed).toMatchObject({ status: 'error', statusCode: 'auth_failed', active: false });
    });

    it('R12 a sync interval needs a bound store; unbinding clears it', async () => {
      const { repos, region } = await integrationFixture();
      await expect(repos.priceLists.create({ regionId: region.id, name: 'P', syncIntervalMinutes: 15 })).rejects.toBeInstanceOf(ValidationError);
      const pl = await repos.priceLists.create({ regionId: region.id, name: 'P' });
      expect(pl).toMatchObject({ stockType: 'quantity', generation: 0, rowCount: 0, msStoreId: null });
      await expect(repos.priceLists.update(pl.id, { syncIntervalMinutes: 10 })).rejects.toBeInstanceOf(ValidationError);
      const bound = await repos.priceLists.update(pl.id, { msStoreId: 'store-1', syncIntervalMinutes: 10 });
      expect(bound.syncIntervalMinutes).toBe(10);
      expect((await repos.priceLists.listScheduled()).map((p) => p.id)).toContain(pl.id);
      const unbound = await repos.priceLists.update(pl.id, { msStoreId: null });
      expect(unbound.syncIntervalMinutes).toBeNull();
    });

    it('R11 price-list rows are swapped atomically; readers see old or new, never a mix', async () => {
      const { repos, region, clock } = await integrationFixture();
      const pl = await repos.priceLists.create({ regionId: region.id, name: 'Swap', msStoreId: 's' });
      const make = (n: number, price: number) =>
        Array.from({ length: n }, (_, i) => ({ msProductId: `p${i}`, brand: 'MAHLE', article: `OC-${i}`, name: `Filter ${i}`, quantity: 1.5, price }));
      const first = await repos.priceLists.replaceRows(pl.id, make(3000, 100));
      expect({ generation: first.generation, rowCount: first.rowCount }).toEqual({ generation: 1, rowCount: 3000 });
      const rows = await repos.priceLists.listRows(pl.id, { limit: 2 });
      expect(rows[0]).toMatchObject({ msProductId: 'p0', articleNorm: 'OC0', quantity: 1.5, price: 100 });
      const swap = repos.priceLists.replaceRows(pl.id, make(5000, 200));
      const seen = new Set<string>();
      for (let i = 0; i < 20; i++) {
        const all = await repos.priceLists.listRows(pl.id);
        const prices = new Set(all.map((r) => r.price));
        expect(prices.size).toBe(1);
        seen.add(`${all.length}@${[...prices][0]}`);
      }
      await swap;
      for (const s of seen) expect(['3000@100', '5000@200']).toContain(s);
      const after = await repos.priceLists.get(pl.id);
      expect(after).toMatchObject({ generation: 2, rowCount: 5000, lastSyncAt: '2026-11-29T09:00:00.000Z' });
      // The previous generation is kept until the next swap starts.
      const total = await getDb().db.selectFrom('priceListRows').select((eb) => eb.fn.countAll<number>().as('n')).where('priceListId', '=', pl.id).executeTakeFirstOrThrow();
      expect(Number(total.n)).toBe(3000 + 5000);
      let paged = 0;
      for await (const page of repos.priceLists.iterateRows(pl.id, 1500)) paged += page.length;
      expect(paged).toBe(5000);
      // Two swaps during one export delete the pinned generation: the export fails, never mixes.
      const it2 = repos.priceLists.iterateRows(pl.id, 1500);
      expect((await it2.next()).done).toBe(false);
      await repos.priceLists.replaceRows(pl.id, make(5000, 300));
      await repos.priceLists.replaceRows(pl.id, make(5000, 400));
      await expect((async () => { for (let p = await it2.next(); !p.done; p = await it2.next()) { /* drain */ } })()).rejects.toMatchObject({ code: 'price_list_swapped' });
      await repos.priceLists.patchRows(pl.id, { upserts: [{ msProductId: 'p1', brand: 'MAHLE', article: 'OC-1', name: 'F', quantity: 0, price: 1 }], removeMsProductIds: ['p2'] });
      expect((await repos.priceLists.get(pl.id)).rowCount).toBe(4999);
      expect((await repos.priceLists.listRows(pl.id, { articleNorm: 'OC1' }))[0]).toMatchObject({ quantity: 0, price: 1 });
      // A quantity by row id only; the generation stays, and a reader paging through it fails rather than mixing.
      const p3 = (await repos.priceLists.listRows(pl.id, { articleNorm: 'OC3' }))[0]!;
      const paging = repos.priceLists.iterateRows(pl.id, 1500);
      expect((await paging.next()).done).toBe(false);
      clock.advance(1000);
      const patched = await repos.priceLists.patchRows(pl.id, { quantities: [{ id: p3.id, quantity: 42 }] });
      expect(patched).toMatchObject({ generation: 4, rowCount: 4999 });
      expect((await repos.priceLists.listRows(pl.id, { articleNorm: 'OC3' }))[0]).toMatchObject({ quantity: 42, price: 400, name: 'Filter 3' });
      await expect(paging.next()).rejects.toMatchObject({ code: 'price_list_swapped' });
      // A patch guarded by a generation that is no longer current changes nothing.
      await expect(repos.priceLists.patchRows(pl.id, { quantities: [{ id: p3.id, quantity: 1 }] }, { fromGeneration: 3 })).rejects.toMatchObject({ code: 'price_list_swap_conflict' });
      expect((await repos.priceLists.listRows(pl.id, { articleNorm: 'OC3' }))[0]).toMatchObject({ quantity: 42 });
    });

    it('R11 swaps a 100,000-row price list atomically (measured)', async (ctx) => {
      const { repos, region } = await integrationFixture();
      const pl = await repos.priceLists.create({ regionId: region.id, name: 'Big', msStoreId: 's' });
      const rows = (price: number) =>
        Array.from({ length: 100_000 }, (_, i) => ({ msProductId: `m${i}`, brand: 'BOSCH', article: `0 986 ${i}`, name: `Part ${i}`, quantity: i % 7, price }));
      const t0 = performance.now();
      await repos.priceLists.replaceRows(pl.id, rows(100));
      const firstMs = performance.now() - t0;
      let exported = 0;
      const oldPrices = new Set<number | null>();
      const iterator = repos.priceLists.iterateRows(pl.id, 20_000);
      const firstPage = await iterator.next();
      if (!firstPage.done) for (const r of firstPage.value) oldPrices.add(r.price);
      exported += firstPage.done ? 0 : firstPage.value.length;
      const t1 = performance.now();
      await repos.priceLists.replaceRows(pl.id, rows(200));
      const swapMs = performance.now() - t1;
      // The export pinned generation 1, which survives one swap: it finishes with the old list only.
      for (let page = await iterator.next(); !page.done; page = await iterator.next()) {
        exported += page.value.length;
        for (const r of page.value) oldPrices.add(r.price);
      }
      expect(exported).toBe(100_000);
      expect([...oldPrices]).toEqual([100]);
      console.info(`[${ctx.task.suite?.name}] 100k price-list rows: first load ${firstMs.toFixed(0)} ms, swap ${swapMs.toFixed(0)} ms`);
      const pageSample = await repos.priceLists.listRows(pl.id, { limit: 3 });
      expect(pageSample.every((r) => r.price === 200)).toBe(true);
      expect((await repos.priceLists.get(pl.id)).rowCount).toBe(100_000);
      let n = 0;
      for await (const page of repos.priceLists.iterateRows(pl.id, 25_000)) n += page.length;
      expect(n).toBe(100_000);
    });

    it('R15 bulk product upsert overwrites by MoySklad id and finds by brand + article', async () => {
      const { repos, account, clock } = await integrationFixture();
      const n = await repos.products.upsertMany(account.id, [
        { msId: 'a', brand: 'Febi  bilstein', article: '0 986-452.041', name: 'A', code: 'FEBI 0986452041' },
        { msId: 'b', brand: 'MAHLE', article: 'OC90', name: 'B', description: 'd' },
      ]);
      expect(n).toBe(2);
      const found = await repos.products.findByBrandArticle(account.id, 'FEBI BILSTEIN', '0986452041');
      expect(found.map((p) => p.msId)).toEqual(['a']);
      clock.advance(60_000);
      const runStart = clock.now().toISOString();
      await repos.products.upsertMany(account.id, [{ msId: 'a', brand: 'FEBI', article: 'X1', name: 'A2' }]);
      const a = await repos.products.findByMsId(account.id, 'a');
      expect(a).toMatchObject({ name: 'A2', brand: 'FEBI', articleNorm: 'X1', createdAt: '2026-11-29T09:00:00.000Z', updatedAt: runStart, deleted: 0 });
      expect(await repos.products.markMissingDeleted(account.id, runStart)).toBe(1);
      expect(await repos.products.count(account.id)).toBe(1);
      expect((await repos.products.idsByMsIds(account.id, ['a', 'b', 'zzz'])).size).toBe(2);
    });

    it('R15 bulk upsert inside a caller transaction (Kysely path) equals the fast path, and rolls back with it', async () => {
      const { account, clock, db, repos } = await integrationFixture();
      const items = [
        { msId: 'tx-1', brand: 'Febi  bilstein', article: '0 986-452.041', name: 'A', code: 'FEBI 0986452041', archived: true },
        { msId: 'tx-2', brand: 'MAHLE', article: 'OC90', name: 'B', msUpdated: '2026-11-28T10:00:00.000Z' },
      ];
      await db.transaction().execute(async (tx) => {
        await new ProductRepository(tx, clock).upsertMany(account.id, items);
      });
      const viaTx = await repos.products.list(account.id, { includeDeleted: true });
      await expect(
        db.transaction().execute(async (tx) => {
          await new ProductRepository(tx, clock).upsertMany(account.id, [{ msId: 'tx-3', brand: 'X', article: 'Y', name: 'Z' }]);
          throw new Error('rollback');
        }),
      ).rejects.toThrow('rollback');
      expect(await repos.products.findByMsId(account.id, 'tx-3')).toBeNull();
      const other = await repos.msAccounts.upsert({ authKind: 'password', login: uniq('fast'), secret: 'pw', baseUrl: 'http://127.0.0.1:1' });
      await repos.products.upsertMany(other.id, items);
      const viaRoot = await repos.products.list(other.id, { includeDeleted: true });
      const strip = (p: Record<string, unknown>) => ({ ...p, id: 0, msAccountId: 0 });
      expect(viaRoot.map(strip)).toEqual(viaTx.map(strip));
      expect(viaTx[0]).toMatchObject({ brandNorm: 'FEBI BILSTEIN', articleNorm: '0986452041', archived: 1, deleted: 0, syncState: 'ok' });
    });

    it('R15 bulk upsert writes ≥10k products/s on SQLite (measured)', async (ctx) => {
      const { repos, account } = await integrationFixture();
      const items = Array.from({ length: 20_000 }, (_, i) => ({ msId: `bulk-${i}`, brand: 'BOSCH', article: `0 986 ${i}`, name: `Part ${i}`, code: `BOSCH 0986${i}` }));
      // Wall time depends on how loaded the machine is (parallel suites on 2 cores); the
      // assertion uses this process's CPU time, which is what the upsert itself costs.
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await repos.products.upsertMany(account.id, items);
      const insertMs = performance.now() - t0;
      const t1 = performance.now();
      await repos.products.upsertMany(account.id, items);
      const updateMs = performance.now() - t1;
      const cpu = process.cpuUsage(cpu0);
      const cpuMs = (cpu.user + cpu.system) / 1000;
      const wallRate = Math.round(20_000 / (Math.max(insertMs, updateMs) / 1000));
      const cpuRate = Math.round(40_000 / (cpuMs / 1000));
      console.info(
        `[${ctx.task.suite?.name}] products upsert: insert 20k in ${insertMs.toFixed(0)} ms, update 20k in ${updateMs.toFixed(0)} ms wall (~${wallRate} rows/s); ${cpuMs.toFixed(0)} ms CPU for 40k (~${cpuRate} rows/s)`,
      );
      expect(await repos.products.count(account.id)).toBe(20_000);
      if (getDb().dialect === 'sqlite') expect(cpuRate).toBeGreaterThanOrEqual(10_000);
    });

    it('B6 counterparties store normal forms; R27 a customer order cannot go to a supplier', async () => {
      const { repos, region, account, db, clock } = await integrationFixture();
      const client = await repos.counterparties.create({ kind: 'client', externalId: uniq('c'), name: 'Иван', regionId: region.id, inn: ' 7707083893 ', email: ' Ivan@Mail.RU ', phone: '+7 (912) 345-67-89', companyType: 'individual' });
      expect(client).toMatchObject({ innNorm: '7707083893', emailNorm: 'ivan@mail.ru', phoneNorm: '+79123456789', companyType: 'individual' });
      await expect(repos.counterparties.create({ kind: 'client', externalId: client.externalId, name: 'dup' })).rejects.toMatchObject({ code: 'counterparty_exists' });
      const updated = await repos.counterparties.update(client.id, { phone: '8 912 345 67 00' });
      expect(updated.phoneNorm).toBe('+79123456700');
      expect(updated.emailNorm).toBe('ivan@mail.ru');
      const supplier = await repos.counterparties.create({ kind: 'supplier', externalId: uniq('s'), name: 'Поставщик' });
      await expect(
        new OrderService({ db, clock }).create({ kind: 'customer', externalId: uniq('o'), regionId: region.id, counterpartyId: supplier.id, positions: [] }),
      ).rejects.toMatchObject({ code: 'supplier_not_client', status: 422 });
      const link = await repos.counterparties.link(client.id, account.id, 'ms-cp-1', 'inn');
      expect(link.matchedBy).toBe('inn');
      expect((await repos.counterparties.link(client.id, account.id, 'ms-cp-2', 'id')).msCounterpartyId).toBe('ms-cp-2');
      expect((await repos.counterparties.findLink(client.id, account.id))?.msCounterpartyId).toBe('ms-cp-2');
    });

    it("C13 stored phone keys are E.164 read with the region's country, and follow a change of region or country", async () => {
      const { repos, region } = await integrationFixture();
      const minsk = await repos.regions.create({ name: 'Минск', code: uniq('by'), country: 'BY', timeZone: 'Europe/Minsk' });
      const by = await repos.counterparties.create({ kind: 'client', externalId: uniq('c'), name: 'Клиент BY', regionId: minsk.id, phone: '8 029 123-45-67 доб. 3' });
      const ru = await repos.counterparties.create({ kind: 'client', externalId: uniq('c'), name: 'Клиент RU', regionId: region.id, phone: '495 331 22 33' });
      const none = await repos.counterparties.create({ kind: 'client', externalId: uniq('c'), name: 'Без региона', phone: '8 (912) 345-67-89' });
      expect([by.phoneNorm, ru.phoneNorm, none.phoneNorm]).toEqual(['+375291234567', '+74953312233', '+79123456789']);
      // Moving the Belarusian client to a Russian region reads its stored number again.
      expect((await repos.counterparties.update(by.id, { regionId: region.id })).phoneNorm).toBe(null);
      expect((await repos.counterparties.update(by.id, { regionId: minsk.id })).phoneNorm).toBe('+375291234567');
      // A region whose country changes gets its clients' keys recomputed.
      await repos.regions.update(region.id, { country: 'BY' });
      expect(await repos.counterparties.renormalizeRegionPhones(region.id)).toBe(1);
      expect((await repos.counterparties.get(ru.id)).phoneNorm).toBe(null);
      await repos.regions.update(region.id, { country: 'RU' });
      expect(await repos.counterparties.renormalizeRegionPhones(region.id)).toBe(1);
      expect((await repos.counterparties.get(ru.id)).phoneNorm).toBe('+74953312233');
    });

    it('B1 an order, its positions and its export job are written in one transaction', async () => {
      const { repos, region, integration, db } = await integrationFixture();
      const client = await repos.counterparties.create({ kind: 'client', externalId: uniq('c'), name: 'К' });
      const externalId = uniq('ord');
      const order = await repos.orders.create({
        kind: 'customer',
        externalId,
        regionId: region.id,
        counterpartyId: client.id,
        positions: [
          { externalId: 'l1', brand: 'MAHLE', article: 'OC 90', name: 'Фильтр', quantity: 2, price: 65000 },
          { externalId: 'l2', brand: 'DOLZ', article: 'C110', name: 'Помпа', quantity: 1, price: 123456 },
        ],
      });
      expect(order.syncId).toMatch(/^[0-9a-f-]{36}$/);
      expect(order.positions.map((p) => [p.articleNorm, p.price, p.status])).toEqual([['OC90', 65000, 'active'], ['C110', 123456, 'active']]);
      const jobs = await db.selectFrom('outbox').selectAll().where('aggregateType', '=', 'order').where('aggregateId', '=', String(order.id)).execute();
      expect(jobs).toHaveLength(1);
      expect(jobs[0]).toMatchObject({ kind: 'order.export', integrationId: integration.id, state: 'pending', dedupeKey: `order.export:${order.id}` });
      // A second change of a kind while its row is pending does not add a row.
      await repos.orders.setPositionStatus(order.id, { externalId: 'l2' }, 'rejected');
      await repos.orders.setPositionStatus(order.id, { externalId: 'l2' }, 'rejected');
      expect((await repos.outbox.listFor('order', order.id)).map((r) => r.kind)).toEqual(['order.export', 'order.position_status']);
      expect((await repos.orders.get(order.id)).positions[1]?.status).toBe('rejected');
      // Once claimed, a new change enqueues a fresh job.
      expect(await repos.outbox.claim(jobs[0]!.id)).toBe(true);
      expect(await repos.outbox.claim(jobs[0]!.id)).toBe(false);
      await repos.orders.update(order.id, { comment: 'позвонить', positions: [{ externalId: 'l3', brand: 'A', article: 'B', name: 'C', quantity: 1, price: 1 }] });
      expect(await repos.outbox.listFor('order', order.id)).toHaveLength(3);
      expect((await repos.orders.get(order.id)).positions).toHaveLength(3);
      await expect(repos.orders.setPositionStatus(order.id, { externalId: 'nope' }, 'withdrawn')).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        repos.orders.create({ kind: 'customer', externalId, regionId: region.id, counterpartyId: client.id, positions: [] }),
      ).rejects.toMatchObject({ code: 'order_exists' });
      // A failing create leaves nothing behind (same transaction).
      const before = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      await expect(
        repos.orders.create({
          kind: 'customer',
          externalId: uniq('ord'),
          regionId: region.id,
          counterpartyId: client.id,
          positions: [
            { externalId: 'x', brand: 'A', article: 'B', name: 'C', quantity: 1, price: 1 },
            { externalId: 'x', brand: 'A', article: 'B', name: 'C', quantity: 1, price: 1 },
          ],
        }),
      ).rejects.toBeInstanceOf(ValidationError);
      const after = await db.selectFrom('outbox').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      expect(Number(after.n)).toBe(Number(before.n));
      await repos.orders.markExported(order.id, 1, 'ms-order-1');
      expect(await repos.orders.findByExternalId('customer', externalId)).toMatchObject({ exportState: 'sent', msOrderId: 'ms-order-1' });
    });

    it('B9 sync runs record status, counts and duration on the clock', async () => {
      const { repos, integration, clock } = await integrationFixture();
      const run = await repos.syncRuns.start({ integrationId: integration.id, kind: 'nomenclature', trigger: 'manual' });
      expect(run.status).toBe('running');
      clock.advance(90_500);
      const done = await repos.syncRuns.finish(run.id, { status: 'partial', counts: { created: 3, skipped: 1 }, requests: 4, errors: 1, message: 'one skipped' });
      expect(done).toMatchObject({ status: 'partial', durationMs: 90_500, counts: { created: 3, skipped: 1 }, requests: 4, errors: 1 });
      expect((await repos.syncRuns.lastSuccessful('nomenclature', { integrationId: integration.id }))?.id).toBe(run.id);
      expect((await repos.syncRuns.list({ integrationId: integration.id }))[0]?.id).toBe(run.id);
    });

    it('B3 checkpoints are upserted per scope and kind; webhook ids processed once', async () => {
      const { repos, account } = await integrationFixture();
      const scope = checkpointScope.msAccount(account.id);
      expect(await repos.checkpoints.get(scope, 'products')).toBeNull();
      await repos.checkpoints.set(scope, 'products', { updatedFrom: '2026-11-29 12:00:00' });
      await repos.checkpoints.set(scope, 'products', { updatedFrom: '2026-11-29 13:00:00' });
      expect(await repos.checkpoints.get(scope, 'products')).toEqual({ updatedFrom: '2026-11-29 13:00:00' });
      const rid = uniq('req');
      expect(await repos.webhookReceipts.recordOnce(rid, account.id)).toBe(true);
      expect(await repos.webhookReceipts.recordOnce(rid, account.id)).toBe(false);
    });

    it('R30 balance refresh is due at most once per 30 minutes; R31 ledger kept', async () => {
      const { repos, account, clock } = await integrationFixture();
      const client = await repos.counterparties.create({ kind: 'client', externalId: uniq('c'), name: 'Б' });
      await repos.balances.addRecord(client.id, 150_000, 'payment');
      await repos.balances.addRecord(client.id, -50_001, 'order');
      expect(await repos.balances.ledgerBalance(client.id)).toBe(99_999);
      expect(await repos.balances.touchActivity(client.id, account.id)).toBe(true);
      await repos.balances.saveMsBalance(client.id, account.id, -12_345);
      clock.advance(29 * 60_000);
      expect(await repos.balances.touchActivity(client.id, account.id)).toBe(false);
      clock.advance(60_000);
      expect(await repos.balances.touchActivity(client.id, account.id)).toBe(true);
      expect(await repos.balances.getMsBalance(client.id, account.id)).toMatchObject({ balance: -12_345, readAt: '2026-11-29T09:00:00.000Z' });
    });

    it('R14 log entries are filtered by price list, level and time', async () => {
      const { repos, region } = await integrationFixture();
      const pl = await repos.priceLists.create({ regionId: region.id, name: 'L' });
      await repos.logEntries.insert({ at: '2026-11-29T10:00:00.000Z', level: 'info', priceListId: pl.id, kind: 'stock', message: 'ok', details: { rows: 5 } });
      await repos.logEntries.insert({ at: '2026-11-29T11:00:00.000Z', level: 'error', priceListId: pl.id, kind: 'stock', message: 'failed' });
      const errors = await repos.logEntries.list({ priceListId: pl.id, level: 'warn' });
      expect(errors.map((e) => e.message)).toEqual(['failed']);
      const all = await repos.logEntries.list({ priceListId: pl.id, since: '2026-11-29T09:30:00.000Z', until: '2026-11-29T10:30:00.000Z' });
      expect(all).toHaveLength(1);
      expect(all[0]?.details).toEqual({ rows: 5 });
    });

    it('R2 folder categories upsert and archive outside the root', async () => {
      const { repos, account } = await integrationFixture();
      const root = await repos.categories.upsertFolder(account.id, 'f-root', { name: 'Запчасти', parentId: null });
      const child = await repos.categories.upsertFolder(account.id, 'f-child', { name: 'Фильтры', parentId: root.id });
      const again = await repos.categories.upsertFolder(account.id, 'f-child', { name: 'Фильтры масляные', parentId: root.id });
      expect(again.id).toBe(child.id);
      expect(again.name).toBe('Фильтры масляные');
      expect(await repos.categories.archiveFoldersExcept(account.id, ['f-root'])).toBe(1);
      expect((await repos.categories.list({ msAccountId: account.id })).map((c) => c.msFolderId)).toEqual(['f-root']);
    });
  });
});
