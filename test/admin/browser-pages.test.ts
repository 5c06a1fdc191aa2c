/**
 * Every admin page in a real browser (headless Chromium, playwright-core), in Russian and in
 * English: the visible text holds no requirement id and no job kind name, axe-core finds no
 * serious or critical accessibility violation, the page is in standards mode, and a screenshot of
 * each is written for review to `test-output/screenshots/` (git-ignored).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { placeDemoOrder } from '../../src/app/demo-order.js';
import { CHROMIUM, hasChromium, startBrowserHarness, type BrowserHarness } from './browser-harness.js';
import { ADMIN_LOGIN, ADMIN_PASSWORD, type AdminHarness } from './harness.js';

const SHOTS = path.resolve('test-output/screenshots');
if (!hasChromium) console.warn(`[admin page walk] SKIPPED: ${CHROMIUM} is missing`);

/** The few DOM shapes the page scripts below use (the project compiles without the DOM library). */
interface El {
  style: { visibility: string };
  getBoundingClientRect(): { top: number; right: number; left: number; height: number };
  querySelector(s: string): El | null;
  querySelectorAll(s: string): ArrayLike<El>;
  scrollWidth: number;
  clientWidth: number;
}
interface Doc {
  compatMode: string;
  body: El & { innerText: string };
  querySelector(s: string): El | null;
  querySelectorAll(s: string): ArrayLike<El>;
}

/** Requirement ids as whole words (R29, B3, C10, E7, P2, S1). */
const REQUIREMENT_ID = /\b(R\d+|B\d|C\d+|E\d|P\d|S\d)\b/;
/** Codes staff must never read: dotted job kinds, and in Russian the one-word kinds and raw field names. */
const DOTTED_KINDS = /\b(nomenclature\.(full|incremental|deletions)|stock\.(full|incremental)|webhooks\.deliver)\b/;
const RU_CODES = /\b(outbox|balance|categories|photos|webhooks|quantity|freeStock|manual|schedule|admin_error|internal_error|undefined|null|NaN)\b/;

interface Walked {
  path: string;
  name: string;
}

