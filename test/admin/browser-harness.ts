/**
 * @module browser-harness (test helper)
 * The admin harness served on a loopback port and a headless Chromium page on it (playwright-core,
 * Debian's `/usr/bin/chromium`). Shared by the admin browser tests.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser, type Page } from 'playwright-core';
import { createAdminHarness, type AdminHarness } from './harness.js';

export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = fs.existsSync(CHROMIUM);

export interface BrowserHarness {
  h: AdminHarness;
  base: string;
  browser: Browser;
  page: Page;
  close(): Promise<void>;
}

export async function startBrowserHarness(): Promise<BrowserHarness> {
  const h = await createAdminHarness();
  let server!: ServerType;
  await new Promise<void>((resolve) => {
    server = serve({ fetch: h.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve());
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(20_000);
  return {
    h,
    base,
    browser,
    page,
    async close() {
      await browser.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await h.dispose();
    },
  };
}
