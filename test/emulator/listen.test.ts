import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock.js';
import { createEmulator, makePng, type Emulator } from '../../src/emulator/index.js';
import { basic, caller, type J } from './helpers.js';

describe('emulator over a real port with undici fetch (issue 3 "Start")', () => {
  let emu: Emulator;
  let server: { baseUrl: string; close(): Promise<void> };
  const clock = new ManualClock();

  beforeAll(async () => {
    emu = createEmulator({ clock, limits: false, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] });
    server = await emu.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await server.close();
    await emu.close();
  });

  it('B4 serves /api/remap/1.2 on 127.0.0.1 with hrefs on its own base URL; undici decodes gzip', async () => {
    expect(server.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/remap\/1\.2$/);
    expect(emu.apiBaseUrl).toBe(server.baseUrl);
    const call = caller(emu, basic('admin@demo', 'demo'), globalThis.fetch, server.baseUrl);
    const r = await call('POST', 'entity/store', { body: { name: 'Склад' } });
    expect(r.status).toBe(200);
    expect((r.json as J).meta.href).toBe(`${server.baseUrl}/entity/store/${(r.json as J).id}`);
    expect(r.headers.get('content-encoding')).toBe('gzip');
    const noGzip = await fetch(`${server.baseUrl}/entity/store`, { headers: { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'identity' } });
    expect(noGzip.status).toBe(415);
  });

  it('R1 the download redirect goes to another origin (localhost) and real fetch does not leak Authorization there', async () => {
    const a = emu.account('admin@demo');
    const p = a.createProduct({ name: 'img' });
    const bytes = makePng(11);
    a.addImage(p.id, 'x.png', bytes);
    const call = caller(emu, basic('admin@demo', 'demo'), globalThis.fetch, server.baseUrl);
    const img = (((await call('GET', `entity/product/${p.id}/images`)).json as J).rows as J[])[0];
    const manual = await fetch(img.meta.downloadHref, { headers: { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'gzip' }, redirect: 'manual' });
    expect(manual.status).toBe(302);
    const loc = new URL(manual.headers.get('location') as string);
    expect(loc.hostname).toBe('localhost');
    const followed = await fetch(img.meta.downloadHref, { headers: { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'gzip' } });
    // undici drops Authorization on a cross-origin redirect; the file host would answer 400 otherwise
    expect(followed.status).toBe(200);
    expect(new Uint8Array(await followed.arrayBuffer())).toEqual(bytes);
  });

  it('B4 a dropped-connection fault destroys the socket', async () => {
    emu.setFaults({ drops: 1 });
    const err = await new Promise<Error | undefined>((resolve) => {
      const u = new URL(`${server.baseUrl}/entity/store`);
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, headers: { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'gzip' } }, (res) => {
        res.resume();
        res.on('end', () => resolve(undefined));
      });
      req.on('error', (e) => resolve(e));
      req.end();
    });
    expect(err).toBeDefined();
  });

  it('B4 persists its state to a JSON file and loads it again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'msx-emu-'));
    const file = join(dir, 'state.json');
    const e1 = createEmulator({ clock, limits: false, persistPath: file, accounts: [{ login: 'p@x', password: 'p', seed: 'empty' }] });
    const prod = e1.account('p@x').createProduct({ name: 'persisted', code: 'P 1' });
    await e1.close();
    expect(existsSync(file)).toBe(true);
    const e2 = createEmulator({ clock, limits: false, persistPath: file, accounts: [{ login: 'p@x', password: 'p', seed: 'empty' }] });
    const r = (await caller(e2, basic('p@x', 'p'))('GET', `entity/product/${prod.id}`)).json as J;
    expect(r).toMatchObject({ name: 'persisted', code: 'P 1' });
    await e2.close();
  });
});
