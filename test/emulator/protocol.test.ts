import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createEmulator } from '../../src/emulator/index.js';
import { basic, caller, emptyEmulator, errCode, type J } from './helpers.js';

describe('emulator protocol: auth, gzip, headers (REFERENCE §1, §2.6)', () => {
  it('B4 §1 refuses a request without gzip in Accept-Encoding with 415 and an empty body', async () => {
    const { emu } = emptyEmulator();
    const raw = await emu.app.request(`${emu.apiBaseUrl}/entity/product`, { headers: { Authorization: basic('admin@demo', 'demo') } });
    expect(raw.status).toBe(415);
    expect(await raw.text()).toBe('');
    const res = await emu.fetch(`${emu.apiBaseUrl}/entity/product`, { headers: { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'identity' } });
    expect(res.status).toBe(415);
    expect(await res.text()).toBe('');
    // emulator.fetch, like undici, asks for gzip by default
    expect((await emu.fetch(`${emu.apiBaseUrl}/entity/product`, { headers: { Authorization: basic('admin@demo', 'demo') } })).status).toBe(200);
    const deflateOnly = await emu.fetch(`${emu.apiBaseUrl}/entity/product`, { headers: { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'deflate, br' } });
    expect(deflateOnly.status).toBe(415);
  });

  it('B4 §1 gzips responses with Content-Encoding gzip and the MoySklad content type', async () => {
    const { emu } = emptyEmulator();
    const raw = await emu.app.request(`${emu.apiBaseUrl}/entity/organization`, { headers: { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-encoding')).toBe('gzip');
    expect(raw.headers.get('content-type')).toBe('application/json;charset=utf-8');
    const bytes = new Uint8Array(await raw.arrayBuffer());
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    // emulator.fetch decodes like undici but keeps the header
    const res = await emu.fetch(`${emu.apiBaseUrl}/entity/organization`, { headers: { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'gzip' } });
    expect(res.headers.get('content-encoding')).toBe('gzip');
    expect(((await res.json()) as J).meta.type).toBe('organization');
  });

  it('B4 §1 answers a bad Accept header with 1062', async () => {
    const { call } = emptyEmulator();
    const bad = await call('GET', 'entity/product', { headers: { Accept: 'text/html' } });
    expect(bad.status).toBe(400);
    expect(errCode(bad)).toBe(1062);
    expect((await call('GET', 'entity/product', { headers: { Accept: 'application/json;charset=utf-8' } })).status).toBe(200);
  });

  it('B4 §1 accepts Basic auth and answers wrong credentials with 401/1056', async () => {
    const { call } = emptyEmulator();
    expect((await call('GET', 'entity/store')).status).toBe(200);
    const wrong = await call('GET', 'entity/store', { auth: basic('admin@demo', 'nope') });
    expect(wrong.status).toBe(401);
    expect(errCode(wrong)).toBe(1056);
    expect((wrong.json as J).errors[0].moreInfo).toBe('https://dev.moysklad.ru/doc/api/remap/1.2/#error_1056');
    expect((await call('GET', 'entity/store', { auth: null })).status).toBe(401);
    expect((await call('GET', 'entity/store', { auth: 'Bearer 0123456789012345678901234567890123456789' })).status).toBe(401);
  });

  it('B4 §1 issues a 40-character token on POST /security/token; a new token revokes the older one', async () => {
    const { call } = emptyEmulator();
    const t1 = await call('POST', 'security/token');
    expect(t1.status).toBe(200);
    const tok1 = (t1.json as J).access_token as string;
    expect(tok1).toMatch(/^[0-9a-f]{40}$/);
    expect((await call('GET', 'entity/store', { auth: `Bearer ${tok1}` })).status).toBe(200);
    const tok2 = ((await call('POST', 'security/token')).json as J).access_token as string;
    expect(tok2).not.toBe(tok1);
    const old = await call('GET', 'entity/store', { auth: `Bearer ${tok1}` });
    expect(old.status).toBe(401);
    expect(errCode(old)).toBe(1056);
    expect((await call('GET', 'entity/store', { auth: `Bearer ${tok2}` })).status).toBe(200);
  });

  it('B4 §1 keeps several accounts apart: each login sees only its own data', async () => {
    const clock = new ManualClock();
    const emu = createEmulator({
      clock,
      limits: false,
      accounts: [
        { login: 'shop1@a', password: 'p1', seed: 'empty' },
        { login: 'shop2@b', password: 'p2', seed: 'empty' },
      ],
    });
    const c1 = caller(emu, basic('shop1@a', 'p1'));
    const c2 = caller(emu, basic('shop2@b', 'p2'));
    expect((await c1('POST', 'entity/product', { body: { name: 'Только в первом' } })).status).toBe(200);
    expect(((await c1('GET', 'entity/product')).json as J).meta.size).toBe(1);
    expect(((await c2('GET', 'entity/product')).json as J).meta.size).toBe(0);
    expect((await c1('GET', 'entity/product', { auth: basic('shop1@a', 'p2') })).status).toBe(401);
  });

  it('B4 §2.6 unknown path 404/1002, unknown type 412/1005, PUT without id 400/1012, missing object 404/1021', async () => {
    const { call } = emptyEmulator();
    const p = await call('GET', 'foo');
    expect([p.status, errCode(p)]).toEqual([404, 1002]);
    const t = await call('GET', 'entity/customerorder2');
    expect([t.status, errCode(t)]).toEqual([412, 1005]);
    const put = await call('PUT', 'entity/product', { body: { name: 'x' } });
    expect([put.status, errCode(put)]).toEqual([400, 1012]);
    const nf = await call('GET', 'entity/product/7944ef04-f831-11e5-7a69-971500188b19');
    expect([nf.status, errCode(nf)]).toEqual([404, 1021]);
    const e = (nf.json as J).errors[0];
    expect(e.moreInfo).toBe('https://dev.moysklad.ru/doc/api/remap/1.2/#error_1021');
    expect(typeof e.error).toBe('string');
  });
});
