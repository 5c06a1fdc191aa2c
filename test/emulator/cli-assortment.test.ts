import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { registerEmulatorCommand, startEmulatorFromCli } from '../../src/emulator/cli.js';
import { basic, caller, emptyEmulator, errCode, type J } from './helpers.js';
import { ref } from '../../src/emulator/index.js';

describe('emulator CLI and read-only assortment (issue 3 "Start", REFERENCE §4.5)', () => {
  it('B4 registerEmulatorCommand adds the emulator command with the documented flags', () => {
    const program = new Command();
    registerEmulatorCommand(program);
    const cmd = program.commands.find((c) => c.name() === 'emulator');
    const flags = cmd?.options.map((o) => o.long) ?? [];
    for (const f of ['--port', '--host', '--seed', '--login', '--password', '--no-limits', '--latency-base', '--latency-per-row', '--fail-rate']) expect(flags).toContain(f);
  });

  it('B4 the CLI start prints the base URL and serves the chosen login, seed and faults', async () => {
    const lines: string[] = [];
    const run = await startEmulatorFromCli(
      { port: '0', host: '127.0.0.1', seed: 'generated:20:3', login: 'shop@x', password: 'pw', limits: false, crm: true, failBurst: '1' },
      (l) => lines.push(l),
    );
    try {
      expect(lines[0]).toBe(run.baseUrl);
      expect(run.baseUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/remap\/1\.2$/);
      const call = caller(run.emulator, basic('shop@x', 'pw'), globalThis.fetch, run.baseUrl);
      expect((await call('GET', 'entity/product')).status).toBe(503);
      expect(((await call('GET', 'entity/product')).json as J).meta.size).toBe(20);
    } finally {
      await run.close();
    }
  });

  it('B4 §4.5 variants are readable (filter productid) and assortment lists products and variants with stock', async () => {
    const { call, emu } = emptyEmulator();
    const a = emu.account('admin@demo');
    const store = a.createEntity('store', { name: 'S', archived: false });
    const p = a.createProduct({ name: 'Масло моторное', code: 'LIQUI MOLY 7536', article: '7536' });
    const v = a.createEntity('variant', { name: 'Масло моторное (4 л)', code: 'LIQUI MOLY 7536-4', archived: false, product: ref('product', p.id), images: [] });
    a.setStock(v.id, store.id, { stock: 6, reserve: 1 });
    const vs = (await call('GET', `entity/variant?filter=productid=${p.id}`)).json as J;
    expect(vs.rows.map((r: J) => r.id)).toEqual([v.id]);
    expect(vs.rows[0].product.meta.href).toBe(`${emu.apiBaseUrl}/entity/product/${p.id}`);
    expect((await call('POST', 'entity/variant', { body: { name: 'x' } })).status).toBe(405);
    const as = (await call('GET', 'entity/assortment')).json as J;
    expect(as.rows.map((r: J) => [r.meta.type, r.stock ?? null])).toEqual([
      ['product', 0],
      ['variant', 6],
    ]);
    const beta = (await call('GET', 'entity/assortment', { headers: { 'X-Lognex-Remap-Beta-Feature': 'assortmentWithoutStock' } })).json as J;
    expect('stock' in beta.rows[1]).toBe(false);
    const post = await call('POST', 'entity/assortment', { body: {} });
    expect([post.status, errCode(post)]).toEqual([405, 1002]);
  });
});
