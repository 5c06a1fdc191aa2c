import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createEmulator } from '../../src/emulator/index.js';
import { caller, errCode, type J } from './helpers.js';

function limited(start = '2026-11-29T09:00:00Z', solutionTokens: string[] = []) {
  const clock = new ManualClock({ start, autoAdvance: false });
  const emu = createEmulator({ clock, accounts: [{ login: 'admin@demo', password: 'demo', seed: 'empty', solutionTokens }] });
  return { clock, emu, call: caller(emu) };
}

describe('emulator rate limits (REFERENCE §3, VERIFIED #9, #14)', () => {
  it('B2 §3 a login+password request weighs 3 before 2026-12-01: 15 pass, the 16th gets 429/1049 with X-Lognex-Retry-After', async () => {
    const { call, clock } = limited();
    const remaining: number[] = [];
    for (let i = 0; i < 15; i++) {
      const r = await call('GET', 'entity/store');
      expect(r.status).toBe(200);
      expect(r.headers.get('x-ratelimit-limit')).toBe('45');
      expect(r.headers.get('x-lognex-retry-timeinterval')).toBe('3000');
      expect(r.headers.get('x-lognex-reset')).not.toBeNull();
      remaining.push(Number(r.headers.get('x-ratelimit-remaining')));
    }
    expect(remaining.slice(0, 3)).toEqual([42, 39, 36]);
    const over = await call('GET', 'entity/store');
    expect(over.status).toBe(429);
    expect(errCode(over)).toBe(1049);
    const after = Number(over.headers.get('x-lognex-retry-after'));
    expect(after).toBeGreaterThan(0);
    expect(after).toBeLessThanOrEqual(200); // 3 units at 45 units / 3000 ms
    clock.advance(after);
    expect((await call('GET', 'entity/store')).status).toBe(200);
  });

  it('B2 §3 the weight becomes 4 from 2026-12-01 00:00 Moscow time by the emulator clock', async () => {
    const { call, clock } = limited('2026-11-30T20:59:59Z');
    const r1 = await call('GET', 'entity/store');
    expect(Number(r1.headers.get('x-ratelimit-remaining'))).toBe(42);
    clock.advance(1000); // 2026-12-01 00:00:00 MSK
    clock.advance(5000); // refill
    const r2 = await call('GET', 'entity/store');
    expect(Number(r2.headers.get('x-ratelimit-remaining'))).toBe(41);
    let n = 1;
    while ((await call('GET', 'entity/store')).status === 200) n++;
    expect(n).toBe(11);
  });

  it('B2 §3 a solution token weighs 1 and has its own bucket; stock reports weigh 5', async () => {
    const { call } = limited('2026-11-29T09:00:00Z', ['solution-token-abc']);
    const sol = await call('GET', 'entity/store', { auth: 'Bearer solution-token-abc' });
    expect(Number(sol.headers.get('x-ratelimit-remaining'))).toBe(44);
    const user = await call('GET', 'entity/store');
    expect(Number(user.headers.get('x-ratelimit-remaining'))).toBe(42);
    const report = await call('GET', 'report/stock/all', { auth: 'Bearer solution-token-abc' });
    expect(report.status).toBe(200);
    expect(Number(report.headers.get('x-ratelimit-remaining'))).toBe(39);
    const current = await call('GET', 'report/stock/all/current', { auth: 'Bearer solution-token-abc' });
    expect(Number(current.headers.get('x-ratelimit-remaining'))).toBe(38);
  });

  it('B2 §3 the bucket refills continuously: 45 units per 3000 ms', async () => {
    const { call, clock } = limited();
    for (let i = 0; i < 15; i++) await call('GET', 'entity/store');
    expect((await call('GET', 'entity/store')).status).toBe(429);
    clock.advance(1000); // +15 units = 5 requests
    let ok = 0;
    while ((await call('GET', 'entity/store')).status === 200) ok++;
    expect(ok).toBe(5);
  });

  it('B2 §3 a sixth parallel request gets 429/1073 without X-Lognex-Retry-After (VERIFIED #14)', async () => {
    const { emu, call, clock } = limited();
    emu.setLatency({ baseMs: 1000 });
    const pending = Array.from({ length: 5 }, () => call('GET', 'entity/store'));
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    const sixth = await call('GET', 'entity/store');
    expect(sixth.status).toBe(429);
    expect(errCode(sixth)).toBe(1073);
    expect(sixth.headers.get('x-lognex-retry-after')).toBeNull();
    clock.advance(1000);
    const done = await Promise.all(pending);
    expect(done.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const s = emu.stats();
    expect(s.tooMany1073).toBe(1);
    expect(s.tooMany).toBe(1);
    expect(Object.values(s.tooManyPerMinute)).toEqual([1]);
  });

  it('B2 §3 at most 20 requests in flight per account across users and solutions (429/1073)', async () => {
    const { emu, call, clock } = limited('2026-11-29T09:00:00Z', ['s1', 's2', 's3', 's4']);
    emu.setLatency({ baseMs: 1000 });
    const auths = [undefined, 'Bearer s1', 'Bearer s2', 'Bearer s3'];
    const pending = auths.flatMap((auth) => Array.from({ length: 5 }, () => call('GET', 'entity/store', auth ? { auth } : {})));
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    const extra = await call('GET', 'entity/store', { auth: 'Bearer s4' });
    expect([extra.status, errCode(extra)]).toEqual([429, 1073]);
    clock.advance(1000);
    expect((await Promise.all(pending)).every((r) => r.status === 200)).toBe(true);
  });

  it('B2 §3 more than 200 429s in a minute switch the account\'s API access off until support (reset) restores it', async () => {
    const { emu, call, clock } = limited();
    let ok = 0;
    let tooMany = 0;
    for (let i = 0; i < 15 + 201; i++) {
      const r = await call('GET', 'entity/store');
      if (r.status === 200) ok++;
      if (r.status === 429) tooMany++;
    }
    expect([ok, tooMany]).toEqual([15, 201]);
    clock.advance(10_000);
    const off = await call('GET', 'entity/store');
    expect([off.status, errCode(off)]).toEqual([403, 1061]);
    expect(emu.account('admin@demo').apiDisabled).toBe(true);
    await emu.fetch(`${new URL(emu.apiBaseUrl).origin}/__control/reset`, { method: 'POST' });
    expect((await call('GET', 'entity/store')).status).toBe(200);
  });

  it('B2 §3 100 429s in a minute do not switch access off', async () => {
    const { call, clock } = limited();
    for (let i = 0; i < 15 + 100; i++) await call('GET', 'entity/store');
    clock.advance(3000);
    expect((await call('GET', 'entity/store')).status).toBe(200);
  });

  it('B2 §3 limits can be switched off and changed at run time (also through /__control/limits)', async () => {
    const { emu, call } = limited();
    emu.setLimits(false);
    for (let i = 0; i < 40; i++) expect((await call('GET', 'entity/store')).status).toBe(200);
    const res = await emu.fetch(`${new URL(emu.apiBaseUrl).origin}/__control/limits`, { method: 'POST', body: JSON.stringify({ bucket: 6 }), headers: { 'Content-Type': 'application/json' } });
    expect(((await res.json()) as J).bucket).toBe(6);
    expect((await call('GET', 'entity/store')).status).toBe(200);
    expect((await call('GET', 'entity/store')).status).toBe(200);
    expect((await call('GET', 'entity/store')).status).toBe(429);
  });
});
