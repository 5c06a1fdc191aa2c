import { expect, it, beforeAll } from 'vitest';
import type { Hono } from 'hono';
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { ManualClock } from '../../src/core/clock.js';
import type { EnqueueRequest, JobEnqueuer } from '../../src/queue/types.js';
import { createApp } from '../../src/server/app.js';
import { ApiTokenService } from '../../src/server/auth.js';
import { migrationStatus } from '../../src/store/migrate.js';
import type { Database } from '../../src/store/schema.js';
import type { Kysely } from 'kysely';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import { forEachDialect, type TestDatabase } from '../helpers/databases.js';

/** Records what the API enqueues (the queue itself is tested in test/queue). */
class RecordingEnqueuer implements JobEnqueuer {
  readonly requests: EnqueueRequest[] = [];
  async enqueue(request: EnqueueRequest) {
    this.requests.push(request);
    return { jobId: `job-${this.requests.length}`, merged: false };
  }
}

/** Makes every INSERT into one table fail, to break a transaction in the middle. */
class FailInsertInto implements KyselyPlugin {
  constructor(private readonly table: string) {}
  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const node = args.node;
    if (node.kind === 'InsertQueryNode' && node.into?.table.identifier.name === this.table) {
      throw new Error(`injected failure: insert into ${this.table}`);
    }
    return node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return args.result;
  }
}

interface Ctx {
  app: Hono;
  token: string;
  enqueuer: RecordingEnqueuer;
  clock: ManualClock;
  db: Kysely<Database>;
  logged: unknown[];
}

function build(tdb: TestDatabase, db: Kysely<Database> = tdb.db): Omit<Ctx, 'token'> {
  const clock = new ManualClock();
  const enqueuer = new RecordingEnqueuer();
  const logged: unknown[] = [];
  const syncs = new SyncRegistry().register({
    kind: 'nomenclature.full', description: 'test', scope: 'integration', runner: async () => ({ status: 'ok' }),
  });
  const app = createApp({
    db, clock, enqueuer, syncs, publicBaseUrl: 'http://shop.test',
    logger: { error: (obj) => logged.push(obj) },
    readiness: { migrationStatus: () => migrationStatus(tdb.db) },
  });
  return { app, enqueuer, clock, db, logged };
}

