import { describe, expect, it } from 'vitest';
import { basic, emptyEmulator, errCode, type J } from './helpers.js';

describe('emulator extras (REFERENCE §1, §2.2, §2.4, §4.4, §7)', () => {
  it('B4 §1 /security/token needs Basic; a Bearer token cannot mint another', async () => {
    const { call } = emptyEmulator();
    const tok = ((await call('POST', 'security/token')).json as J).access_token as string;
    const r = await call('POST', 'security/token', { auth: `Bearer ${tok}` });
    expect([r.status, errCode(r)]).toEqual([401, 1056]);
  });

  it('R5 §2.2 expand=positions.assortment on an order with limit <= 100 inlines the products', async () => {
    const { call } = emptyEmulator();
    const org = (await call('POST', 'entity/organization', { body: { name: 'O' } })).json as J;
    const agent = (await call('POST', 'entity/counterparty', { body: { name: 'A' } })).json as J;
    const p = (await call('POST', 'entity/product', { body: { name: 'Фильтр', code: 'MAHLE OC 90' } })).json as J;
    await call('POST', 'entity/customerorder', { body: { organization: { meta: org.meta }, agent: { meta: agent.meta }, positions: [{ assortment: { meta: p.meta }, quantity: 1, price: 100 }] } });
    const list = (await call('GET', 'entity/customerorder?limit=10&expand=positions.assortment,agent')).json as J;
    expect(list.rows[0].agent.name).toBe('A');
    expect(list.rows[0].positions.rows[0].assortment.code).toBe('MAHLE OC 90');
    const big = (await call('GET', 'entity/customerorder?expand=positions.assortment')).json as J;
    expect(big.rows[0].positions.rows).toBeUndefined();
  });

  it('B1 §2.4 DELETE /entity/{type}/syncid/{syncId} removes the object', async () => {
    const { call, emu } = emptyEmulator();
    const syncId = '3f3d6b52-5a1c-4b5e-9f0e-3b7b8f1c2d3e';
    await call('POST', 'entity/counterparty', { body: { name: 'x', syncId } });
    const r = await call('DELETE', `entity/counterparty/syncid/${syncId}`);
    expect([r.status, r.text]).toEqual([200, '']);
    expect(emu.account('admin@demo').counterparties).toHaveLength(0);
  });

  it('R1 §4.4 X-Lognex-Download-Expiration-Seconds extends the link (max 86400)', async () => {
    const { emu, clock } = emptyEmulator();
    const a = emu.account('admin@demo');
    const p = a.createProduct({ name: 'x' });
    const img = a.addImage(p.id, 'a.png', new Uint8Array([1, 2, 3]));
    const h = { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'gzip' };
    const r = await emu.fetch(`${emu.apiBaseUrl}/download/${img.fileId}`, { headers: { ...h, 'X-Lognex-Download-Expiration-Seconds': '600' }, redirect: 'manual' });
    const loc = r.headers.get('location') as string;
    clock.advance(300_000);
    expect((await emu.fetch(loc)).status).toBe(200);
    const bad = await emu.fetch(`${emu.apiBaseUrl}/download/${img.fileId}`, { headers: { ...h, 'X-Lognex-Download-Expiration-Seconds': '90000' }, redirect: 'manual' });
    expect(bad.status).toBe(400);
  });

  it('B4 §2.5 a POST body without Content-Type application/json is refused (415/1037); broken JSON is 400', async () => {
    const { emu } = emptyEmulator();
    const h = { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'gzip' };
    const r = await emu.fetch(`${emu.apiBaseUrl}/entity/product`, { method: 'POST', headers: { ...h, 'Content-Type': 'text/plain' }, body: '{"name":"x"}' });
    expect(r.status).toBe(415);
    expect(((await r.json()) as J).errors[0].code).toBe(1037);
    const broken = await emu.fetch(`${emu.apiBaseUrl}/entity/product`, { method: 'POST', headers: { ...h, 'Content-Type': 'application/json' }, body: '{"name":' });
    expect(broken.status).toBe(400);
  });

  it('B4 §2.2 GET by id honours expand; context/employee answers', async () => {
    const { call } = emptyEmulator();
    const f = (await call('POST', 'entity/productfolder', { body: { name: 'Фильтры' } })).json as J;
    const p = (await call('POST', 'entity/product', { body: { name: 'x', productFolder: { meta: f.meta } } })).json as J;
    const got = (await call('GET', `entity/product/${p.id}?expand=productFolder`)).json as J;
    expect(got.productFolder.name).toBe('Фильтры');
    expect(((await call('GET', 'context/employee')).json as J).uid).toBe('admin@demo');
  });
});
