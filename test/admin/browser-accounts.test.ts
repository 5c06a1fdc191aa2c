/**
 * The accounts area in a real browser (headless Chromium, playwright-core) against the service and
 * the emulator's demo account with its second user `manager@demo` / `demo` (not an administrator,
 * no stock-report right, no CRM access): the administrator check at setup (C10), a permission
 * problem told in Russian with what to change in MoySklad (C10), a region's time zone (C14).
 * Screenshots go to `test-artifacts/admin/`. Skipped with a visible message without Chromium.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, startBrowserHarness, type BrowserHarness } from './browser-harness.js';
import { ADMIN_LOGIN, ADMIN_PASSWORD, type AdminHarness } from './harness.js';

const ARTIFACTS = path.resolve('test-artifacts/admin');
if (!hasChromium) console.warn(`[admin browser tests] SKIPPED: ${CHROMIUM} is missing`);

describe.skipIf(!hasChromium)('accounts in the admin panel, in Chromium (headless)', () => {
  let bh: BrowserHarness;
  let h: AdminHarness;
  let base: string;
  let page: Page;
  let integrationId = 0;
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    bh = await startBrowserHarness();
    ({ h, base, page } = bh);
    await page.goto(`${base}/admin/login`);
    await page.fill('#login', ADMIN_LOGIN);
    await page.fill('#password', ADMIN_PASSWORD);
    await Promise.all([page.waitForURL('**/admin/integrations'), page.click('button[type=submit]')]);
  }, 60_000);

  afterAll(async () => {
    await bh?.close();
  });

  it('C10 manager@demo is refused at setup with a Russian explanation; nothing is saved', async () => {
    await page.goto(`${base}/admin/integrations/new`);
    await page.fill('#login', 'manager@demo');
    await page.fill('#password', 'demo');
    await page.click('#create-integration button[type=submit]');
    const error = page.locator('[data-flash=error]');
    await expect.poll(() => error.textContent()).toContain('Этот пользователь МойСклад не администратор.');
    const text = (await error.textContent()) ?? '';
    expect(text).toContain('«Системный администратор»');
    expect(text).toContain('Ничего не сохранено.');
    await shot('20-not-admin');
    expect(await h.db.selectFrom('integrations').select('id').execute()).toHaveLength(0);
    expect(await h.db.selectFrom('msAccounts').select('id').execute()).toHaveLength(0);
  }, 60_000);

  it('C10 an integration working as manager@demo shows, in Russian, what to change in MoySklad for the stock', async () => {
    await page.fill('#login', 'admin@demo');
    await page.fill('#password', 'demo');
    await Promise.all([page.waitForURL(/\/admin\/integrations\/\d+/), page.click('#create-integration button[type=submit]')]);
    integrationId = Number(/\/admin\/integrations\/(\d+)/.exec(page.url())![1]);
    const account = h.emulator.account('admin@demo');
    await page.selectOption('#organizationMsId', account.organizations[0]!.id);
    await page.check('input[name=active]');
    await Promise.all([page.waitForURL(/done=int\.activated/), page.click('#integration-options button[type=submit]')]);
    // Set up before the administrator check existed: the integration's MoySklad login is the manager's.
    const manager = await h.setup.accounts.upsert({ authKind: 'password', login: 'manager@demo', secret: 'demo', baseUrl: h.emulator.apiBaseUrl });
    await h.db.updateTable('integrations').set({ msAccountId: manager.id }).where('id', '=', integrationId).execute();
    const now = h.clock.now().toISOString();
    const pl = await h.db.insertInto('priceLists').values({ regionId: h.regionId, name: 'Основной склад', msStoreId: account.stores[0]!.id, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
    await h.enqueuer.enqueue({ kind: 'stock.full', priceListId: pl.id, integrationId, trigger: 'admin' });

    await page.goto(`${base}/admin/integrations/${integrationId}`);
    const problems = page.locator('#integration-problems');
    await problems.waitFor();
    const text = (await problems.textContent()) ?? '';
    expect(text).toContain('Что нужно исправить в МойСклад');
    expect(text).toContain('Остатки прайс-листов:');
    expect(text).toContain('нет доступа к отчёту «Остатки» (ошибка 13004)');
    expect(text).toContain('Настройки → Сотрудники');
    expect(text).toContain('Просматривать остатки по товарам');
    await shot('21-permission-problem');
    await page.goto(`${base}/admin/integrations`);
    expect(await page.textContent(`tr[data-integration="${integrationId}"]`)).toContain('нет доступа к отчёту «Остатки»');
    await shot('22-integrations-problem');
  }, 90_000);

  it('C14 the region of the integration gets its own time zone', async () => {
    await page.goto(`${base}/admin/integrations/${integrationId}`);
    await page.fill('#regionTimeZone', 'Asia/Vladivostok');
    await Promise.all([page.waitForURL(/done=region\.saved/), page.click('#region-settings button[type=submit]')]);
    expect(await page.textContent('[data-flash=ok]')).toContain('Регион сохранён.');
    expect(await page.inputValue('#regionTimeZone')).toBe('Asia/Vladivostok');
    await shot('23-region-time-zone');
    expect((await h.db.selectFrom('regions').select('timeZone').where('id', '=', h.regionId).executeTakeFirstOrThrow()).timeZone).toBe('Asia/Vladivostok');
  }, 60_000);
});
