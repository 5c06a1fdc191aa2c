/**
 * The admin panel in a real browser: Debian's headless Chromium driven by playwright-core against
 * the service (`createApp` with the admin panel, on a loopback port) and the MoySklad emulator.
 * Screenshots go to `test-artifacts/admin/`. Skipped with a visible message when
 * `/usr/bin/chromium` is missing (`.ci/run` installs it).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, hasChromium, startBrowserHarness, type BrowserHarness } from './browser-harness.js';
import { ADMIN_LOGIN, ADMIN_PASSWORD, type AdminHarness } from './harness.js';

const ARTIFACTS = path.resolve('test-artifacts/admin');
if (!hasChromium) console.warn(`[admin browser tests] SKIPPED: ${CHROMIUM} is missing (install Debian's chromium; .ci/run does)`);

describe.skipIf(!hasChromium)('admin panel in Chromium (headless)', () => {
  let h: AdminHarness;
  let base: string;
  let page: Page;

  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
  };

  let bh: BrowserHarness;
  beforeAll(async () => {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    bh = await startBrowserHarness();
    ({ h, base, page } = bh);
  }, 60_000);

  afterAll(async () => {
    await bh?.close();
  });

  it('B8 logs in through the login page', async () => {
    await page.goto(`${base}/admin/price-lists`);
    expect(page.url()).toContain('/admin/login');
    await shot('01-login');
    await page.fill('#login', ADMIN_LOGIN);
    await page.fill('#password', ADMIN_PASSWORD);
    await Promise.all([page.waitForURL('**/admin/price-lists'), page.click('button[type=submit]')]);
    expect(await page.textContent('h1')).toBe('Прайс-листы');
    // htmx loaded from the service itself.
    expect(await page.evaluate(() => typeof (globalThis as unknown as { htmx?: unknown }).htmx)).toBe('object');
  }, 60_000);

  it('R10 creating an integration with a wrong password shows the precise error', async () => {
    await page.goto(`${base}/admin/integrations`);
    await page.click('a[href="/admin/integrations/new"]');
    await page.fill('#login', 'admin@demo');
    await page.fill('#password', 'wrong-password');
    await page.click('#create-integration button[type=submit]');
    const error = page.locator('[data-flash=error]');
    await expect.poll(() => error.textContent()).toContain('Неверный логин или пароль МойСклад.');
    await shot('02-wrong-password');
    expect(await page.inputValue('#password')).toBe('');
    expect(await h.db.selectFrom('integrations').select('id').execute()).toHaveLength(0);
  }, 60_000);

  it('R9 creates it with the right password, chooses the organization and activates it', async () => {
    await page.fill('#password', 'demo');
    await Promise.all([page.waitForURL(/\/admin\/integrations\/\d+/), page.click('#create-integration button[type=submit]')]);
    const org = h.emulator.account('admin@demo').organizations[0]!;
    const options = await page.locator('#organizationMsId option').allTextContents();
    expect(options).toContain(String(org.f.name));
    await shot('03-organizations');
    await page.selectOption('#organizationMsId', org.id);
    await page.check('input[name=active]');
    await page.check('input[name=importPhotos]');
    await Promise.all([page.waitForURL(/done=int\.activated/), page.click('#integration-options button[type=submit]')]);
    expect(await page.textContent('[data-flash=ok]')).toContain('первая синхронизация поставлена в очередь');
    await shot('04-integration-saved');
    const row = await h.db.selectFrom('integrations').selectAll().executeTakeFirstOrThrow();
    expect(row).toMatchObject({ active: 1, organizationMsId: org.id });
    await page.goto(`${base}/admin/integrations`);
    expect(await page.textContent(`tr[data-integration="${row.id}"]`)).toContain(String(org.f.name));
    await shot('05-integrations');
  }, 60_000);

  it('R11 R13 R14 binds a price list to a store, forces a sync and sees rows and a log line', async () => {
    await page.goto(`${base}/admin/products`);
    await Promise.all([page.waitForURL(/done=/), page.click('#full-resync')]);
    await page.waitForSelector('#products');
    await shot('06-products');

    await page.goto(`${base}/admin/price-lists`);
    await page.fill('#pl-name', 'Основной склад');
    await Promise.all([page.waitForURL(/\/admin\/price-lists\/\d+/), page.click('#create-price-list button[type=submit]')]);
    expect(await page.locator('#interval-needs-store').count()).toBe(1);
    const store = h.emulator.account('admin@demo').stores[0]!;
    await page.selectOption('#msStoreId', store.id);
    await Promise.all([page.waitForURL(/done=common\.saved/), page.click('#price-list-form button[type=submit]')]);
    // R12: the frequency is offered now that the store is bound and saved.
    await page.selectOption('#syncIntervalMinutes', '15');
    await Promise.all([page.waitForURL(/done=common\.saved/), page.click('#price-list-form button[type=submit]')]);
    await Promise.all([page.waitForURL(/done=common\.queued/), page.click('#sync-now')]);
    await page.waitForSelector('#price-list-rows');
    await page.waitForSelector('#price-list-runs');
    const runs = await page.textContent('#price-list-runs');
    expect(runs).toContain('Остатки и цены');
    expect(runs).not.toContain('stock.full');
    expect(await page.textContent('#live-runs')).toContain('Остатки и цены');
    expect(runs).toContain('успешно');
    expect(await page.locator('#price-list-rows tbody tr').count()).toBeGreaterThan(0);
    expect(await page.locator('#price-list-log tr').count()).toBeGreaterThan(0);
    await shot('07-price-list');
    // Live search (htmx): typing an article narrows the rows without leaving the page.
    const article = (await page.locator('#price-list-rows tbody tr').first().locator('td').nth(1).textContent())!.trim();
    const total = await page.locator('#price-list-rows tbody tr').count();
    await page.fill('input[name=q]', article);
    await expect.poll(() => page.locator('#price-list-rows tbody tr').count(), { timeout: 10_000 }).toBeLessThan(total);
    for (const text of await page.locator('#price-list-rows tbody tr td:nth-child(2)').allTextContents()) expect(text).toContain(article);
    expect(page.url()).toContain(`q=${encodeURIComponent(article)}`);
    await shot('07b-price-list-search');
  }, 90_000);

  it('R32 opens the logs page with the moysklad_logger.log lines', async () => {
    await page.goto(`${base}/admin/logs`);
    await page.waitForSelector('#log-lines');
    expect(await page.locator('#log-lines tbody tr').count()).toBeGreaterThan(0);
    await shot('08-logs');
    await page.selectOption('#level', 'error');
    await Promise.all([page.waitForURL(/level=error/), page.click('#log-filters button[type=submit]')]);
    for (const level of await page.locator('#log-lines tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-level')))) expect(level).toBe('error');

    await page.goto(`${base}/admin/history`);
    await page.waitForSelector('#duration-chart');
    await shot('09-history');
    await page.goto(`${base}/admin/orders`);
    await shot('10-orders');
    await page.goto(`${base}/admin/tokens?lang=en`);
    expect(await page.textContent('h1')).toBe('Platform API tokens');
    await shot('11-tokens-en');
  }, 60_000);
});