forEachDialect((getDb) => {
  let ctx: Ctx;
  const call = async (method: string, path: string, body?: unknown, token: string | null = ctx.token) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await ctx.app.request(path, { method, headers, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });
    const text = await res.text();
    let json: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies are asserted field by field
    try { json = JSON.parse(text); } catch { json = text; }
    return { status: res.status, json, headers: res.headers };
  };

  beforeAll(async () => {
    const base = build(getDb());
    const { token } = await new ApiTokenService({ db: getDb().db, clock: base.clock }).create('platform');
    ctx = { ...base, token };
  });

  it('B9 /healthz answers and /readyz reports migrations applied', async () => {
    const h = await call('GET', '/healthz', undefined, null);
    expect(h.status).toBe(200);
    expect(h.json.status).toBe('ok');
    const r = await call('GET', '/readyz', undefined, null);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ status: 'ready', database: 'ok', migrations: { pending: [] } });
  });

  it('B8 every registered /api/v1 route answers 401 without a token, and with a revoked or wrong one', async () => {
    const routes = ctx.app.routes.filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL' && !/openapi\.json|\/docs$/.test(r.path));
    expect(routes.length).toBeGreaterThan(20);
    for (const r of routes) {
      const path = r.path.replace(/:[A-Za-z]+/g, '1');
      const res = await call(r.method, path, r.method === 'GET' ? undefined : {}, null);
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
      expect(res.json.error.code).toBe('unauthorized');
      const bad = await call(r.method, path, r.method === 'GET' ? undefined : {}, 'mse_not-a-token');
      expect(bad.status, `${r.method} ${r.path} with a wrong token`).toBe(401);
    }
    const svc = new ApiTokenService({ db: getDb().db, clock: ctx.clock });
    const t = await svc.create('temp');
    expect((await call('GET', '/api/v1/regions', undefined, t.token)).status).toBe(200);
    expect(await svc.revoke(t.id)).toBe(true);
    expect((await call('GET', '/api/v1/regions', undefined, t.token)).status).toBe(401);
    const stored = await getDb().db.selectFrom('apiTokens').select('tokenHash').execute();
    expect(stored.map((s) => s.tokenHash)).not.toContain(t.token);
  });

  it('B8 the OpenAPI document and its HTML page are served and list every operation', async () => {
    const doc = await call('GET', '/api/v1/openapi.json', undefined, null);
    expect(doc.status).toBe(200);
    expect(doc.json.openapi).toBe('3.1.0');
    expect(Object.keys(doc.json.paths)).toContain('/api/v1/orders/{id}/positions/{positionId}');
    expect(doc.json.components.schemas.OrderCreate.properties.positions).toBeDefined();
    const refs = [...JSON.stringify(doc.json).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(doc.json.components.schemas[ref.slice('#/components/schemas/'.length)], ref).toBeDefined();
    }
    const html = await call('GET', '/api/v1/docs', undefined, null);
    expect(html.status).toBe(200);
    expect(html.json).toContain('PATCH');
    expect(html.json).not.toMatch(/<script|https?:\/\/cdn/i);
  });

  it('B8 bad input never produces a 500: junk bodies and queries on every route get 4xx', async () => {
    const junk: unknown[] = [null, 'text', 42, [], {}, { name: { $gt: '' } }, { positions: [null] }, { quantity: 1e308, priceKopecks: -1 }, { kind: 'customer', positions: [{ quantity: 'NaN' }] }, '{"unterminated": '];
    const routes = ctx.app.routes.filter((r) => r.path.startsWith('/api/v1/') && r.method !== 'ALL' && !/openapi\.json|\/docs$/.test(r.path));
    for (const r of routes) {
      for (const id of ['1', '0', '-1', 'abc', '99999999999999999999', '%00']) {
        const path = r.path.replace(/:[A-Za-z]+/g, id);
        if (r.method === 'GET') {
          const res = await call('GET', `${path}?limit=abc&offset=-5&kind=x&article=${'%'.repeat(3)}`);
          expect(res.status, `GET ${path}`).toBeLessThan(500);
          continue;
        }
        for (const body of junk) {
          const res = await call(r.method, path, typeof body === 'string' && body.startsWith('{') ? body : JSON.stringify(body));
          expect(res.status, `${r.method} ${path} ${JSON.stringify(body)}`).toBeLessThan(500);
          expect(res.json.error.code).toMatch(/^[a-z_]+$/);
        }
      }
    }
    expect(ctx.logged).toEqual([]);
  });

  let regionId: number;
  let clientId: number;
  let supplierId: number;

  it('R8 regions: create, read, update, list; 400 with field messages; 404 for unknown ids', async () => {
    const created = await call('POST', '/api/v1/regions', { name: 'Центральный', code: 'central', isCentral: true });
    expect(created.status).toBe(201);
    regionId = created.json.id;
    const bad = await call('POST', '/api/v1/regions', { name: '', code: 'Bad Code!' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('validation_failed');
    expect(bad.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['code', 'name']);
    expect((await call('GET', '/api/v1/regions/999999')).status).toBe(404);
    expect((await call('GET', '/api/v1/regions/abc')).json.error.code).toBe('not_found');
    const upd = await call('PATCH', `/api/v1/regions/${regionId}`, { name: 'Москва' });
    expect(upd.json).toMatchObject({ id: regionId, name: 'Москва', code: 'central', isCentral: true });
    expect((await call('POST', '/api/v1/regions', { name: 'x', code: 'central' })).status).toBe(409);
  });

  it('R3 clients and suppliers are distinct kinds with validated contacts', async () => {
    const c = await call('POST', '/api/v1/clients', { externalId: 'c-1', name: 'ООО Ромашка', inn: '7701234567', email: 'Shop@Example.ru', phone: '+7 (912) 345-67-89', regionId });
    expect(c.status).toBe(201);
    clientId = c.json.id;
    const s = await call('POST', '/api/v1/suppliers', { externalId: 's-1', name: 'Supplier LLC' });
    supplierId = s.json.id;
    expect((await call('GET', `/api/v1/clients/${supplierId}`)).status).toBe(404);
    const bad = await call('POST', '/api/v1/clients', { externalId: 'c-2', name: 'x', inn: '123', email: 'nope', phone: '12' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details.map((d: { path: string }) => d.path).sort()).toEqual(['email', 'inn', 'phone']);
    const found = await call('GET', '/api/v1/clients?q=89123456789');
    expect(found.json.items.map((i: { id: number }) => i.id)).toEqual([clientId]);
    const upd = await call('PATCH', `/api/v1/clients/${clientId}`, { phone: '8 912 000 00 00' });
    expect(upd.json.phone).toBe('8 912 000 00 00');
  });

  it('R5 invalid order bodies get 400 with field-level paths; malformed JSON is 400 invalid_json, never 500', async () => {
    const bad = await call('POST', '/api/v1/orders', { kind: 'customer', externalId: 'o-bad', regionId, counterpartyId: clientId, positions: [{ brand: 'MAHLE', article: 'OC90', quantity: 0, priceKopecks: 10.5 }] });
    expect(bad.status).toBe(400);
    const paths = bad.json.error.details.map((d: { path: string }) => d.path);
    expect(paths).toContain('positions.0.quantity');
    expect(paths).toContain('positions.0.priceKopecks');
    const broken = await call('POST', '/api/v1/orders', '{"kind": "customer", ');
    expect(broken.status).toBe(400);
    expect(broken.json.error.code).toBe('invalid_json');
    const empty = await call('POST', '/api/v1/orders', '');
    expect(empty.status).toBe(400);
    const arr = await call('POST', '/api/v1/orders', [1, 2]);
    expect(arr.status).toBe(400);
  });

  it('R27 a customer order on a supplier is refused with 422 supplier_not_client', async () => {
    const res = await call('POST', '/api/v1/orders', { kind: 'customer', externalId: 'o-sup', regionId, counterpartyId: supplierId, positions: [{ brand: 'MAHLE', article: 'OC90', quantity: 1, priceKopecks: 50000 }] });
    expect(res.status).toBe(422);
    expect(res.json.error.code).toBe('supplier_not_client');
    expect(await getDb().db.selectFrom('orders').selectAll().where('externalId', '=', 'o-sup').execute()).toEqual([]);
  });

  let orderId: number;
  it('B1 creating an order writes the order, its positions and an outbox row together', async () => {
    const res = await call('POST', '/api/v1/orders', {
      kind: 'customer', externalId: 'o-1', regionId, counterpartyId: clientId, comment: 'позвонить',
      positions: [
        { externalId: 'l1', brand: 'MAHLE', article: 'OC 90', quantity: 2, priceKopecks: 65000 },
        { externalId: 'l2', brand: 'DOLZ', article: 'C110', name: 'Помпа', quantity: 1, priceKopecks: 123456 },
      ],
    });
    expect(res.status).toBe(201);
    orderId = res.json.id;
    expect(res.json.positions).toHaveLength(2);
    expect(res.json.positions[0]).toMatchObject({ article: 'OC 90', priceKopecks: 65000, status: 'active' });
    const outbox = await getDb().db.selectFrom('outbox').selectAll().where('aggregateId', '=', String(orderId)).execute();
    expect(outbox).toHaveLength(1);
    expect(JSON.parse(outbox[0]!.payload)).toMatchObject({ orderId, reason: 'created' });
    const pos = await getDb().db.selectFrom('orderPositions').select('articleNorm').where('orderId', '=', orderId).orderBy('id').execute();
    expect(pos.map((p) => p.articleNorm)).toEqual(['OC90', 'C110']);
    expect((await call('POST', '/api/v1/orders', { kind: 'customer', externalId: 'o-1', regionId, counterpartyId: clientId, positions: [{ brand: 'A', article: 'B', quantity: 1, priceKopecks: 1 }] })).status).toBe(409);
  });

  it('B1 a failure in the middle of an order create leaves no order, no positions and no outbox row', async () => {
    const broken = build(getDb(), getDb().db.withPlugin(new FailInsertInto('outbox')));
    const before = await Promise.all(['orders', 'orderPositions', 'outbox'].map((t) => getDb().db.selectFrom(t as 'orders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()));
    const res = await broken.app.request('/api/v1/orders', {
      method: 'POST',
      headers: { authorization: `Bearer ${ctx.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'customer', externalId: 'o-fail', regionId, counterpartyId: clientId, positions: [{ brand: 'MAHLE', article: 'OC90', quantity: 1, priceKopecks: 100 }] }),
    });
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('internal_error');
    expect(JSON.stringify(body)).not.toContain('injected');
    expect(broken.logged).toHaveLength(1);
    const after = await Promise.all(['orders', 'orderPositions', 'outbox'].map((t) => getDb().db.selectFrom(t as 'orders').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()));
    expect(after.map((a) => Number(a.n))).toEqual(before.map((b) => Number(b.n)));
    expect(await getDb().db.selectFrom('orders').select('id').where('externalId', '=', 'o-fail').execute()).toEqual([]);
  });

  it('R7 changing one position to rejected updates it and queues an outbox row; unknown position 404', async () => {
    const order = (await call('GET', `/api/v1/orders/${orderId}`)).json;
    const pid = order.positions[1].id;
    const res = await call('PATCH', `/api/v1/orders/${orderId}/positions/${pid}`, { status: 'rejected' });
    expect(res.status).toBe(200);
    expect(res.json.positions[1].status).toBe('rejected');
    const outbox = await getDb().db.selectFrom('outbox').selectAll().where('aggregateId', '=', String(orderId)).orderBy('id').execute();
    expect(outbox.map((o) => o.kind)).toEqual(['order.export', 'order.position_status']);
    expect((await call('PATCH', `/api/v1/orders/${orderId}/positions/999999`, { status: 'rejected' })).status).toBe(404);
    const bad = await call('PATCH', `/api/v1/orders/${orderId}/positions/${pid}`, { status: 'lost' });
    expect(bad.status).toBe(400);
    expect(bad.json.error.details[0].path).toBe('status');
    expect((await call('PATCH', '/api/v1/orders/999999', { comment: 'x' })).status).toBe(404);
  });

  it('R5 updating an order replaces positions by externalId and queues an export in the same transaction', async () => {
    const res = await call('PATCH', `/api/v1/orders/${orderId}`, { comment: 'ok', positions: [{ externalId: 'l1', brand: 'MAHLE', article: 'OC90', quantity: 3, priceKopecks: 65000 }, { externalId: 'l3', brand: 'NGK', article: 'BKR6E', quantity: 4, priceKopecks: 30000 }] });
    expect(res.status).toBe(200);
    const byExt = Object.fromEntries(res.json.positions.map((p: { externalId: string; status: string; quantity: number }) => [p.externalId, p]));
    expect(byExt.l1).toMatchObject({ quantity: 3, status: 'active' });
    expect(byExt.l2.status).toBe('rejected');
    expect(byExt.l3.status).toBe('active');
    expect((await call('GET', '/api/v1/orders?kind=customer')).json.total).toBe(1);
  });

  it('R11 price lists: rows as JSON and CSV in roubles; frequency needs a bound store (R12); forced sync enqueues (R13)', async () => {
    const unbound = await call('POST', '/api/v1/price-lists', { regionId, name: 'Склад', syncIntervalMinutes: 60 });
    expect(unbound.status).toBe(422);
    const pl = await call('POST', '/api/v1/price-lists', { regionId, name: 'Склад; основной', msStoreId: 'store-1', syncIntervalMinutes: 60, deliveryDays: 2 });
    expect(pl.status).toBe(201);
    expect(pl.json.csvUrl).toBe(`http://shop.test/api/v1/price-lists/${pl.json.id}/export.csv`);
    await getDb().db.insertInto('priceListRows').values([
      { priceListId: pl.json.id, generation: 0, productId: null, msProductId: 'p1', brand: 'MAHLE', article: 'OC 90', articleNorm: 'OC90', name: 'Фильтр; масляный', quantity: 5, price: 123456 },
      { priceListId: pl.json.id, generation: 0, productId: null, msProductId: 'p2', brand: 'DOLZ', article: 'C110', articleNorm: 'C110', name: 'Помпа', quantity: 1.5, price: 5 },
    ]).execute();
    // as the stock sync leaves it: the list's row count is that of its current generation
    await getDb().db.updateTable('priceLists').set({ rowCount: 2 }).where('id', '=', pl.json.id).execute();
    const rows = await call('GET', `/api/v1/price-lists/${pl.json.id}/rows?article=oc-90`);
    expect(rows.json).toMatchObject({ total: 1, items: [{ brand: 'MAHLE', priceKopecks: 123456, quantity: 5 }] });
    const csv = await ctx.app.request(`/api/v1/price-lists/${pl.json.id}/export.csv`, { headers: { authorization: `Bearer ${ctx.token}` } });
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect((await csv.text()).split('\r\n')).toEqual([
      'brand;article;name;quantity;price;delivery_days',
      'MAHLE;OC 90;"Фильтр; масляный";5;1234.56;2',
      'DOLZ;C110;Помпа;1.5;0.05;2',
      '',
    ]);
    const sync = await call('POST', `/api/v1/price-lists/${pl.json.id}/sync`);
    expect(sync.status).toBe(202);
    expect(ctx.enqueuer.requests.at(-1)).toMatchObject({ kind: 'stock.full', priceListId: pl.json.id, trigger: 'api' });
    expect((await call('POST', '/api/v1/price-lists/999999/sync')).status).toBe(404);
  });

  it('R31 the client balance is one figure from the store ledger while balance sync is off', async () => {
    await getDb().db.insertInto('balanceRecords').values([
      { counterpartyId: clientId, amount: 100000, kind: 'payment', note: null, createdAt: ctx.clock.now().toISOString() },
      { counterpartyId: clientId, amount: -2550, kind: 'order', note: null, createdAt: ctx.clock.now().toISOString() },
    ]).execute();
    const res = await call('GET', `/api/v1/clients/${clientId}/balance`);
    expect(res.json).toEqual({ clientId, balanceKopecks: 97450, balance: '974.50', source: 'store', readAt: null, problem: null, card: null });
    expect((await call('GET', `/api/v1/clients/${supplierId}/balance`)).status).toBe(404);
    const act = await call('POST', `/api/v1/clients/${clientId}/activity`);
    expect(act.json).toMatchObject({ refreshQueued: false });
  });

  it('R15 catalog search by brand and normalized article with paging; categories as a tree (R2)', async () => {
    const db = getDb().db;
    const now = ctx.clock.now().toISOString();
    const acc = await db.insertInto('msAccounts').values({ label: 'demo', authKind: 'password', login: 'admin@demo', credentialKey: 'admin@demo', secretEnc: 'v1:x', baseUrl: 'http://emu', moyskladAccountId: null, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
    const root = await db.insertInto('categories').values({ parentId: null, name: 'Двигатель', msAccountId: null, msFolderId: null, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
    await db.insertInto('categories').values({ parentId: root.id, name: 'Фильтры', msAccountId: null, msFolderId: null, createdAt: now, updatedAt: now }).execute();
    const mk = (i: number, brand: string, article: string) => ({ msAccountId: acc.id, msId: `ms-${i}`, brand, brandNorm: brand.toUpperCase(), article, articleNorm: article.replace(/\W/g, '').toUpperCase(), code: `${brand} ${article}`, name: `Part ${i}`, description: null, categoryId: root.id, msFolderId: null, msUpdated: null, skipReason: null, createdAt: now, updatedAt: now });
    await db.insertInto('products').values([mk(1, 'MAHLE', 'OC 90'), mk(2, 'MAHLE', 'OC 91'), mk(3, 'DOLZ', 'C110')]).execute();
    const page = await call('GET', '/api/v1/catalog/products?brand=mahle&limit=1&offset=1');
    expect(page.json).toMatchObject({ total: 2, limit: 1, offset: 1, items: [{ article: 'OC 91' }] });
    const byArticle = await call('GET', '/api/v1/catalog/products?article=oc-90');
    expect(byArticle.json.items.map((p: { article: string }) => p.article)).toEqual(['OC 90']);
    expect((await call('GET', '/api/v1/catalog/products?limit=0')).status).toBe(400);
    expect((await call('GET', '/api/v1/catalog/products/999999')).status).toBe(404);
    const tree = await call('GET', '/api/v1/categories');
    expect(tree.json.items[0]).toMatchObject({ name: 'Двигатель', children: [{ name: 'Фильтры', children: [] }] });
  });

  it('C4 the order-export options of an integration are read and switched through the API; reserving is on by default', async () => {
    const db = getDb().db;
    const now = ctx.clock.now().toISOString();
    const region = await db.insertInto('regions').values({ name: 'Казань', code: 'kzn', isCentral: 0, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
    const acc = await db.insertInto('msAccounts').values({ label: 'kzn', authKind: 'password', login: 'kzn@demo', credentialKey: 'kzn@demo', secretEnc: 'v1:x', baseUrl: 'http://emu', moyskladAccountId: null, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
    const integration = await db.insertInto('integrations').values({ regionId: region.id, msAccountId: acc.id, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
    const path = `/api/v1/integrations/${integration.id}/order-options`;
    expect((await call('GET', path)).json).toEqual({ integrationId: integration.id, exportPurchaseOrders: false, deleteRejectedPositions: false, reservePositions: true });
    const patched = await call('PATCH', path, { reservePositions: false, deleteRejectedPositions: true });
    expect([patched.status, patched.json]).toEqual([200, { integrationId: integration.id, exportPurchaseOrders: false, deleteRejectedPositions: true, reservePositions: false }]);
    expect((await db.selectFrom('integrations').select(['reservePositions', 'deleteRejectedPositions', 'active']).where('id', '=', integration.id).executeTakeFirstOrThrow())).toEqual({ reservePositions: 0, deleteRejectedPositions: 1, active: 0 });
    const bad = await call('PATCH', path, { reservePositions: 'yes', active: true });
    expect(bad.status).toBe(400);
    expect((await call('GET', '/api/v1/integrations/999999/order-options')).status).toBe(404);
  });
});
