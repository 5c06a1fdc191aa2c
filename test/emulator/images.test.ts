import { describe, expect, it } from 'vitest';
import { makePng } from '../../src/emulator/index.js';
import { basic, emptyEmulator, errCode, type J } from './helpers.js';

describe('emulator images and downloads (REFERENCE §4.4, VERIFIED #15)', () => {
  it('R1 §4.4 uploads base64 images, lists them and limits a product to 10', async () => {
    const { call } = emptyEmulator();
    const p = (await call('POST', 'entity/product', { body: { name: 'x' } })).json as J;
    const png = Buffer.from(makePng(3)).toString('base64');
    const up = await call('POST', `entity/product/${p.id}/images`, { body: [{ filename: 'a.png', content: png }, { filename: 'b.png', content: png }] });
    expect(up.status).toBe(200);
    expect((up.json as J[]).map((i) => i.filename)).toEqual(['a.png', 'b.png']);
    const list = (await call('GET', `entity/product/${p.id}/images`)).json as J;
    expect(list.meta.size).toBe(2);
    expect(list.rows[0].meta.downloadHref).toMatch(/\/download\//);
    expect(list.rows[0].size).toBe(makePng(3).length);
    const tooMany = await call('POST', `entity/product/${p.id}/images`, { body: Array.from({ length: 9 }, (_, i) => ({ filename: `${i}.png`, content: png })) });
    expect(tooMany.status).toBe(412);
    const notB64 = await call('POST', `entity/product/${p.id}/images`, { body: { filename: 'c.png', content: '%%%' } });
    expect(notB64.status).toBe(400);
    expect(((await call('GET', `entity/product/${p.id}`)).json as J).images.meta.size).toBe(2);
  });

  it('R1 §4.4 /download/{id} answers 302 to a short-lived URL on another origin that needs no Authorization', async () => {
    const { call, emu, clock } = emptyEmulator();
    const a = emu.account('admin@demo');
    const prod = a.createProduct({ name: 'x' });
    const bytes = makePng(7);
    a.addImage(prod.id, 'photo.png', bytes);
    const img = (((await call('GET', `entity/product/${prod.id}/images`)).json as J).rows as J[])[0];
    const res = await emu.fetch(img.meta.downloadHref, { headers: { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'gzip' }, redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location') as string;
    expect(new URL(location).origin).not.toBe(new URL(emu.apiBaseUrl).origin);
    // the file host refuses a request carrying Authorization (like S3), and serves one without
    const withAuth = await emu.fetch(location, { headers: { Authorization: basic('admin@demo', 'demo') } });
    expect(withAuth.status).toBe(400);
    const plain = await emu.fetch(location);
    expect(plain.status).toBe(200);
    expect(new Uint8Array(await plain.arrayBuffer())).toEqual(bytes);
    // following the redirect strips Authorization on the origin change
    const followed = await emu.fetch(img.meta.downloadHref, { headers: { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'gzip' } });
    expect(followed.status).toBe(200);
    expect(followed.headers.get('content-type')).toBe('image/png');
    // the link expires after a minute
    clock.advance(61_000);
    expect((await emu.fetch(location)).status).toBe(403);
  });

  it('R1 §4.4 miniature.downloadHref and tiny.href are file-host URLs: no Authorization, refused with it, not rate-limited, not counted as API requests', async () => {
    const { call, emu, clock } = emptyEmulator({ limits: { bucket: 8, intervalMs: 3000 } });
    const a = emu.account('admin@demo');
    const prod = a.createProduct({ name: 'x' });
    const bytes = makePng(11);
    a.addImage(prod.id, 'photo.png', bytes);
    const img = (((await call('GET', `entity/product/${prod.id}/images`)).json as J).rows as J[])[0];
    const apiOrigin = new URL(emu.apiBaseUrl).origin;
    // miniature.href stays the API URL; its downloadHref and tiny.href are on the file host
    expect(img.miniature.href).toBe(`${img.meta.downloadHref}?miniature=true`);
    for (const url of [img.miniature.downloadHref, img.tiny.href] as string[]) {
      expect(new URL(url).origin).toBe(emu.fileOrigin);
      expect(new URL(url).origin).not.toBe(apiOrigin);
    }
    const fileId = (a.product(prod.id)?.f.images as J[])[0].fileId as string;
    expect(img.miniature.downloadHref).toBe(`${emu.fileOrigin}/miniature/${a.accountId}/documentminiature/${fileId}`);
    expect(img.tiny.href).toBe(`${emu.fileOrigin}/static/tinyimage/${a.accountId}/tinyimage/${fileId}/t.png`);
    // the same row through expand=images
    const listed = ((await call('GET', `entity/product?filter=id=${prod.id}&expand=images&limit=100`)).json as J).rows[0].images.rows[0];
    expect(listed.miniature.downloadHref).toBe(img.miniature.downloadHref);

    const before = emu.stats().requests;
    for (let i = 0; i < 20; i++) {
      for (const url of [img.miniature.downloadHref, img.tiny.href] as string[]) {
        const res = await emu.fetch(url);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('image/png');
        expect(new Uint8Array(await res.arrayBuffer())).toEqual(bytes);
      }
    }
    // 40 fetches against a bucket of 2 API requests (weight 3 before 2026-12-01): none limited, none counted
    expect(emu.stats().requests).toBe(before);
    // while the API budget is spent (the two list requests above)
    expect((await call('GET', `entity/product/${prod.id}/images`)).status).toBe(429);
    expect((await emu.fetch(img.miniature.downloadHref)).status).toBe(200);
    const withAuth = await emu.fetch(img.miniature.downloadHref, { headers: { Authorization: basic('admin@demo', 'demo') } });
    expect(withAuth.status).toBe(400);
    expect((await emu.fetch(img.tiny.href, { headers: { Authorization: basic('admin@demo', 'demo') } })).status).toBe(400);
    // stable: still served a day later (the signed /files/ link would have expired)
    clock.advance(86_400_000);
    expect((await emu.fetch(img.miniature.downloadHref)).status).toBe(200);
    // miniature.href is an API request (with auth): 302 to the miniature's file-host URL
    const viaApi = await emu.fetch(img.miniature.href, { headers: { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'gzip' }, redirect: 'manual' });
    expect(viaApi.status).toBe(302);
    expect(viaApi.headers.get('location')).toBe(img.miniature.downloadHref);
    expect(emu.stats().requests).toBeGreaterThan(before);
    // a removed image's miniature is gone
    await call('DELETE', `entity/product/${prod.id}/images/${img.meta.href.split('/').pop()}`);
    expect((await emu.fetch(img.miniature.downloadHref)).status).toBe(404);
  });

  it('R1 §4.4 downloading needs API auth; an unknown file is 404', async () => {
    const { call, emu } = emptyEmulator();
    const r = await emu.fetch(`${emu.apiBaseUrl}/download/7944ef04-f831-11e5-7a69-971500188b19`, { headers: { 'Accept-Encoding': 'gzip' }, redirect: 'manual' });
    expect(r.status).toBe(401);
    const nf = await call('GET', 'download/7944ef04-f831-11e5-7a69-971500188b19');
    expect(errCode(nf)).toBe(1021);
  });
});
