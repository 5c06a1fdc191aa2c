/**
 * MoySkladClient against the emulator over HTTP (in-process `emulator.fetch`, and one test over a
 * real loopback port with the global fetch). No fake client, no real sleeping: one ManualClock in
 * autoAdvance mode is shared by the emulator and the client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import {
  AdaptiveLimiter,
  MoySkladAuthError,
  MoySkladClient,
  MoySkladError,
  productSchema,
  ref,
  type MsProductCreate,
} from '../../src/moysklad/index.js';
import { listOf } from '../../src/moysklad/schemas/list.js';
import { harness, type Harness } from './helpers.js';

const PASSWORD_CREDS = { kind: 'password', login: 'admin@demo', password: 'demo' } as const;

let current: Harness | undefined;
afterEach(async () => {
  await current?.emulator.close();
  current = undefined;
});

function setup(...args: Parameters<typeof harness>): Harness {
  current = harness(...args);
  return current;
}

describe('MoySkladClient paging and reads', () => {
  it('B2 pages 2,500 products in exactly 3 requests of 1000', async () => {
    const h = setup({ accounts: [{ login: 'admin@demo', password: 'demo', seed: { kind: 'generated', products: 2500, seed: 7 } }] });
    const sizes: number[] = [];
    const ids = new Set<string>();
    for await (const rows of h.client.productPages()) {
      sizes.push(rows.length);
      for (const r of rows) ids.add(r.id);
    }
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(ids.size).toBe(2500);
    const lists = h.events.filter((e) => e.path === 'entity/product');
    expect(lists).toHaveLength(3);
    expect(lists.every((e) => e.status === 200 && e.weight === 3)).toBe(true);
    expect(h.client.stats()).toMatchObject({ requests: 3, rateLimitedTotal: 0, retries: 0 });
  });

  it('B3 default order keeps paging stable while products are edited between pages', async () => {
    const h = setup({ accounts: [{ login: 'admin@demo', password: 'demo', seed: { kind: 'generated', products: 2500, seed: 3 } }] });
    const account = h.emulator.account('admin@demo');
    const seen = new Set<string>();
    let page = 0;
    for await (const rows of h.client.productPages()) {
      for (const r of rows) seen.add(r.id);
      if (page++ === 0) {
        // Edit products on the first page: with an `updated` order they would move to the end and
        // shift every later row left across the page boundary.
        h.clock.advance(60_000);
        for (const r of rows.slice(0, 50)) account.updateProduct(r.id, { description: 'edited' });
      }
    }
    expect(seen.size).toBe(2500);
  });

  it('R9 checkCredentials returns the organizations over a real loopback port with the global fetch', async () => {
    const clock = new ManualClock({ autoAdvance: true });
    const h = setup({ clock });
    const server = await h.emulator.listen(0, '127.0.0.1');
    try {
      const client = new MoySkladClient({ baseUrl: server.baseUrl, credentials: PASSWORD_CREDS, clock });
      const orgs = await client.checkCredentials();
      expect(orgs.length).toBeGreaterThanOrEqual(2);
      expect(orgs[0]?.meta.href.startsWith('http://127.0.0.1:')).toBe(true);
      const stores = await client.stores();
      expect(stores.length).toBeGreaterThanOrEqual(3);
      const folders = await client.productFolders();
      expect(folders.some((f) => f.name === 'Фильтры')).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('B3 filters products by updated>= in Moscow time', async () => {
    const h = setup();
    const all = await h.client.listAll('entity/product', { order: 'updated,desc', limit: 5 }, productSchema);
    expect(all.length).toBeGreaterThan(5);
    const newest = await h.client.request<{ rows: Array<{ updated: string }> }>('GET', 'entity/product', { query: { order: 'updated,desc', limit: 1 } });
    const since = newest.rows[0]?.updated ?? '';
    const rows: string[] = [];
    for await (const page of h.client.productPages({ filter: `updated>=${since.slice(0, 19)}` })) rows.push(...page.map((p) => p.updated));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((u) => u >= since.slice(0, 19))).toBe(true);
  });
});

describe('MoySkladClient errors and retries', () => {
  it('R10 wrong password gives a typed auth error without the password in message, JSON or logs', async () => {
    const h = setup();
    const secret = 'S3cr3t-Passw0rd!';
    const client = h.makeClient({ kind: 'password', login: 'admin@demo', password: secret });
    const err = await client.checkCredentials().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MoySkladAuthError);
    const e = err as MoySkladAuthError;
    expect(e.code).toBe('moysklad_auth_failed');
    expect(e.reason).toBe('wrong_credentials');
    expect(e.msStatus).toBe(401);
    expect(e.status).toBe(502); // what our API would answer: MoySklad is the upstream
    expect(e.msCode).toBe(1056);
    expect(e.path).toBe('entity/organization');
    const basic = Buffer.from(`admin@demo:${secret}`).toString('base64');
    const everything = [e.message, JSON.stringify(e), JSON.stringify(e.errors), String(e.stack), JSON.stringify(h.logs)].join('\n');
    expect(everything).not.toContain(secret);
    expect(everything).not.toContain(basic);
    expect(everything).not.toContain('Authorization');
    // Not retried: a 401 is final.
    expect(client.stats().requests).toBe(1);
  });

  it('B2 does not retry 4xx: 404/1021 and 412/3000 are one request each', async () => {
    const h = setup();
    const missing = await h.client.getProduct('00000000-0000-4000-8000-000000000000').catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(MoySkladError);
    expect(missing).toMatchObject({ code: 'moysklad_not_found', msStatus: 404, status: 502, msCode: 1021, retryable: false });
    const noName = await h.client.createProduct({ code: 'X' } as unknown as MsProductCreate).catch((e: unknown) => e);
    expect(noName).toMatchObject({ code: 'moysklad_request_failed', msCode: 3000 });
    expect(h.client.stats()).toMatchObject({ requests: 2, retries: 0 });
  });

  it('B2 retries 5xx with backoff on the clock, then succeeds', async () => {
    const h = setup();
    h.emulator.setFaults({ fail5xx: { count: 2 } });
    const t0 = h.clock.nowMs();
    const orgs = await h.client.organizations();
    expect(orgs.length).toBeGreaterThan(0);
    const statuses = h.events.map((e) => e.status);
    expect(statuses.slice(0, 2).every((s) => s !== undefined && s >= 500)).toBe(true);
    expect(statuses[2]).toBe(200);
    expect(h.client.stats()).toMatchObject({ requests: 3, retries: 2, serverErrors: 2 });
    // Full jitter with random()=0.5: 250 ms then 500 ms of virtual time at least.
    expect(h.clock.nowMs() - t0).toBeGreaterThanOrEqual(750);
  });

  it('B1 does not re-send a POST without syncId after a 5xx (it could duplicate), but does with one', async () => {
    const h = setup();
    const [org] = await h.client.organizations();
    const [agent] = await h.client.findCounterparties([['companyType', '=', 'legal']]);
    const body = { organization: ref(h.client.baseUrl, 'organization', org!.id), agent: ref(h.client.baseUrl, 'counterparty', agent!.id) };
    h.emulator.setFaults({ fail5xx: { count: 1 } });
    const err = await h.client.createOrder('customerorder', body).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'moysklad_server_error', retryable: true });
    h.emulator.setFaults({ fail5xx: { count: 1 } });
    const before = h.client.stats().requests;
    const order = await h.client.createOrder('customerorder', { ...body, syncId: '5a0c1f2e-0000-4000-8000-000000000001' });
    expect(order.syncId).toBe('5a0c1f2e-0000-4000-8000-000000000001');
    expect(h.client.stats().requests - before).toBe(2);
  });

  it('B2 times out a hung request on the timeout clock and retries it', async () => {
    const timeoutClock = new ManualClock({ autoAdvance: false });
    const h = setup({}, { timeoutClock, timeoutMs: 5000 });
    h.emulator.setFaults({ timeouts: 1 });
    const pending = h.client.stores();
    // Let the hung request start, then pass its deadline.
    for (let i = 0; i < 20 && h.client.stats().requests < 1; i++) await new Promise<void>((r) => setImmediate(r));
    timeoutClock.advance(5000);
    const stores = await pending;
    expect(stores.length).toBeGreaterThan(0);
    expect(h.client.stats()).toMatchObject({ timeouts: 1, retries: 1 });
    expect(h.events[0]?.outcome).toBe('timeout');
  });

  it('B2 treats a dropped connection as a network error and retries it', async () => {
    const h = setup();
    h.emulator.setFaults({ drops: 1 });
    const stores = await h.client.stores();
    expect(stores.length).toBeGreaterThan(0);
    expect(h.client.stats()).toMatchObject({ networkErrors: 1, retries: 1 });
  });

  it('B2 unreachable MoySklad is a typed moysklad_unreachable error after the retries', async () => {
    const clock = new ManualClock({ autoAdvance: true });
    // A loopback port nobody listens on: connection refused.
    const client = new MoySkladClient({ baseUrl: 'http://127.0.0.1:9/api/remap/1.2', credentials: { kind: 'password', login: 'a@b', password: 'pw-not-shown' }, clock, maxRetries: 2 });
    const err = await client.checkCredentials().catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'moysklad_unreachable', msStatus: 0, status: 503 });
    expect(JSON.stringify(err) + (err as Error).message).not.toContain('pw-not-shown');
    expect(client.stats().requests).toBe(2); // checkCredentials retries once
  });
});

describe('MoySkladClient rate limits', () => {
  it('B2 waits X-Lognex-Retry-After on 429/1049 and then succeeds', async () => {
    // The emulator's bucket holds 9 units (three requests); the client's limiter believes in 45, so
    // four parallel requests overrun it and the fourth gets 429/1049 with X-Lognex-Retry-After.
    const h = setup({ limits: { bucket: 9 } });
    const started = h.clock.nowMs();
    const results = await Promise.all(Array.from({ length: 6 }, () => h.client.stores()));
    expect(results.every((r) => r.length > 0)).toBe(true);
    const s = h.client.stats();
    expect(s.rateLimited['1049']).toBeGreaterThan(0);
    expect(s.rateLimited['1073'] ?? 0).toBe(0);
    expect(s.requests).toBe(6 + s.rateLimitedTotal);
    // The re-sends waited: a 9-unit bucket refills 3 units per second.
    expect(h.clock.nowMs() - started).toBeGreaterThanOrEqual(900);
    // Once told, the limiter keeps the pace from the headers: later requests get no more 429s.
    const before = s.rateLimitedTotal;
    for (let i = 0; i < 6; i++) await h.client.stores();
    expect(h.client.stats().rateLimitedTotal).toBe(before);
  });

  it('B2 rides out a 429/1049 storm: every request of the credential pauses, nothing fails', async () => {
    const h = setup();
    h.emulator.setFaults({ storm429: 3 });
    const stores = await h.client.stores();
    expect(stores.length).toBeGreaterThan(0);
    const s = h.client.stats();
    expect(s.rateLimited['1049']).toBe(3);
    expect(s.requests).toBe(4);
    const r429 = h.events.filter((e) => e.status === 429);
    expect(r429).toHaveLength(3);
  });

  it('B2 keeps the 429s of a minute within the budget during a long storm (emulator counts them)', async () => {
    const h = setup();
    const client = h.makeClient(PASSWORD_CREDS, {
      limiter: new AdaptiveLimiter({ clock: h.clock, max429PerMinute: 10 }),
      max429Retries: 100,
    });
    h.emulator.setFaults({ storm429: 40 });
    const started = h.clock.nowMs();
    const results = await Promise.all(Array.from({ length: 8 }, () => client.stores()));
    expect(results.every((r) => r.length > 0)).toBe(true);
    const es = h.emulator.stats();
    expect(es.tooMany).toBe(40);
    expect(es.maxTooManyPerMinute).toBeLessThanOrEqual(10);
    expect(client.stats().rateLimited['1049']).toBe(40);
    // 40 429s at 10 a minute need at least three further minutes.
    expect(h.clock.nowMs() - started).toBeGreaterThanOrEqual(3 * 60_000);
  });

  it('B2 with its own limiter the same tight bucket causes no 429 at all', async () => {
    const h = setup({ limits: { bucket: 9 } }, {});
    const client = h.makeClient(PASSWORD_CREDS, { limiter: new AdaptiveLimiter({ clock: h.clock, capacity: 9 }) });
    for (let i = 0; i < 6; i++) await client.stores();
    expect(client.stats().rateLimitedTotal).toBe(0);
  });

  it('B2 lowers concurrency on 429/1073 (too many parallel) and completes every request', async () => {
    const h = setup({ limits: { parallel: 2 }, latency: { baseMs: 200, perRowMs: 0 } });
    const results = await Promise.all(Array.from({ length: 8 }, () => h.client.stores()));
    expect(results.every((r) => r.length > 0)).toBe(true);
    const s = h.client.stats();
    expect(s.rateLimited['1073']).toBeGreaterThan(0);
    expect(s.rateLimited['1049'] ?? 0).toBe(0);
    expect(s.rateLimited['1073']).toBeLessThanOrEqual(4);
  });
});

describe('MoySkladClient auth, files, batches', () => {
  it('R8 issues a token, uses it as Bearer, and a newer token revokes it', async () => {
    const h = setup();
    const t1 = await h.client.issueToken();
    expect(t1.length).toBeGreaterThanOrEqual(20);
    const viaToken = h.makeClient({ kind: 'token', token: t1, tokenKind: 'user' });
    expect((await viaToken.organizations()).length).toBeGreaterThan(0);
    const t2 = await h.client.issueToken();
    expect(t2).not.toBe(t1);
    const err = await viaToken.checkCredentials().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MoySkladAuthError);
    expect((err as MoySkladAuthError).reason).toBe('token_invalid');
    expect(JSON.stringify(err) + (err as Error).message).not.toContain(t1);
    const fresh = h.makeClient({ kind: 'token', token: t2, tokenKind: 'user' });
    expect((await fresh.stores()).length).toBeGreaterThan(0);
    expect(h.events.filter((e) => e.path === 'entity/organization' && e.status === 200).every((e) => e.weight === 3)).toBe(true);
  });

  it('R18 downloads an image through the 302 without sending Authorization to the file host', async () => {
    const h = setup();
    const seen: Array<{ url: string; auth: boolean; redirect: string | undefined }> = [];
    const spyFetch: typeof fetch = (input, init) => {
      const hdrs = new Headers(init?.headers);
      seen.push({ url: String(input), auth: hdrs.has('authorization'), redirect: init?.redirect });
      return h.emulator.fetch(input, init);
    };
    const client = h.makeClient(PASSWORD_CREDS, { fetch: spyFetch });
    let image: { meta: { downloadHref: string } } | undefined;
    for await (const page of client.productPages({ expand: 'images', limit: 100 })) {
      for (const p of page) {
        if ((p.images?.meta.size ?? 0) > 0) {
          image = (await client.productImages(p.id))[0];
          break;
        }
      }
      if (image) break;
    }
    expect(image).toBeDefined();
    const bytes = await client.downloadImage(image!.meta.downloadHref);
    expect(bytes.subarray(0, 4).toString('hex')).toBe('89504e47'); // PNG
    const apiOrigin = new URL(h.emulator.apiBaseUrl).origin;
    const download = seen.filter((s) => s.url.includes('/download/'));
    expect(download.length).toBeGreaterThan(0);
    expect(download.every((s) => s.auth && s.redirect === 'manual')).toBe(true);
    const fileHost = seen[seen.length - 1]!;
    expect(fileHost.url.includes('/download/')).toBe(false);
    expect(fileHost.auth).toBe(false);
    expect(fileHost.url.startsWith(apiOrigin + '/api/remap')).toBe(false);
  });

  it('B2 batch create with some bad items returns per-item errors while the good ones are created', async () => {
    const h = setup();
    const items = [
      { name: 'Фильтр масляный TEST-1', code: 'TESTBRAND T-1', article: 'T-1' },
      { code: 'NO NAME' } as unknown as MsProductCreate,
      { name: 'Фильтр воздушный TEST-2', code: 'TESTBRAND T-2', article: 'T-2' },
    ];
    const results = await h.client.createProducts(items);
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    const bad = results[1]!;
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors[0]?.code).toBe(3000);
    for (const r of results) {
      if (r.ok) expect((await h.client.getProduct(r.entity.id)).name).toBe(items[r.index]?.name);
    }
    expect(h.client.stats().requests).toBe(3); // 1 batch + 2 reads, no retry of the 400
  });

  it('B2 splits a batch by 1000 items', async () => {
    const h = setup({ accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] });
    const items = Array.from({ length: 1500 }, (_, i) => ({ name: `Товар ${i}`, code: `B ${i}`, article: String(i) }));
    const results = await h.client.createProducts(items);
    expect(results).toHaveLength(1500);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(h.events.filter((e) => e.method === 'POST' && e.path === 'entity/product')).toHaveLength(2);
    let n = 0;
    for await (const page of h.client.productPages()) n += page.length;
    expect(n).toBe(1500);
  });
});

describe('MoySkladClient sync helpers', () => {
  it('R5 creates a customer order with syncId idempotently, then adds, updates and deletes positions', async () => {
    const h = setup();
    const [org] = await h.client.organizations();
    const [store] = await h.client.stores();
    const cp = await h.client.createCounterparty({ name: 'ООО Тест', companyType: 'legal', inn: '7736570901' });
    expect((await h.client.findCounterparties([['inn', '=', '7736570901']])).map((c) => c.id)).toContain(cp.id);
    const products: string[] = [];
    for await (const page of h.client.productPages({ limit: 3 })) {
      products.push(...page.map((p) => p.id));
      break;
    }
    const syncId = '0d7c6a8e-1111-4000-8000-00000000abcd';
    const body = {
      organization: ref(h.client.baseUrl, 'organization', org!.id),
      agent: ref(h.client.baseUrl, 'counterparty', cp.id),
      store: ref(h.client.baseUrl, 'store', store!.id),
      externalCode: 'shop-10523',
      syncId,
      positions: [{ assortment: ref(h.client.baseUrl, 'product', products[0]!), quantity: 2, price: 65000, reserve: 2 }],
    };
    const order = await h.client.createOrder('customerorder', body);
    const again = await h.client.createOrder('customerorder', body);
    expect(again.id).toBe(order.id);
    expect(order.sum).toBe(130000);
    const added = await h.client.addPositions('customerorder', order.id, [{ assortment: ref(h.client.baseUrl, 'product', products[1]!), quantity: 1, price: 10050 }]);
    expect(added).toHaveLength(1);
    const updated = await h.client.updatePosition('customerorder', order.id, added[0]!.id, { quantity: 3 });
    expect(updated.quantity).toBe(3);
    await h.client.deletePosition('customerorder', order.id, added[0]!.id);
    const positions = await h.client.orderPositions('customerorder', order.id);
    expect(positions.map((p) => p.assortment.meta.href.endsWith(products[0]!))).toEqual([true]);
    const fetched = await h.client.getOrder('customerorder', order.id);
    expect(fetched.sum).toBe(130000);
    const po = await h.client.createOrder('purchaseorder', { organization: body.organization, agent: body.agent, positions: [{ assortment: body.positions[0]!.assortment, quantity: 5, price: 100 }] });
    expect(po.sum).toBe(500);
  });

  it('R4 reads current stock by store, with zero lines and changedSince', async () => {
    const h = setup();
    const [store] = await h.client.stores();
    const rows = await h.client.stockByStoreCurrent({ storeId: store!.id, stockType: 'quantity' });
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.storeId === store!.id && typeof r.value === 'number' && r.value !== 0)).toBe(true);
    const withZeros = await h.client.stockByStoreCurrent({ storeId: store!.id, stockType: 'quantity', includeZeroLines: true });
    expect(withZeros.length).toBeGreaterThanOrEqual(rows.length);
    const changed = await h.client.stockByStoreCurrent({ stockType: 'stock', changedSince: new Date(h.clock.nowMs() - 60 * 60 * 1000) });
    expect(Array.isArray(changed)).toBe(true);
    const all = await h.client.stockAllCurrent({ stockType: 'freeStock' });
    expect(all.length).toBeGreaterThan(0);
    let pages = 0;
    for await (const page of h.client.stockAll({ limit: 100 })) {
      expect(page[0]?.name).toBeTruthy();
      if (++pages >= 1) break;
    }
    expect(h.events.find((e) => e.path === 'report/stock/all')?.weight).toBe(5);
  });

  it('R29 reads CRM balances for a set of counterparties and by id', async () => {
    const h = setup();
    const cps = (await h.client.findCounterparties([['companyType', '=', 'legal']])).slice(0, 3);
    expect(cps.length).toBeGreaterThan(0);
    const rows = await h.client.counterpartyReport(cps.map((c) => c.id));
    expect(rows.map((r) => r.counterparty.id).sort()).toEqual(cps.map((c) => c.id).sort());
    expect(rows.every((r) => Number.isFinite(r.balance))).toBe(true);
    const one = await h.client.counterpartyReportById(cps[0]!.id);
    expect(one.counterparty.id).toBe(cps[0]!.id);
  });

  it('R29 a tariff without CRM is a typed moysklad_forbidden error with code 1043, not retried', async () => {
    const h = setup({ accounts: [{ login: 'admin@demo', password: 'demo', seed: 'demo', crm: false }] });
    const [cp] = await h.client.findCounterparties([['companyType', '=', 'legal']]);
    const before = h.client.stats().requests;
    const err = await h.client.counterpartyReport([cp!.id]).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'moysklad_forbidden', msStatus: 403, status: 502, msCode: 1043, path: 'report/counterparty', retryable: false });
    expect(h.client.stats().requests - before).toBe(1);
  });

  it('B3 passes X-Lognex-WebHook-DisableByPrefix so our own writes do not echo back as webhooks', async () => {
    const delivered: string[] = [];
    const h = setup({
      webhookFetch: async (input) => {
        delivered.push(String(input));
        return new Response(null, { status: 204 });
      },
    });
    await h.client.createWebhook({ url: 'http://hooks.test/ms', action: 'UPDATE', entityType: 'product' });
    let productId = '';
    for await (const page of h.client.productPages({ limit: 1 })) {
      productId = page[0]!.id;
      break;
    }
    await h.client.request('PUT', `entity/product/${productId}`, { body: { description: 'quiet' }, headers: { 'X-Lognex-WebHook-DisableByPrefix': 'http://hooks.test' } });
    await h.emulator.flushWebhooks();
    expect(delivered).toHaveLength(0);
    await h.client.request('PUT', `entity/product/${productId}`, { body: { description: 'loud' } });
    await h.emulator.flushWebhooks();
    expect(delivered).toHaveLength(1);
    expect(delivered[0]).toMatch(/^http:\/\/hooks\.test\/ms\?requestId=/);
  });

  it('B3 writeHeaders puts DisableByPrefix on every write of the client, so its writes never echo back', async () => {
    const delivered: string[] = [];
    const h = setup(
      {
        webhookFetch: async (input) => {
          delivered.push(String(input));
          return new Response(null, { status: 204 });
        },
      },
      { writeHeaders: { 'X-Lognex-WebHook-DisableByPrefix': 'http://hooks.test/' } },
    );
    await h.client.createWebhook({ url: 'http://hooks.test/ms', action: 'UPDATE', entityType: 'product' });
    let productId = '';
    for await (const page of h.client.productPages({ limit: 1 })) {
      productId = page[0]!.id;
      break;
    }
    await h.client.request('PUT', `entity/product/${productId}`, { body: { description: 'quiet' } });
    await h.emulator.flushWebhooks();
    expect(delivered).toHaveLength(0);
    // A change made by someone else in MoySklad still arrives.
    h.emulator.account('admin@demo').updateProduct(productId, { description: 'by a person' });
    await h.emulator.flushWebhooks();
    expect(delivered).toHaveLength(1);
  });

  it('B3 lists, creates and deletes webhooks', async () => {
    const h = setup();
    const wh = await h.client.createWebhook({ url: 'http://127.0.0.1:1/hook', action: 'UPDATE', entityType: 'product' });
    expect(wh.enabled).toBe(true);
    expect((await h.client.webhooks()).map((w) => w.id)).toContain(wh.id);
    await h.client.deleteWebhook(wh.id);
    expect((await h.client.webhooks()).map((w) => w.id)).not.toContain(wh.id);
  });
});

describe('MoySkladClient parallel cap by kind of credential', () => {
  it('B2 keeps at most 4 requests in flight with login+password and uses all 5 of MoySklad\'s with a solution token, with no 429', async () => {
    const token = 'cap-solution-token-0001';
    const h = setup({ accounts: [{ login: 'admin@demo', password: 'demo', seed: { kind: 'generated', products: 50, seed: 3 }, solutionTokens: [token] }], latency: { baseMs: 200, perRowMs: 0 } });
    const peakOf = async (client: MoySkladClient): Promise<number> => {
      let inFlight = 0;
      let peak = 0;
      const counted = h.makeClient(client === h.client ? PASSWORD_CREDS : { kind: 'token', token, tokenKind: 'solution' }, {
        fetch: async (input: string | URL | Request, init?: RequestInit) => {
          inFlight += 1;
          peak = Math.max(peak, inFlight);
          try {
            return await h.emulator.fetch(input, init);
          } finally {
            inFlight -= 1;
          }
        },
      });
      await Promise.all(Array.from({ length: 8 }, (_, i) => counted.get('entity/product', listOf(productSchema), { limit: 1, offset: i })));
      expect(counted.stats().rateLimitedTotal).toBe(0);
      return peak;
    };
    expect(h.client.maxParallel).toBe(4);
    expect(h.makeClient({ kind: 'token', token, tokenKind: 'solution' }).maxParallel).toBe(5);
    expect(await peakOf(h.client)).toBe(4);
    expect(await peakOf(h.makeClient({ kind: 'token', token, tokenKind: 'solution' }))).toBe(5);
  });
});
