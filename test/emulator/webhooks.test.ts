import { describe, expect, it } from 'vitest';
import { emptyEmulator, errCode, type J } from './helpers.js';

interface Captured {
  url: string;
  body: J;
  headers: Headers;
}

function receiver(mode: 'ok' | 'fail' | 'hang' = 'ok') {
  const calls: Captured[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), body: JSON.parse(String(init?.body)), headers: new Headers(init?.headers) });
    if (mode === 'fail') return new Response('no', { status: 500 });
    if (mode === 'hang') {
      return new Promise<Response>((_, reject) => init?.signal?.addEventListener('abort', () => reject(new Error('aborted'))));
    }
    return new Response(null, { status: 204 });
  }) as typeof fetch;
  return { calls, fetchImpl };
}

describe('emulator webhooks (REFERENCE §8, §5)', () => {
  it('B3 §8 delivers API changes to a registered webhook as {auditContext, events[]} with ?requestId=', async () => {
    const rx = receiver();
    const { call, emu } = emptyEmulator({ webhookFetch: rx.fetchImpl });
    const wh = await call('POST', 'entity/webhook', { body: { url: 'http://127.0.0.1:9/hook', action: 'UPDATE', entityType: 'product', diffType: 'FIELDS' } });
    expect(wh.status).toBe(200);
    expect(wh.json).toMatchObject({ method: 'POST', enabled: true, diffType: 'FIELDS', entityType: 'product', action: 'UPDATE' });
    await call('POST', 'entity/webhook', { body: { url: 'http://127.0.0.1:9/created', action: 'CREATE', entityType: 'product' } });
    const p = (await call('POST', 'entity/product', { body: { name: 'A' } })).json as J;
    await call('PUT', `entity/product/${p.id}`, { body: { name: 'B', article: 'X1' } });
    await emu.flushWebhooks();
    expect(rx.calls.map((c) => new URL(c.url).pathname)).toEqual(['/created', '/hook']);
    const upd = rx.calls[1] as Captured;
    expect(new URL(upd.url).searchParams.get('requestId')).toMatch(/^[0-9a-f-]{36}$/);
    expect(upd.headers.get('user-agent')).toBe('MoySklad webhook touch agent 2.0 (/https://www.moysklad.ru)');
    expect(upd.body.auditContext).toMatchObject({ uid: 'admin@demo', meta: { type: 'audit' }, moment: '2026-11-29 12:00:00' });
    expect(upd.body.events).toEqual([
      {
        meta: { type: 'product', href: `${emu.apiBaseUrl}/entity/product/${p.id}` },
        action: 'UPDATE',
        accountId: emu.account('admin@demo').accountId,
        updatedFields: ['name', 'article'],
      },
    ]);
    expect(emu.stats().webhooks.delivered).toBe(2);
  });

  it('B3 §8 changes made through EmulatorAccount fire webhooks too', async () => {
    const rx = receiver();
    const { call, emu } = emptyEmulator({ webhookFetch: rx.fetchImpl });
    await call('POST', 'entity/webhook', { body: { url: 'http://127.0.0.1:9/del', action: 'DELETE', entityType: 'product' } });
    const a = emu.account('admin@demo');
    const p = a.createProduct({ name: 'x' });
    a.deleteProduct(p.id);
    await emu.flushWebhooks();
    expect(rx.calls).toHaveLength(1);
    expect(rx.calls[0]?.body.events[0]).toMatchObject({ action: 'DELETE', meta: { type: 'product' } });
  });

  it('B3 §8 retries 3 times immediately with the same requestId, then drops the notification', async () => {
    const rx = receiver('fail');
    const { call, emu } = emptyEmulator({ webhookFetch: rx.fetchImpl });
    await call('POST', 'entity/webhook', { body: { url: 'http://127.0.0.1:9/h', action: 'CREATE', entityType: 'counterparty' } });
    await call('POST', 'entity/counterparty', { body: { name: 'x' } });
    await emu.flushWebhooks();
    expect(rx.calls).toHaveLength(4);
    expect(new Set(rx.calls.map((c) => new URL(c.url).searchParams.get('requestId'))).size).toBe(1);
    const s = emu.stats().webhooks;
    expect(s.failed).toBe(1);
    expect(s.deliveries[0]).toMatchObject({ attempts: 4, ok: false, result: '500' });
  });

  it('B3 §8 a receiver slower than 1.5 s counts as failed (clock-driven deadline)', async () => {
    const rx = receiver('hang');
    const { call, emu, clock } = emptyEmulator({ webhookFetch: rx.fetchImpl });
    await call('POST', 'entity/webhook', { body: { url: 'http://127.0.0.1:9/slow', action: 'CREATE', entityType: 'product' } });
    const t0 = clock.nowMs();
    await call('POST', 'entity/product', { body: { name: 'x' } });
    await emu.flushWebhooks();
    expect(rx.calls).toHaveLength(4);
    expect(clock.nowMs() - t0).toBe(4 * 1500);
    expect(emu.stats().webhooks.deliveries[0]).toMatchObject({ ok: false, result: 'timeout' });
  });

  it('B3 §1 X-Lognex-WebHook-DisableByPrefix suppresses delivery to matching URLs', async () => {
    const rx = receiver();
    const { call, emu } = emptyEmulator({ webhookFetch: rx.fetchImpl });
    await call('POST', 'entity/webhook', { body: { url: 'http://shop.example/hooks/ms', action: 'CREATE', entityType: 'product' } });
    await call('POST', 'entity/webhook', { body: { url: 'http://other.example/h', action: 'CREATE', entityType: 'product' } });
    await call('POST', 'entity/product', { body: { name: 'x' }, headers: { 'X-Lognex-WebHook-DisableByPrefix': 'http://shop.example/hooks' } });
    await emu.flushWebhooks();
    expect(rx.calls.map((c) => new URL(c.url).host)).toEqual(['other.example']);
    expect(emu.stats().webhooks.suppressed).toBe(1);
  });

  it('B4 §8 validates webhooks: diffType only for UPDATE (30009), unique triple (30003), at most 5 per type/action (30007)', async () => {
    const { call } = emptyEmulator();
    const bad = await call('POST', 'entity/webhook', { body: { url: 'http://a.example/x', action: 'CREATE', entityType: 'product', diffType: 'FIELDS' } });
    expect((bad.json as J).errors[0].code).toBe(30009);
    await call('POST', 'entity/webhook', { body: { url: 'http://a.example/1', action: 'CREATE', entityType: 'product' } });
    const dup = await call('POST', 'entity/webhook', { body: { url: 'http://a.example/1', action: 'CREATE', entityType: 'product' } });
    expect((dup.json as J).errors[0].code).toBe(30003);
    for (let i = 2; i <= 5; i++) expect((await call('POST', 'entity/webhook', { body: { url: `http://a.example/${i}`, action: 'CREATE', entityType: 'product' } })).status).toBe(200);
    const sixth = await call('POST', 'entity/webhook', { body: { url: 'http://a.example/6', action: 'CREATE', entityType: 'product' } });
    expect((sixth.json as J).errors[0].code).toBe(30007);
    const off = await call('GET', 'entity/webhook?filter=entityType=product');
    expect((off.json as J).meta.size).toBe(5);
  });

  it('R4 §5 webhookstock notifications carry reportUrl with changedSince', async () => {
    const rx = receiver();
    const { call, emu, clock } = emptyEmulator({ webhookFetch: rx.fetchImpl });
    const a = emu.account('admin@demo');
    const store = a.createEntity('store', { name: 'S', archived: false });
    const p = a.createProduct({ name: 'x' });
    const r = await call('POST', 'entity/webhookstock', { body: { url: 'http://127.0.0.1:9/stock', stockType: 'stock', reportType: 'bystore' } });
    expect(r.status).toBe(200);
    clock.advance(2000);
    a.setStock(p.id, store.id, { stock: 4 });
    await emu.flushWebhooks();
    expect(rx.calls).toHaveLength(1);
    const body = rx.calls[0]?.body;
    expect(body).toMatchObject({ accountId: a.accountId, stockType: 'stock', reportType: 'bystore' });
    expect(body.reportUrl).toBe(`${emu.apiBaseUrl}/report/stock/bystore/current?changedSince=2026-11-29 12:00:02`);
    const report = (await call('GET', body.reportUrl.slice(emu.apiBaseUrl.length + 1))).json as J[];
    expect(report).toEqual([{ assortmentId: p.id, storeId: store.id, stock: 4 }]);
  });

  it('B3 §8 a free tariff refuses webhooks with 403/30006 (entity and stock webhooks)', async () => {
    const { call, emu } = emptyEmulator();
    emu.account('admin@demo').setWebhooksAllowed(false);
    const wh = await call('POST', 'entity/webhook', { body: { url: 'http://127.0.0.1:9/h', action: 'CREATE', entityType: 'product' } });
    expect(wh.status).toBe(403);
    expect(errCode(wh)).toBe(30006);
    const list = await call('GET', 'entity/webhookstock');
    expect(errCode(list)).toBe(30006);
    emu.account('admin@demo').setWebhooksAllowed(true);
    expect((await call('GET', 'entity/webhook')).status).toBe(200);
  });
});