describe.skipIf(!hasChromium)('every admin page in Chromium, in Russian and English', () => {
  let bh: BrowserHarness;
  let h: AdminHarness;
  let page: Page;
  const pages: Walked[] = [];

  beforeAll(async () => {
    fs.mkdirSync(SHOTS, { recursive: true });
    bh = await startBrowserHarness();
    h = bh.h;
    page = await (await bh.browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    page.setDefaultTimeout(20_000);
    await page.goto(`${bh.base}/admin/login`);
    await page.fill('#login', ADMIN_LOGIN);
    await page.fill('#password', ADMIN_PASSWORD);
    await Promise.all([page.waitForURL('**/admin/integrations'), page.click('button[type=submit]')]);

    // A working shop: an integration made active in the panel (its first syncs run), a price list bound to a store and synced, an exported order.
    const created = await h.setup.createIntegration({ regionId: h.regionId, credentials: { authKind: 'password', login: 'admin@demo', password: 'demo' } });
    if (!created.ok) throw new Error(created.problem);
    const id = created.integration.id;
    const account = h.emulator.account('admin@demo');
    const now = h.clock.now().toISOString();
    const pl = await h.db.insertInto('priceLists').values({ regionId: h.regionId, name: 'Основной склад', msStoreId: account.stores[0]!.id, syncIntervalMinutes: 1440, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
    await page.goto(`${bh.base}/admin/integrations/${id}`);
    await page.selectOption('#organizationMsId', account.organizations[0]!.id);
    await page.check('input[name=active]');
    await Promise.all([page.waitForURL(/done=int\.activated/), page.click('#integration-options button[type=submit]')]);
    const placed = await placeDemoOrder({ db: h.db, clock: h.clock }, { regionId: h.regionId, priceListId: Number(pl.id) });
    if (!placed.placed) throw new Error(`no demo order: ${placed.reason}`);
    await h.enqueuer.enqueue({ kind: 'outbox', trigger: 'admin' });
    const region2 = await h.db.insertInto('regions').values({ name: 'Казань', code: 'kzn', isCentral: 0, createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();
    const draft = await h.db.insertInto('priceLists').values({ regionId: region2.id, name: 'Без склада', createdAt: now, updatedAt: now }).returning('id').executeTakeFirstOrThrow();

    pages.push(
      { path: '/admin/integrations', name: 'integrations' },
      { path: '/admin/integrations/new', name: 'integration-new' },
      { path: `/admin/integrations/${id}`, name: 'integration-settings' },
      { path: '/admin/price-lists', name: 'price-lists' },
      { path: `/admin/price-lists/${pl.id}`, name: 'price-list' },
      { path: `/admin/price-lists/${draft.id}`, name: 'price-list-unbound' },
      { path: '/admin/products', name: 'products' },
      { path: '/admin/orders', name: 'orders' },
      { path: '/admin/orders?kind=supplier', name: 'orders-supplier' },
      { path: `/admin/orders/${placed.orderId}`, name: 'order' },
      { path: '/admin/clients', name: 'clients' },
      { path: '/admin/logs', name: 'logs' },
      { path: '/admin/history', name: 'history' },
      { path: '/admin/tokens', name: 'tokens' },
      { path: '/admin/webhooks', name: 'webhooks' },
      { path: '/admin/no-such-page', name: 'not-found' },
    );
  }, 180_000);

  afterAll(async () => {
    await bh?.close();
  });

  const visit = async (p: string, lang: 'ru' | 'en'): Promise<{ status: number; text: string }> => {
    const res = await page.goto(`${bh.base}${p}${p.includes('?') ? '&' : '?'}lang=${lang}`);
    // The shop's own data (brands, articles, product names: `translate="no"` cells) may hold anything; the panel's words may not.
    const text = await page.evaluate(() => {
      const data = Array.from((globalThis as unknown as { document: Doc }).document.querySelectorAll('[translate="no"]'));
      for (const el of data) el.style.visibility = 'hidden';
      // visibility:hidden keeps the layout but drops the text from innerText.
      const visible = (globalThis as unknown as { document: Doc }).document.body.innerText;
      for (const el of data) el.style.visibility = '';
      return visible;
    });
    return { status: res?.status() ?? 0, text };
  };

  const check = async (w: Walked, lang: 'ru' | 'en'): Promise<string[]> => {
    const { status, text } = await visit(w.path, lang);
    const problems: string[] = [];
    if (status !== (w.name === 'not-found' ? 404 : 200)) problems.push(`${w.path}: HTTP ${status}`);
    if (await page.evaluate(() => (globalThis as unknown as { document: Doc }).document.compatMode) !== 'CSS1Compat') problems.push(`${w.path}: quirks mode`);
    const id = REQUIREMENT_ID.exec(text);
    if (id) problems.push(`${w.path} (${lang}): requirement id «${id[0]}» in «${text.slice(Math.max(0, id.index - 40), id.index + 40)}»`);
    const kind = DOTTED_KINDS.exec(text) ?? (lang === 'ru' ? RU_CODES.exec(text) : null);
    if (kind) problems.push(`${w.path} (${lang}): code «${kind[0]}» in «${text.slice(Math.max(0, kind.index - 40), kind.index + 40)}»`);
    const axe = await new AxeBuilder({ page }).analyze();
    for (const v of axe.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical')) {
      problems.push(`${w.path} (${lang}): axe ${v.impact} ${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
    }
    // The menu fits one line at 1366 px: one row, nothing overlapping the language switch, no overflow.
    const fit = await page.evaluate(() => {
      const header = (globalThis as unknown as { document: Doc }).document.querySelector('header')!;
      const nav = header.querySelector('nav')!.getBoundingClientRect();
      const links = Array.from(header.querySelectorAll('nav a')).map((a) => a.getBoundingClientRect());
      const lang = header.querySelector('.lang')!.getBoundingClientRect();
      return { rows: new Set(links.map((r) => Math.round(r.top))).size, navRight: Math.max(...links.map((r) => r.right)), langLeft: lang.left, overflow: header.scrollWidth - header.clientWidth, navHeight: nav.height };
    });
    if (fit.rows > 1 || fit.navRight > fit.langLeft || fit.overflow > 0) problems.push(`${w.path} (${lang}): the menu does not fit 1366 px (${JSON.stringify(fit)})`);
    await page.screenshot({ path: path.join(SHOTS, `${w.name}-${lang}.png`), fullPage: true });
    return problems;
  };

  it('B8 every admin page in Russian shows no requirement id, job kind or field name, and axe finds no serious issue', async () => {
    const problems: string[] = [];
    for (const w of pages) problems.push(...(await check(w, 'ru')));
    expect(problems.join('\n')).toBe('');
  }, 300_000);

  it('B8 every admin page in English shows no requirement id or job kind, and axe finds no serious issue', async () => {
    const problems: string[] = [];
    for (const w of pages) problems.push(...(await check(w, 'en')));
    expect(problems.join('\n')).toBe('');
    await visit('/admin/integrations', 'ru');
  }, 300_000);

  it('B8 the login page is in standards mode and accessible', async () => {
    const ctx = await bh.browser.newContext({ viewport: { width: 1366, height: 900 } });
    const anon = await ctx.newPage();
    await anon.goto(`${bh.base}/admin/login`);
    expect(await anon.evaluate(() => (globalThis as unknown as { document: Doc }).document.compatMode)).toBe('CSS1Compat');
    const axe = await new AxeBuilder({ page: anon }).analyze();
    expect(axe.violations.filter((x) => x.impact === 'serious' || x.impact === 'critical').map((v) => v.id)).toEqual([]);
    await anon.screenshot({ path: path.join(SHOTS, 'login-ru.png'), fullPage: true });
    await ctx.close();
  }, 60_000);
});
