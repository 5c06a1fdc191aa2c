import { describe, expect, it } from 'vitest';
import { emptyEmulator, errCode, type J } from './helpers.js';

describe('emulator writes (REFERENCE §2.4, §2.5, VERIFIED #3, #4, #5, #17)', () => {
  it('B4 §2.5 creates with 200, omits empty optional fields, stamps updated in Moscow time with ms', async () => {
    const { call } = emptyEmulator();
    const r = await call('POST', 'entity/product', { body: { name: 'Фильтр', code: 'MAHLE OC 90', article: 'OC 90', description: '' } });
    expect(r.status).toBe(200);
    const p = r.json as J;
    expect(p.updated).toBe('2026-11-29 12:00:00.000');
    expect('description' in p).toBe(false);
    expect(Object.values(p).includes(null)).toBe(false);
    expect(p.externalCode).toMatch(/.+/);
    expect(p.images.meta).toMatchObject({ size: 0, type: 'image' });
  });

  it('B4 §2.5 missing name is 412/3000 with parameter name', async () => {
    const { call } = emptyEmulator();
    const r = await call('POST', 'entity/product', { body: { code: 'X' } });
    expect(r.status).toBe(412);
    expect((r.json as J).errors[0]).toMatchObject({ code: 3000, parameter: 'name', moreInfo: 'https://dev.moysklad.ru/doc/api/remap/1.2/#error_3000' });
  });

  it('B4 §2.5 product code is unique per account (3006)', async () => {
    const { call } = emptyEmulator();
    await call('POST', 'entity/product', { body: { name: 'A', code: 'MAHLE OC 90' } });
    const dup = await call('POST', 'entity/product', { body: { name: 'B', code: 'MAHLE OC 90' } });
    expect([dup.status, errCode(dup)]).toEqual([412, 3006]);
  });

  it('B4 §2.5 PUT is partial and bumps updated', async () => {
    const { call, clock } = emptyEmulator();
    const p = (await call('POST', 'entity/product', { body: { name: 'A', code: 'C1', article: 'ART' } })).json as J;
    clock.advance(1500);
    const u = (await call('PUT', `entity/product/${p.id}`, { body: { name: 'B' } })).json as J;
    expect(u).toMatchObject({ name: 'B', code: 'C1', article: 'ART', updated: '2026-11-29 12:00:01.500' });
  });

  it('B4 §2.5 batch POST saves valid items and returns per-item {errors} with status 400 (VERIFIED #4)', async () => {
    const { call, emu } = emptyEmulator();
    const r = await call('POST', 'entity/product', { body: [{ name: 'ok 1' }, { code: 'no name' }, { name: 'ok 2' }, { name: 5 }] });
    expect(r.status).toBe(400);
    const rows = r.json as J[];
    expect(rows).toHaveLength(4);
    expect(rows[0].name).toBe('ok 1');
    expect(rows[1].errors[0].code).toBe(3000);
    expect(rows[2].name).toBe('ok 2');
    expect(rows[3].errors[0].code).toBe(2016);
    expect(emu.account('admin@demo').listProducts().map((p) => p.f.name)).toEqual(['ok 1', 'ok 2']);
    const allOk = await call('POST', 'entity/product', { body: [{ name: 'x' }, { name: 'y' }] });
    expect(allOk.status).toBe(200);
  });

  it('B4 §2.5 batch items with meta are updates', async () => {
    const { call, emu } = emptyEmulator();
    const p = (await call('POST', 'entity/product', { body: { name: 'A' } })).json as J;
    const r = await call('POST', 'entity/product', { body: [{ meta: p.meta, name: 'A2' }, { name: 'B' }] });
    expect(r.status).toBe(200);
    expect(emu.account('admin@demo').listProducts().map((x) => x.f.name)).toEqual(['A2', 'B']);
  });

  it('B4 §3 a batch of 1001 items gives 413/2007 and saves nothing', async () => {
    const { call, emu } = emptyEmulator();
    const r = await call('POST', 'entity/product', { body: Array.from({ length: 1001 }, (_, i) => ({ name: `p${i}` })) });
    expect([r.status, errCode(r)]).toEqual([413, 2007]);
    expect(emu.account('admin@demo').listProducts()).toHaveLength(0);
    const ok = await call('POST', 'entity/product', { body: Array.from({ length: 1000 }, (_, i) => ({ name: `p${i}` })) });
    expect(ok.status).toBe(200);
  });

  it('B4 §2.5 POST {type}/delete answers [{info}]; DELETE answers 200 with an empty body; a second DELETE is 404/1021', async () => {
    const { call } = emptyEmulator();
    const rows = (await call('POST', 'entity/product', { body: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] })).json as J[];
    const del = await call('POST', 'entity/product/delete', { body: [{ meta: rows[0].meta }, { meta: rows[1].meta }] });
    expect(del.status).toBe(200);
    expect(del.json).toEqual([
      { info: `Сущность 'product' с UUID: ${rows[0].id} успешно удалена` },
      { info: `Сущность 'product' с UUID: ${rows[1].id} успешно удалена` },
    ]);
    const one = await call('DELETE', `entity/product/${rows[2].id}`);
    expect(one.status).toBe(200);
    expect(one.text).toBe('');
    const again = await call('DELETE', `entity/product/${rows[2].id}`);
    expect([again.status, errCode(again)]).toEqual([404, 1021]);
  });

  it('B1 §2.4 syncId makes a create idempotent, also inside a batch (VERIFIED #17)', async () => {
    const { call, emu } = emptyEmulator();
    const syncId = '0f3d6b52-5a1c-4b5e-9f0e-3b7b8f1c2d3e';
    const a = (await call('POST', 'entity/product', { body: { name: 'A', syncId } })).json as J;
    const b = (await call('POST', 'entity/product', { body: { name: 'A again', syncId } })).json as J;
    expect(b.id).toBe(a.id);
    expect(b.name).toBe('A');
    const batch = (await call('POST', 'entity/product', { body: [{ name: 'A third', syncId }, { name: 'B', syncId: '1f3d6b52-5a1c-4b5e-9f0e-3b7b8f1c2d3e' }] })).json as J[];
    expect(batch[0].id).toBe(a.id);
    expect(emu.account('admin@demo').listProducts()).toHaveLength(2);
    const change = await call('PUT', `entity/product/${a.id}`, { body: { syncId: '2f3d6b52-5a1c-4b5e-9f0e-3b7b8f1c2d3e' } });
    expect(errCode(change)).toBe(1047);
  });

  it('B4 §2.2 a reference to another server is refused with 400/1059', async () => {
    const { call } = emptyEmulator();
    const r = await call('POST', 'entity/product', {
      body: { name: 'x', productFolder: { meta: { href: 'https://api.moysklad.ru/api/remap/1.2/entity/productfolder/275961ab-2cad-11e6-8a84-bae50000001a', type: 'productfolder', mediaType: 'application/json' } } },
    });
    expect([r.status, errCode(r)]).toEqual([400, 1059]);
  });

  it('B4 §4.2 productfolder pathName is the parent path; product pathName includes its folder (VERIFIED #10)', async () => {
    const { call } = emptyEmulator();
    const root = (await call('POST', 'entity/productfolder', { body: { name: 'Автозапчасти' } })).json as J;
    const sub = (await call('POST', 'entity/productfolder', { body: { name: 'Фильтры', productFolder: { meta: root.meta } } })).json as J;
    expect(root.pathName).toBe('');
    expect(sub.pathName).toBe('Автозапчасти');
    const p = (await call('POST', 'entity/product', { body: { name: 'x', productFolder: { meta: sub.meta } } })).json as J;
    expect(p.pathName).toBe('Автозапчасти/Фильтры');
  });

  it('B4 §2.5 money is kept in kopecks: salePrices and buyPrice round-trip', async () => {
    const { call, emu } = emptyEmulator();
    const pt = emu.account('admin@demo').priceTypes[0];
    const p = (await call('POST', 'entity/product', {
      body: { name: 'x', salePrices: [{ value: 65000, priceType: { meta: { href: `${emu.apiBaseUrl}/context/companysettings/pricetype/${pt?.id}`, type: 'pricetype', mediaType: 'application/json' } } }], buyPrice: { value: 41000 } },
    })).json as J;
    expect(p.salePrices[0]).toMatchObject({ value: 65000, priceType: { name: 'Цена продажи' } });
    expect(p.buyPrice.value).toBe(41000);
  });
});
