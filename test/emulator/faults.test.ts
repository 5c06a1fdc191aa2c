import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createEmulator } from '../../src/emulator/index.js';
import { basic, caller, emptyEmulator, errCode, type J } from './helpers.js';

describe('emulator faults and latency (issue 3 "Faults and latency")', () => {
  it('B4 a 5xx burst answers the next N requests with the status, then recovers', async () => {
    const { call, emu } = emptyEmulator();
    emu.setFaults({ fail5xx: { count: 2, status: 500 } });
    expect((await call('GET', 'entity/store')).status).toBe(500);
    expect((await call('GET', 'entity/store')).status).toBe(500);
    expect((await call('GET', 'entity/store')).status).toBe(200);
  });

  it('B2 a 429 storm answers 429/1049 with X-Lognex-Retry-After', async () => {
    const { call, emu } = emptyEmulator();
    emu.setFaults({ storm429: 1 });
    const r = await call('GET', 'entity/store');
    expect([r.status, errCode(r)]).toEqual([429, 1049]);
    expect(Number(r.headers.get('x-lognex-retry-after'))).toBeGreaterThan(0);
    expect((await call('GET', 'entity/store')).status).toBe(200);
    expect(emu.stats().tooMany1049).toBe(1);
  });

  it('B4 a dropped connection makes the in-process fetch throw a TypeError like fetch does', async () => {
    const { call, emu } = emptyEmulator();
    emu.setFaults({ drops: 1 });
    await expect(call('GET', 'entity/store')).rejects.toBeInstanceOf(TypeError);
    expect((await call('GET', 'entity/store')).status).toBe(200);
  });

  it('B4 a timeout hangs until the client aborts', async () => {
    const { emu } = emptyEmulator();
    emu.setFaults({ timeouts: 1 });
    const ac = new AbortController();
    const p = emu.fetch(`${emu.apiBaseUrl}/entity/store`, { headers: { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'gzip' }, signal: ac.signal });
    let settled = false;
    void p.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    ac.abort();
    await expect(p).rejects.toBeDefined();
  });

  it('B4 latency = base + per-row cost, slept on the emulator clock', async () => {
    const clock = new ManualClock();
    const emu = createEmulator({ clock, limits: false, latency: { baseMs: 50, perRowMs: 2 }, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] });
    const a = emu.account('admin@demo');
    for (let i = 0; i < 10; i++) a.createProduct({ name: `p${i}` });
    const call = caller(emu);
    const t0 = clock.nowMs();
    await call('GET', 'entity/product');
    expect(clock.nowMs() - t0).toBe(50 + 10 * 2);
  });

  it('B4 latency is the total server time: the emulator\'s own work since the request arrived is part of it, not added on top', async () => {
    const clock = new ManualClock();
    const emu = createEmulator({ clock, limits: false, latency: { baseMs: 50, perRowMs: 2 }, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty' }] });
    // a request body that takes `workMs` of the emulator's clock to arrive: time spent inside the request
    const post = async (workMs: number): Promise<number> => {
      const body = new ReadableStream<Uint8Array>(
        {
          pull(c) {
            clock.advance(workMs);
            c.enqueue(new TextEncoder().encode(JSON.stringify({ name: 'p' })));
            c.close();
          },
        },
        { highWaterMark: 0 },
      );
      const t0 = clock.nowMs();
      const res = await emu.fetch(`${emu.apiBaseUrl}/entity/product`, {
        method: 'POST',
        headers: { Authorization: basic('admin@demo', 'demo'), 'Accept-Encoding': 'gzip', 'Content-Type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      return clock.nowMs() - t0;
    };
    expect(await post(30)).toBe(50 + 2); // 30 ms of work, then the remaining 22 ms slept
    expect(await post(150)).toBe(150); // slower than the model: nothing more is slept
    expect(await post(0)).toBe(52);
  });

  it('B4 /__control/faults, /__control/stats and /__control/reset work over HTTP (JSON)', async () => {
    const { call, emu } = emptyEmulator();
    const origin = new URL(emu.apiBaseUrl).origin;
    const set = await emu.fetch(`${origin}/__control/faults`, { method: 'POST', body: JSON.stringify({ fail5xx: { count: 1, status: 503 } }) });
    expect(((await set.json()) as J).fail5xx.count).toBe(1);
    expect((await call('GET', 'entity/store')).status).toBe(503);
    const stats = (await (await emu.fetch(`${origin}/__control/stats`)).json()) as J;
    expect(stats.byStatus['503']).toBe(1);
    expect(stats.perAccount['admin@demo'].requests).toBe(1);
    expect(stats.byPath['GET entity/store']).toBe(1);
    await emu.fetch(`${origin}/__control/reset`, { method: 'POST' });
    expect(emu.stats().requests).toBe(0);
  });

  it('B4 /__control/reset with state:true re-seeds the accounts', async () => {
    const { call, emu } = emptyEmulator();
    await call('POST', 'entity/product', { body: { name: 'temporary' } });
    expect(emu.account('admin@demo').listProducts()).toHaveLength(1);
    await emu.fetch(`${new URL(emu.apiBaseUrl).origin}/__control/reset`, { method: 'POST', body: JSON.stringify({ state: true }) });
    expect(emu.account('admin@demo').listProducts()).toHaveLength(0);
    expect((await call('GET', 'entity/product')).status).toBe(200);
  });
});
