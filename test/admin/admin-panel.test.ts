import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_ADMIN_ROUTES } from '../../src/server/admin/admin-panel.js';
import { dialects, postgresUnavailableReason } from '../helpers/databases.js';
import { ADMIN_PASSWORD, AdminClient, createAdminHarness, type AdminHarness } from './harness.js';

const pgReason = postgresUnavailableReason();
if (pgReason) console.warn(`[admin tests] PostgreSQL cases skipped: ${pgReason}`);

const escapeHtml = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Concrete path for a registered route pattern (`:id` → 1, `*` → x). */
const concrete = (p: string): string => p.replace(/:[A-Za-z]+(\{[^}]*\})?/g, '1').replace(/\*/g, 'x');

describe('admin panel security (SQLite)', () => {
  let h: AdminHarness;
  beforeAll(async () => {
    h = await createAdminHarness({ publicBaseUrl: 'https://shop.example' });
  });
  afterAll(async () => h.dispose());

  it('B8 every registered admin route without a session redirects to the login page', async () => {
    const routes = h.app.routes.filter((r) => r.path.startsWith('/admin') && r.method !== 'ALL');
    const seen = new Set<string>();
    let checked = 0;
    for (const r of routes) {
      const key = `${r.method} ${r.path}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (PUBLIC_ADMIN_ROUTES.some((p) => p.method === r.method && p.path === r.path)) continue;
      const res = await h.app.request(concrete(r.path), { method: r.method, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: r.method === 'GET' ? undefined : '' });
      expect(res.status, key).toBe(302);
      expect(res.headers.get('location'), key).toMatch(/^\/admin\/login/);
      checked++;
    }
    // The walk covers the whole panel, not a hand-written list.
    expect(checked).toBeGreaterThanOrEqual(25);
    // The only public routes are the login form and the two static assets.
    for (const p of PUBLIC_ADMIN_ROUTES) expect(seen.has(`${p.method} ${p.path}`), `${p.method} ${p.path} is registered`).toBe(true);
    expect(PUBLIC_ADMIN_ROUTES.map((p) => p.path).sort()).toEqual(['/admin/assets/admin.css', '/admin/assets/htmx.min.js', '/admin/login', '/admin/login']);
  });

  it('B8 htmx is served locally and pages reference no CDN', async () => {
    const js = await h.app.request('/admin/assets/htmx.min.js');
    expect(js.status).toBe(200);
    expect(await js.text()).toContain('htmx');
    const page = await (await h.app.request('/admin/login')).text();
    expect(page).toContain('/admin/assets/htmx.min.js');
    expect(page).not.toMatch(/https?:\/\/(unpkg|cdn|cdnjs)/);
  });

  it('B8 the session cookie is HttpOnly, SameSite=Lax and Secure behind https; logout ends the session', async () => {
    const c = new AdminClient(h.app);
    await c.get('/admin/login');
    const r = await c.post('/admin/login', { login: 'admin', password: ADMIN_PASSWORD });
    expect(r.status).toBe(302);
    const cookie = r.res.headers.getSetCookie().find((s) => s.startsWith('mse_admin='))!;
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).toMatch(/Secure/i);
    expect((await c.get('/admin/integrations')).status).toBe(200);
    const session = c.cookies.get('mse_admin')!;
    await c.post('/admin/logout', {});
    const after = await h.app.request('/admin/integrations', { headers: { cookie: `mse_admin=${session}` } });
    expect(after.status).toBe(302);
  });

  it('B8 a session expires after 12 hours and the next login removes it from the store', async () => {
    const c = new AdminClient(h.app);
    await c.login();
    expect((await c.get('/admin/history')).status).toBe(200);
    h.clock.advance(12 * 3600_000 + 1);
    const expired = await c.get('/admin/history');
    expect(expired.status).toBe(302);
    expect(expired.res.headers.get('location')).toBe('/admin/login?next=%2Fadmin%2Fhistory');
    await c.login();
    const live = await h.db.selectFrom('adminSessions').select('expiresAt').execute();
    for (const s of live) expect(Date.parse(s.expiresAt)).toBeGreaterThan(h.clock.nowMs());
  });

  it('B8 a form post without or with a wrong CSRF token is refused and changes nothing', async () => {
    const c = new AdminClient(h.app);
    await c.login();
    const none = await c.post('/admin/tokens', { name: 'no-csrf' }, { csrf: null });
    expect(none.status).toBe(403);
    const wrong = await c.post('/admin/tokens', { name: 'wrong-csrf' }, { csrf: 'x'.repeat(32) });
    expect(wrong.status).toBe(403);
    expect(await h.db.selectFrom('apiTokens').select('id').where('name', 'in', ['no-csrf', 'wrong-csrf']).execute()).toHaveLength(0);
    // The login form itself is CSRF-protected too (token bound to a cookie).
    const fresh = new AdminClient(h.app);
    const forged = await fresh.post('/admin/login', { login: 'admin', password: ADMIN_PASSWORD }, { csrf: 'forged' });
    expect(forged.status).toBe(403);
  });

  it('B8 failed logins are throttled per IP and login, and the lock ends with time', async () => {
    const c = new AdminClient(h.app);
    for (let i = 0; i < 4; i++) {
      await c.get('/admin/login');
      const bad = await c.post('/admin/login', { login: 'admin', password: 'nope' });
      expect(bad.status).toBe(401);
      expect(bad.text).toContain('Неверный логин или пароль.');
    }
    await c.get('/admin/login');
    expect((await c.post('/admin/login', { login: 'admin', password: 'nope' })).status).toBe(429);
    await c.get('/admin/login');
    const locked = await c.post('/admin/login', { login: 'admin', password: ADMIN_PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.text).toContain('Слишком много неудачных попыток');
    h.clock.advance(15 * 60_000 + 1);
    await c.get('/admin/login');
    expect((await c.post('/admin/login', { login: 'admin', password: ADMIN_PASSWORD })).status).toBe(302);
  });

  it('B8 an API token is shown once when issued, works, and stops working when revoked', async () => {
    const c = new AdminClient(h.app);
    await c.login();
    const issued = await c.post('/admin/tokens', { name: 'shop' });
    expect(issued.status).toBe(201);
    const token = /id="new-token">([^<]+)</.exec(issued.text)![1]!.trim();
    expect(token).toMatch(/^mse_/);
    expect((await h.app.request('/api/v1/regions', { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    const list = await c.get('/admin/tokens');
    expect(list.text).not.toContain(token);
    const id = (await h.db.selectFrom('apiTokens').select('id').where('name', '=', 'shop').executeTakeFirstOrThrow()).id;
    expect((await c.post(`/admin/tokens/${id}/revoke`, {})).status).toBe(302);
    expect((await h.app.request('/api/v1/regions', { headers: { authorization: `Bearer ${token}` } })).status).toBe(401);
  });

  it('the panel speaks Russian by default and English after ?lang=en (kept in a cookie)', async () => {
    const c = new AdminClient(h.app);
    await c.login();
    expect((await c.get('/admin/integrations')).text).toContain('Интеграции с МойСклад');
    expect((await c.get('/admin/integrations?lang=en')).text).toContain('MoySklad integrations');
    expect((await c.get('/admin/price-lists')).text).toContain('Price lists');
    expect((await c.get('/admin/price-lists?lang=ru')).text).toContain('Прайс-листы');
  });
});

for (const dialect of dialects) {
  describe.skipIf(dialect === 'postgres' && pgReason !== null)(`integration setup through the panel (${dialect})`, () => {
    let h: AdminHarness;
    let c: AdminClient;
    beforeAll(async () => {
      h = await createAdminHarness({ dialect });
      c = new AdminClient(h.app);
      await c.login();
    });
    afterAll(async () => h.dispose());

    it('R10 a wrong MoySklad password says so precisely and saves nothing', async () => {
      const r = await c.post('/admin/integrations', { regionId: String(h.regionId), authKind: 'password', login: 'admin@demo', password: 'wrong' });
      expect(r.status).toBe(422);
      expect(r.text).toContain('Неверный логин или пароль МойСклад.');
      expect(r.text).toContain('Ничего не сохранено.');
      expect(r.text).not.toContain('value="wrong"');
      expect(await h.db.selectFrom('integrations').select('id').execute()).toHaveLength(0);
      expect(await h.db.selectFrom('msAccounts').select('id').execute()).toHaveLength(0);
    });

    it('B8 a password typed into the panel is scrubbed from moysklad_logger.log even when it was wrong', async () => {
      await c.post('/admin/integrations', { regionId: String(h.regionId), authKind: 'password', login: 'admin@demo', password: 'Typo-Secret-9137' });
      await h.log.write({ level: 'error', kind: 'credentials', message: 'someone pasted Typo-Secret-9137 into a message' });
      const text = fs.readFileSync(path.join(h.logDir, 'moysklad_logger.log'), 'utf8');
      expect(text).toContain('someone pasted');
      expect(text).not.toContain('Typo-Secret-9137');
    });

    it('R10 MoySklad unreachable, rate limiting and no API access are told apart from wrong credentials', async () => {
      h.emulator.setFaults({ drops: 10 });
      const down = await c.post('/admin/integrations', { regionId: String(h.regionId), authKind: 'password', login: 'admin@demo', password: 'demo' });
      h.emulator.setFaults({ drops: 0 });
      expect(down.status).toBe(422);
      expect(down.text).toContain('МойСклад недоступен');
      h.emulator.setFaults({ storm429: 1000 });
      const limited = await c.post('/admin/integrations', { regionId: String(h.regionId), authKind: 'password', login: 'admin@demo', password: 'demo' });
      h.emulator.setFaults({ storm429: 0 });
      expect(limited.status).toBe(422);
      expect(limited.text).toContain('ограничил частоту запросов');
      // 403/1061: the login is right but the user has no API access.
      h.emulator.account('admin@demo').apiDisabled = true;
      const noApi = await c.post('/admin/integrations', { regionId: String(h.regionId), authKind: 'password', login: 'admin@demo', password: 'demo' });
      h.emulator.account('admin@demo').apiDisabled = false;
      expect(noApi.status).toBe(422);
      expect(noApi.text).toContain('нет доступа к API МойСклад');
      expect(await h.db.selectFrom('integrations').select('id').execute()).toHaveLength(0);
    });

    it('R9 valid credentials save an inactive draft, show the organizations, and activation needs one chosen', async () => {
      const r = await c.post('/admin/integrations', { regionId: String(h.regionId), authKind: 'password', login: 'admin@demo', password: 'demo' });
      expect(r.status).toBe(302);
      const id = Number(/\/admin\/integrations\/(\d+)/.exec(r.location!)![1]);
      const row = await h.db.selectFrom('integrations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.active).toBe(0);
      expect(row.status).toBe('draft');
      const page = await c.get(r.location!);
      const orgs = h.emulator.account('admin@demo').organizations;
      for (const o of orgs) expect(page.text).toContain(escapeHtml(String(o.f.name)));
      // The stored password is never shown back.
      expect(page.text).not.toContain('value="demo"');
      expect(page.text).toContain('оставьте пустым, чтобы не менять');

      const refused = await c.post(`/admin/integrations/${id}`, { organizationMsId: '', active: '1' });
      expect(refused.status).toBe(422);
      expect(refused.text).toContain('выберите организацию');
      expect((await h.db.selectFrom('integrations').select('active').where('id', '=', id).executeTakeFirstOrThrow()).active).toBe(0);

      const folder = h.emulator.account('admin@demo').folders?.[0];
      const saved = await c.post(`/admin/integrations/${id}`, {
        organizationMsId: orgs[0]!.id,
        active: '1',
        exportPurchaseOrders: '1',
        importPhotos: '1',
        categorySyncEnabled: '1',
        ...(folder ? { rootFolderMsId: folder.id } : {}),
      });
      expect(saved.status).toBe(302);
      const after = await h.db.selectFrom('integrations').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      expect(after).toMatchObject({ active: 1, status: 'ok', organizationMsId: orgs[0]!.id, organizationName: String(orgs[0]!.f.name), exportPurchaseOrders: 1, deleteRejectedPositions: 0, importPhotos: 1 });
      if (folder) expect(after.rootFolderMsId).toBe(folder.id);

      // An organization of another account is refused.
      const foreign = await c.post(`/admin/integrations/${id}`, { organizationMsId: 'no-such-org', active: '1' });
      expect(foreign.status).toBe(422);
      expect((await h.db.selectFrom('integrations').select('organizationMsId').where('id', '=', id).executeTakeFirstOrThrow()).organizationMsId).toBe(orgs[0]!.id);
    });

    it('R8 a second region with the same login reuses the MoySklad account; a wrong new password overwrites nothing', async () => {
      const now = h.clock.now().toISOString();
      const spb = await h.db.insertInto('regions').values({ name: 'Санкт-Петербург', code: 'spb', isCentral: 0, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
      const r = await c.post('/admin/integrations', { regionId: String(spb.id), authKind: 'password', login: 'admin@demo', password: 'demo' });
      expect(r.status).toBe(302);
      const rows = await h.db.selectFrom('integrations').select(['id', 'msAccountId']).orderBy('id').execute();
      expect(rows).toHaveLength(2);
      expect(rows[0]!.msAccountId).toBe(rows[1]!.msAccountId);
      expect(await h.db.selectFrom('msAccounts').select('id').execute()).toHaveLength(1);
      const before = await h.db.selectFrom('msAccounts').select('secretEnc').executeTakeFirstOrThrow();
      const bad = await c.post(`/admin/integrations/${rows[1]!.id}/credentials`, { authKind: 'password', login: 'admin@demo', password: 'typo' });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain('Неверный логин или пароль МойСклад.');
      expect((await h.db.selectFrom('msAccounts').select('secretEnc').executeTakeFirstOrThrow()).secretEnc).toBe(before.secretEnc);
      // Deleting the second region's integration keeps the shared account.
      expect((await c.post(`/admin/integrations/${rows[1]!.id}/delete`, {})).status).toBe(302);
      expect(await h.db.selectFrom('msAccounts').select('id').execute()).toHaveLength(1);
    });

    it('C4 reserving the goods of customer orders is on for a new integration and is switched in its settings', async () => {
      const now = h.clock.now().toISOString();
      const ekb = await h.db.insertInto('regions').values({ name: 'Екатеринбург', code: 'ekb', isCentral: 0, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
      const r = await c.post('/admin/integrations', { regionId: String(ekb.id), authKind: 'password', login: 'admin@demo', password: 'demo' });
      expect(r.status).toBe(302);
      const id = Number(/\/admin\/integrations\/(\d+)/.exec(r.location!)![1]);
      const reserve = async () => (await h.db.selectFrom('integrations').select('reservePositions').where('id', '=', id).executeTakeFirstOrThrow()).reservePositions;
      expect(await reserve()).toBe(1);
      const page = await c.get(`/admin/integrations/${id}`);
      expect(page.text).toContain('Резервировать товар в заказах покупателей');
      expect(page.text).toMatch(/name="reservePositions" value="1" checked/);
      const org = h.emulator.account('admin@demo').organizations[0]!;
      expect((await c.post(`/admin/integrations/${id}`, { organizationMsId: org.id })).status).toBe(302);
      expect(await reserve()).toBe(0);
      expect((await c.get(`/admin/integrations/${id}`)).text).not.toMatch(/name="reservePositions" value="1" checked/);
      expect((await c.post(`/admin/integrations/${id}`, { organizationMsId: org.id, reservePositions: '1' })).status).toBe(302);
      expect(await reserve()).toBe(1);
      expect((await c.get(`/admin/integrations/${id}?lang=en`)).text).toContain('Reserve the goods of customer orders');
      expect((await c.post(`/admin/integrations/${id}/delete`, {})).status).toBe(302);
    });

    it('R12 R13 R14 a price list is bound to a store, then gets a frequency, syncs now and shows its rows and log', async () => {
      const integration = await h.db.selectFrom('integrations').selectAll().where('regionId', '=', h.regionId).executeTakeFirstOrThrow();
      // Products first (the full resync button, R17).
      expect((await c.post('/admin/products/resync', {})).status).toBe(302);
      expect(h.enqueuer.outcomes.at(-1)).toMatchObject({ kind: 'nomenclature.full' });
      const products = await c.get('/admin/products');
      expect(products.text).toContain('id="products"');

      const created = await c.post('/admin/price-lists', { regionId: String(h.regionId), name: 'Склад' });
      const plId = Number(/\/admin\/price-lists\/(\d+)/.exec(created.location!)![1]);
      const card = await c.get(`/admin/price-lists/${plId}`);
      expect(card.text).toContain('id="interval-needs-store"');
      const store = h.emulator.account('admin@demo').stores[0]!;
      expect(card.text).toContain(escapeHtml(String(store.f.name)));
      // Choosing a store and a frequency in the same save binds the store but leaves the frequency unset (R12).
      await c.post(`/admin/price-lists/${plId}`, { name: 'Склад', msStoreId: store.id, stockType: 'quantity', syncIntervalMinutes: '15', deliveryDays: '1' });
      let pl = await h.db.selectFrom('priceLists').selectAll().where('id', '=', plId).executeTakeFirstOrThrow();
      expect(pl.msStoreId).toBe(store.id);
      expect(pl.syncIntervalMinutes).toBeNull();
      await c.post(`/admin/price-lists/${plId}`, { name: 'Склад', msStoreId: store.id, stockType: 'freeStock', syncIntervalMinutes: '15', deliveryDays: '1' });
      pl = await h.db.selectFrom('priceLists').selectAll().where('id', '=', plId).executeTakeFirstOrThrow();
      expect(pl.syncIntervalMinutes).toBe(15);
      expect(pl.stockType).toBe('freeStock');
      // Price types are offered from the loaded nomenclature's sale prices.
      const bound = await c.get(`/admin/price-lists/${plId}`);
      const wholesale = /<option value="([^"]+)">Оптовая<\/option>/.exec(bound.text);
      expect(wholesale, 'the wholesale price type is offered').not.toBeNull();
      await c.post(`/admin/price-lists/${plId}`, { name: 'Склад', msStoreId: store.id, stockType: 'freeStock', syncIntervalMinutes: '15', deliveryDays: '1', priceTypeMsId: wholesale![1]! });
      expect((await h.db.selectFrom('priceLists').select('priceTypeMsId').where('id', '=', plId).executeTakeFirstOrThrow()).priceTypeMsId).toBe(wholesale![1]);

      const sync = await c.post(`/admin/price-lists/${plId}/sync`, {});
      expect(sync.status).toBe(302);
      expect(h.enqueuer.requests.at(-1)).toMatchObject({ kind: 'stock.full', priceListId: plId, integrationId: integration.id, trigger: 'admin' });
      const after = await c.get(`/admin/price-lists/${plId}`);
      expect(after.text).toContain('id="price-list-runs"');
      expect(after.text).toContain('id="price-list-rows"');
      const row = await h.db.selectFrom('priceListRows').selectAll().where('priceListId', '=', plId).executeTakeFirstOrThrow();
      const search = await c.get(`/admin/price-lists/${plId}?q=${encodeURIComponent(row.article)}`);
      expect(search.text).toContain(row.article);

      // The run is in the history and the log file is readable in the browser (R32, B9).
      const history = await c.get('/admin/history');
      expect(history.text).toContain('id="duration-chart"');
      expect(history.text).toContain('stock.full');
      const logs = await c.get(`/admin/logs?integrationId=${integration.id}`);
      expect(logs.text).toContain('id="log-lines"');
      const download = await c.get('/admin/logs/download');
      expect(download.res.headers.get('content-disposition')).toContain('moysklad_logger.log');
      expect(download.text.split('\n').filter(Boolean).length).toBeGreaterThan(0);
    });

    it('C3 a product without a price is listed «нет цены» in the data-quality report; the price list option publishes it with an empty price', async () => {
      const account = h.emulator.account('admin@demo');
      const store = account.stores[0]!;
      const probe = account.listProducts().find((p) => p.f.archived !== true && String(p.f.code ?? '').startsWith('BOSCH '))!;
      account.setStock(probe.id, store.id, { stock: 3, reserve: 0, inTransit: 0 });
      account.updateProduct(probe.id, { salePrice: 0 });
      expect((await c.post('/admin/products/resync', {})).status).toBe(302);
      const created = await c.post('/admin/price-lists', { regionId: String(h.regionId), name: 'Без цены' });
      const plId = Number(/\/admin\/price-lists\/(\d+)/.exec(created.location!)![1]);
      await c.post(`/admin/price-lists/${plId}`, { name: 'Без цены', msStoreId: store.id, stockType: 'quantity', deliveryDays: '0' });
      await c.post(`/admin/price-lists/${plId}/sync`, {});
      expect(await h.db.selectFrom('priceListRows').select('id').where('priceListId', '=', plId).where('msProductId', '=', probe.id).execute()).toEqual([]);
      const report = await c.get('/admin/products?lang=ru');
      expect(report.text).toContain('id="price-list-issues-report"');
      expect(report.text).toContain('нет цены');
      expect(report.text).toContain(escapeHtml(String(probe.f.name)));

      const card = await c.get(`/admin/price-lists/${plId}`);
      expect(card.text).toContain('id="publishWithoutPrice"');
      await c.post(`/admin/price-lists/${plId}`, { name: 'Без цены', msStoreId: store.id, stockType: 'quantity', deliveryDays: '0', publishWithoutPrice: '1' });
      expect((await h.db.selectFrom('priceLists').select('publishWithoutPrice').where('id', '=', plId).executeTakeFirstOrThrow()).publishWithoutPrice).toBe(1);
      await c.post(`/admin/price-lists/${plId}/sync`, {});
      const row = await h.db.selectFrom('priceListRows as r').innerJoin('priceLists as p', (j) => j.onRef('p.id', '=', 'r.priceListId').onRef('p.generation', '=', 'r.generation')).select(['r.price', 'r.quantity']).where('r.priceListId', '=', plId).where('r.msProductId', '=', probe.id).executeTakeFirstOrThrow();
      expect(row).toEqual({ price: null, quantity: 3 });
      expect((await c.get('/admin/products')).text).not.toContain('id="price-list-issues-report"');
      // Saving the form without the box ticked turns the option off again.
      await c.post(`/admin/price-lists/${plId}`, { name: 'Без цены', msStoreId: store.id, stockType: 'quantity', deliveryDays: '0' });
      expect((await h.db.selectFrom('priceLists').select('publishWithoutPrice').where('id', '=', plId).executeTakeFirstOrThrow()).publishWithoutPrice).toBe(0);
    });

    it('R9 deactivating an integration stops its syncs (they refuse inactive integrations)', async () => {
      const integration = await h.db.selectFrom('integrations').selectAll().where('regionId', '=', h.regionId).executeTakeFirstOrThrow();
      expect((await c.post(`/admin/integrations/${integration.id}/deactivate`, {})).status).toBe(302);
      await h.enqueuer.enqueue({ kind: 'nomenclature.incremental', integrationId: integration.id, trigger: 'admin' });
      expect(h.enqueuer.outcomes.at(-1)).toMatchObject({ status: 'error' });
      expect(h.enqueuer.outcomes.at(-1)!.error).toContain('not active');
    });
  });
}

describe('orders page (SQLite)', () => {
  let h: AdminHarness;
  let c: AdminClient;
  beforeAll(async () => {
    h = await createAdminHarness();
    c = new AdminClient(h.app);
    await c.login();
  });
  afterAll(async () => h.dispose());

  it('R25 a failed export shows its reason; retry requeues it; an ambiguous match is linked to the chosen candidate', async () => {
    const now = h.clock.now().toISOString();
    const account = await h.db
      .insertInto('msAccounts')
      .values({ label: 'x', authKind: 'password', login: 'x', credentialKey: 'x', secretEnc: 'v1:x', baseUrl: 'http://ms', moyskladAccountId: null, createdAt: now, updatedAt: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const cp = await h.db
      .insertInto('counterparties')
      .values({ kind: 'client', externalId: 'C-1', regionId: h.regionId, name: 'ООО Ромашка', inn: null, innNorm: null, email: null, emailNorm: null, phone: null, phoneNorm: null, createdAt: now, updatedAt: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    const order = await h.db
      .insertInto('orders')
      .values({
        kind: 'customer', externalId: 'SO-77', regionId: h.regionId, counterpartyId: cp.id, priceListId: null, status: null, comment: null, msAccountId: account.id, msOrderId: null,
        syncId: '00000000-0000-4000-8000-000000000077', exportState: 'failed', exportError: 'counterparty_ambiguous: 2 MoySklad counterparties share the phone', exportedAt: null, createdAt: now, updatedAt: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await h.db
      .insertInto('outbox')
      .values({ kind: 'order.export', integrationId: null, aggregateType: 'order', aggregateId: String(order.id), payload: '{}', state: 'failed', attempts: 3, nextAttemptAt: now, lastError: 'counterparty_ambiguous: 2 share the phone', dedupeKey: null, createdAt: now, updatedAt: now, sentAt: null })
      .execute();
    const issue = await h.db
      .insertInto('counterpartyMatchIssues')
      .values({ counterpartyId: cp.id, msAccountId: account.id, reason: '2 MoySklad counterparties share the phone', candidates: JSON.stringify([{ id: 'ms-a', name: 'Ромашка 1' }, { id: 'ms-b', name: 'Ромашка 2' }]), detectedAt: now, resolvedAt: null })
      .returning('id')
      .executeTakeFirstOrThrow();

    const page = await c.get('/admin/orders');
    expect(page.text).toContain('SO-77');
    expect(page.text).toContain('подходят несколько контрагентов МойСклад');
    expect(page.text).not.toContain('counterparty_ambiguous');
    expect(page.text).toContain('Ромашка 2');

    // A candidate that is not in the issue is refused.
    expect((await c.post(`/admin/counterparty-matches/${issue.id}/resolve`, { msCounterpartyId: 'ms-zzz' })).status).toBe(404);
    const linked = await c.post(`/admin/counterparty-matches/${issue.id}/resolve`, { msCounterpartyId: 'ms-b' });
    expect(linked.status).toBe(302);
    const link = await h.db.selectFrom('counterpartyLinks').selectAll().where('counterpartyId', '=', cp.id).executeTakeFirstOrThrow();
    expect(link.msCounterpartyId).toBe('ms-b');
    expect((await h.db.selectFrom('counterpartyMatchIssues').select('resolvedAt').where('id', '=', issue.id).executeTakeFirstOrThrow()).resolvedAt).not.toBeNull();
    expect((await h.db.selectFrom('orders').select('exportState').where('id', '=', order.id).executeTakeFirstOrThrow()).exportState).toBe('pending');

    // The retry button makes a failed export due again.
    await h.db.updateTable('orders').set({ exportState: 'failed' }).where('id', '=', order.id).execute();
    await h.db.updateTable('outbox').set({ state: 'failed' }).execute();
    const retried = await c.post(`/admin/orders/${order.id}/retry`, {});
    expect(retried.status).toBe(302);
    expect((await h.db.selectFrom('outbox').select('state').executeTakeFirstOrThrow()).state).toBe('pending');
    expect((await h.db.selectFrom('orders').select('exportState').where('id', '=', order.id).executeTakeFirstOrThrow()).exportState).toBe('pending');
  });

  it('C6 an order whose MoySklad order was deleted after every position was rejected says so in the order list, with its MoySklad id kept', async () => {
    const now = h.clock.now().toISOString();
    const cp = await h.db
      .insertInto('counterparties')
      .values({ kind: 'client', externalId: 'C-6', regionId: h.regionId, name: 'ИП Отказов', inn: null, innNorm: null, email: null, emailNorm: null, phone: null, phoneNorm: null, createdAt: now, updatedAt: now })
      .returning('id')
      .executeTakeFirstOrThrow();
    await h.db
      .insertInto('orders')
      .values({
        kind: 'customer', externalId: 'SO-66', regionId: h.regionId, counterpartyId: cp.id, priceListId: null, status: null, comment: null, msAccountId: null, msOrderId: '6e6e6e6e-0000-4000-8000-000000000066',
        syncId: '00000000-0000-4000-8000-000000000066', exportState: 'sent', exportError: null, exportedAt: now, msDeletedAt: now, createdAt: now, updatedAt: now,
      })
      .execute();
    const ru = (await c.get('/admin/orders')).text;
    const row = ru.slice(ru.indexOf('SO-66'), ru.indexOf('</tr>', ru.indexOf('SO-66')));
    expect(row).toContain('удалён в МойСклад: отказ по всем позициям');
    expect(row).not.toContain('C6');
    // The order's page links the MoySklad order (kept after the deletion).
    const id = /href="\/admin\/orders\/(\d+)">SO-66/.exec(ru)![1];
    expect((await c.get(`/admin/orders/${id}`)).text).toContain('#customerorder/edit?id=6e6e6e6e-0000-4000-8000-000000000066');
    expect((await c.get('/admin/orders?lang=en')).text).toContain('deleted in MoySklad: every position rejected');
  });
});

describe('token credentials (SQLite)', () => {
  let h: AdminHarness;
  let c: AdminClient;
  beforeAll(async () => {
    h = await createAdminHarness();
    c = new AdminClient(h.app);
    await c.login();
  });
  afterAll(async () => h.dispose());

  it('R8 an integration can be created with a MoySklad access token instead of a password; a revoked token is named as such', async () => {
    const account = h.emulator.account('admin@demo');
    const old = account.issueToken();
    const current = account.issueToken(); // revokes the first one
    const bad = await c.post('/admin/integrations', { regionId: String(h.regionId), authKind: 'user_token', token: old });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain('Токен МойСклад недействителен или отозван.');
    const ok = await c.post('/admin/integrations', { regionId: String(h.regionId), authKind: 'user_token', token: current });
    expect(ok.status).toBe(302);
    const row = await h.db.selectFrom('msAccounts').selectAll().executeTakeFirstOrThrow();
    expect(row.authKind).toBe('user_token');
    expect(row.login).toBeNull();
    expect(row.secretEnc).not.toContain(current);
    const page = await c.get(ok.location!);
    expect(page.text).not.toContain(current);

    // Delete through htmx (after its confirm dialog): answered with HX-Redirect, the account goes too.
    const id = Number(/\/admin\/integrations\/(\d+)/.exec(ok.location!)![1]);
    const res = await h.app.request(`/admin/integrations/${id}/delete`, {
      method: 'POST',
      headers: { cookie: [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; '), 'hx-request': 'true', 'x-csrf-token': c.csrf },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('hx-redirect')).toBe('/admin/integrations?done=int.deleted');
    expect(await h.db.selectFrom('integrations').select('id').execute()).toHaveLength(0);
    expect(await h.db.selectFrom('msAccounts').select('id').execute()).toHaveLength(0);
  });
});
