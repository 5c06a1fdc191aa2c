/**
 * The admin panel in the real service: `moysklad-exchange start` (the composition root, the real
 * job queue and worker, the in-process demo emulator) answers `/admin`, logs in with
 * ADMIN_PASSWORD, shows the demo integration, and "Синхронизировать сейчас" runs through the queue.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cleanEnv, freePort, startCli, tempDir } from '../cli/cli-helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Minimal cookie jar over fetch. */
class Jar {
  readonly cookies = new Map<string, string>();
  absorb(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1);
      if (!value || /max-age=0/i.test(line)) this.cookies.delete(pair!.slice(0, eq));
      else this.cookies.set(pair!.slice(0, eq), value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

describe('admin panel in the started service', { timeout: 180_000 }, () => {
  it('R13 B8 start mounts /admin: login redirect, log in, demo integration listed, sync now runs through the queue', async () => {
    const root = tempDir();
    dirs.push(root);
    const port = await freePort();
    const env = cleanEnv({ PORT: String(port), DATA_DIR: path.join(root, 'data'), LOG_DIR: path.join(root, 'logs'), LOG_LEVEL: 'info', ADMIN_PASSWORD: 'admin-pass-123' });
    const cli = startCli(['start'], env, root);
    const base = `http://127.0.0.1:${port}`;
    const jar = new Jar();
    const get = async (p: string) => {
      const res = await fetch(base + p, { headers: { cookie: jar.header() }, redirect: 'manual' });
      jar.absorb(res);
      return { res, text: await res.text() };
    };
    const post = async (p: string, fields: Record<string, string>) => {
      const res = await fetch(base + p, { method: 'POST', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields).toString(), redirect: 'manual' });
      jar.absorb(res);
      return { res, text: await res.text() };
    };
    try {
      await cli.waitFor('Platform API:');
      const anon = await get('/admin');
      expect(anon.res.status).toBe(302);
      const redirected = await get('/admin/integrations');
      expect(redirected.res.headers.get('location')).toMatch(/^\/admin\/login/);
      const form = await get("/admin/login");
      const csrf = /name="_csrf" value="([^"]+)"/.exec(form.text)![1]!;
      const login = await post('/admin/login', { _csrf: csrf, login: 'admin', password: 'admin-pass-123' });
      expect(login.res.status).toBe(302);
      const list = await get('/admin/integrations');
      expect(list.res.status).toBe(200);
      expect(list.text).toContain('admin@demo');
      await cli.waitFor('"msg":"stock.full ok');
      const card = await get("/admin/price-lists/1");
      expect(card.text).toContain('id="price-list-rows"');
      const token = /name="_csrf" value="([^"]+)"/.exec(card.text)![1]!;
      const before = cli.output().stdout.split('"msg":"stock.full ok').length;
      const sync = await post('/admin/price-lists/1/sync', { _csrf: token });
      expect(sync.res.status).toBe(302);
      expect(sync.res.headers.get('location')).toMatch(/done=common\.(queued|merged)/);
      // The worker picks the job up and runs it: one more "stock.full ok" line.
      await new Promise<void>((resolve) => {
        const check = (): void => {
          if (cli.output().stdout.split('"msg":"stock.full ok').length > before) {
            cli.child.stdout?.off('data', check);
            resolve();
          }
        };
        cli.child.stdout?.on('data', check);
        check();
      });
      const runs = await get('/admin/history?kind=stock.full');
      expect((runs.text.match(/<td>Остатки и цены<\/td>/g) ?? []).length).toBeGreaterThanOrEqual(2);
      expect(runs.text).not.toContain('<td>stock.full</td>');
      // The price list page follows the run it asked for (live block after the redirect).
      const followed = await get(sync.res.headers.get('location')!);
      expect(followed.text).toContain('id="live-runs"');
    } finally {
      const code = await cli.stop();
      expect(code, cli.output().stderr).toBe(0);
    }
  });
});
