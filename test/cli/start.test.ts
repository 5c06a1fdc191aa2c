import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, freePort, runCli, startCli, tempDir } from './cli-helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('quick start (`npm start` = `moysklad-exchange start`)', { timeout: 180_000 }, () => {
  it('B4 with no configuration: demo shop on the in-process emulator, /healthz 200 and /readyz ready well within 60 s, first syncs fill the demo price list', async () => {
    const root = tempDir();
    dirs.push(root);
    const port = await freePort();
    const started = Date.now();
    let healthMs = -1;
    const env = cleanEnv({ PORT: String(port), DATA_DIR: path.join(root, 'data'), LOG_DIR: path.join(root, 'logs'), LOG_LEVEL: 'info' });
    const cli = startCli(['start'], env, root);
    try {
      const out = await cli.waitFor('Platform API:');
      const health = await fetch(`http://127.0.0.1:${port}/healthz`);
      const elapsedMs = Date.now() - started;
      healthMs = elapsedMs;
      expect(health.status).toBe(200);
      expect(await health.json()).toMatchObject({ status: 'ok' });
      expect(elapsedMs).toBeLessThan(60_000);
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ready', database: 'ok', migrations: { pending: [] } });
      expect(out).toContain(`Admin panel:  http://localhost:${port}/admin`);
      expect(out).toContain('Admin login:  admin ');
      expect(out).toMatch(/Password: +\S{12,} +\(shown once/);
      expect(out).toContain('demo shop on the built-in MoySklad emulator');
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/regions`)).status).toBe(401);
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/openapi.json`)).status).toBe(200);
      expect(fs.existsSync(path.join(root, 'data', 'moysklad-exchange.sqlite'))).toBe(true);
      // The first syncs run in order through the queue: categories, products, then the demo price list's stock.
      await cli.waitFor('"msg":"stock.full ok');
      const out2 = cli.output().stdout;
      expect(out2.indexOf('"msg":"categories ok')).toBeGreaterThan(-1);
      expect(out2.indexOf('"msg":"categories ok')).toBeLessThan(out2.indexOf('"msg":"nomenclature.full ok'));
      expect(out2.indexOf('"msg":"nomenclature.full ok')).toBeLessThan(out2.indexOf('"msg":"stock.full ok'));
      const token = await runCli(['token', 'create', 'test'], env, root);
      const bearer = /: (mse_\S+)/.exec(token.stdout)?.[1];
      expect(bearer, token.stderr).toBeDefined();
      const csv = await fetch(`http://127.0.0.1:${port}/api/v1/price-lists/1/export.csv`, { headers: { authorization: `Bearer ${bearer}` } });
      const lines = (await csv.text()).trim().split('\r\n');
      expect(lines[0]).toBe('brand;article;name;quantity;price;delivery_days');
      expect(lines.length).toBeGreaterThan(100);
      expect(lines[1]).toMatch(/^[^;]+;[^;]+;[^;]+;\d+(\.\d+)?;\d+\.\d{2};0$/);
      expect(cli.output().stderr).toBe('');
    } finally {
      const code = await cli.stop();
      expect(code, cli.output().stderr).toBe(0);
    }
    // The demo shop's state is kept for the next start.
    expect(fs.existsSync(path.join(root, 'data', 'demo-moysklad.json'))).toBe(true);
    console.info(`[quick start] /healthz answered 200 ${healthMs} ms after spawn`);
  });

  it('B8 with MOYSKLAD_* set no emulator starts; the integration waits inactive for an organization (R10)', async () => {
    const root = tempDir();
    dirs.push(root);
    const port = await freePort();
    const cli = startCli(['start'], cleanEnv({ PORT: String(port), HOST: '127.0.0.1', DATA_DIR: path.join(root, 'data'), LOG_DIR: path.join(root, 'logs'), MOYSKLAD_LOGIN: 'admin@shop', MOYSKLAD_PASSWORD: 'secret-pass', MOYSKLAD_BASE_URL: 'http://127.0.0.1:9/api/remap/1.2', ADMIN_PASSWORD: 'admin-pass-1' }), root);
    try {
      const out = await cli.waitFor('Platform API:');
      expect(out).toContain('created inactive');
      expect(out).not.toContain('emulator');
      expect(out).toMatch(/Password: +from ADMIN_PASSWORD/);
      expect(out).not.toContain('secret-pass');
      expect((await fetch(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    } finally {
      const code = await cli.stop();
      expect(code, cli.output().stderr).toBe(0);
    }
    expect(fs.existsSync(path.join(root, 'data', 'demo-moysklad.json'))).toBe(false);
    const logs = fs.existsSync(path.join(root, 'logs')) ? fs.readdirSync(path.join(root, 'logs')).map((f) => fs.readFileSync(path.join(root, 'logs', f), 'utf8')).join('') : '';
    expect(logs).not.toContain('secret-pass');
  });
});
