import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { AdaptiveLimiter, requestWeight, type ReleaseFn } from './limiter.js';

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
};

/** Acquires and records when each acquisition resolved. */
function track(limiter: AdaptiveLimiter, clock: ManualClock, weight: number): { got: () => ReleaseFn | undefined; at: () => number | undefined } {
  let release: ReleaseFn | undefined;
  let at: number | undefined;
  void limiter.acquire(weight).then((r) => {
    release = r;
    at = clock.nowMs();
  });
  return { got: () => release, at: () => at };
}

const headers = (h: Record<string, string>): Headers => new Headers(h);

describe('AdaptiveLimiter', () => {
  it('B2 knows the weights: 3 before 2026-12-01 Moscow and 4 from then for login/user token, 1 for a solution token, 5 for stock all/bystore', () => {
    const before = Date.parse('2026-11-30T20:59:59Z'); // 23:59:59 Moscow
    const after = Date.parse('2026-11-30T21:00:00Z'); // 2026-12-01 00:00 Moscow
    expect(requestWeight('password', 'entity/product', before)).toBe(3);
    expect(requestWeight('user_token', 'entity/product', after)).toBe(4);
    expect(requestWeight('password', 'entity/product', after)).toBe(4);
    expect(requestWeight('solution_token', 'entity/product', after)).toBe(1);
    expect(requestWeight('solution_token', 'report/stock/all', before)).toBe(5);
    expect(requestWeight('password', '/report/stock/bystore', before)).toBe(5);
    expect(requestWeight('password', 'report/stock/bystore/current', before)).toBe(3);
  });

  it('B2 paces to 45 units per 3 s: the 16th request of weight 3 waits until the first units expire', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const limiter = new AdaptiveLimiter({ clock, maxConcurrency: 100, marginMs: 0 });
    const first = track(limiter, clock, 3);
    await flush();
    first.got()?.({ status: 200 });
    for (let i = 0; i < 14; i++) {
      const t = track(limiter, clock, 3);
      await flush();
      expect(t.got()).toBeDefined();
      t.got()?.({ status: 200 });
    }
    const sixteenth = track(limiter, clock, 3);
    await flush();
    expect(sixteenth.got()).toBeUndefined();
    clock.advance(2999);
    await flush();
    expect(sixteenth.got()).toBeUndefined();
    clock.advance(1);
    await flush();
    expect(sixteenth.at()).toBe(clock.nowMs());
  });

  it('B2 caps parallel requests at 4 and lowers the cap on 429/1073, raising it after 10 s quiet', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const limiter = new AdaptiveLimiter({ clock, capacity: 1000 });
    const ts = [0, 1, 2, 3, 4].map(() => track(limiter, clock, 1));
    await flush();
    expect(ts.filter((t) => t.got()).length).toBe(4);
    ts[0]?.got()?.({ status: 429, msCode: 1073, headers: headers({}) });
    await flush();
    expect(limiter.stats().concurrency).toBe(3);
    // Three still in flight with a cap of 3: the fifth waits.
    expect(ts[4]?.got()).toBeUndefined();
    ts[1]?.got()?.({ status: 200 });
    await flush();
    expect(ts[4]?.got()).toBeDefined();
    clock.advance(10_000);
    ts[2]?.got()?.({ status: 200 });
    const more = [0, 1].map(() => track(limiter, clock, 1));
    await flush();
    expect(limiter.stats().concurrency).toBe(4);
    expect(more.filter((t) => t.got()).length).toBe(2);
  });

  it('B2 waits X-Lognex-Retry-After on 429/1049 and pauses every request of the credential', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const limiter = new AdaptiveLimiter({ clock });
    const a = track(limiter, clock, 1);
    await flush();
    a.got()?.({ status: 429, msCode: 1049, headers: headers({ 'X-Lognex-Retry-After': '1500' }) });
    const b = track(limiter, clock, 1);
    const c = track(limiter, clock, 1);
    await flush();
    expect(b.got()).toBeUndefined();
    clock.advance(1499);
    await flush();
    expect(c.got()).toBeUndefined();
    clock.advance(1);
    await flush();
    expect(b.got()).toBeDefined();
    expect(c.got()).toBeDefined();
  });

  it('B2 books units the server reports as spent (X-RateLimit-Remaining) by another process', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const limiter = new AdaptiveLimiter({ clock, marginMs: 0 });
    const a = track(limiter, clock, 3);
    await flush();
    // The server says only 3 units remain although we spent 3 of 45.
    a.got()?.({ status: 200, headers: headers({ 'X-RateLimit-Limit': '45', 'X-RateLimit-Remaining': '3', 'X-Lognex-Reset': '2000' }) });
    const b = track(limiter, clock, 3);
    await flush();
    expect(b.got()).toBeDefined();
    b.got()?.({ status: 200 });
    const c = track(limiter, clock, 3);
    await flush();
    expect(c.got()).toBeUndefined();
    clock.advance(2000);
    await flush();
    expect(c.got()).toBeDefined();
  });

  it('B2 never lets more than 100 requests a minute end in 429', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const limiter = new AdaptiveLimiter({ clock, capacity: 100_000, max429PerMinute: 100 });
    for (let i = 0; i < 100; i++) {
      const t = track(limiter, clock, 1);
      await flush();
      // 1073 lowers the cap, but a quiet period would raise it; keep time still.
      t.got()?.({ status: 429, msCode: 1049, headers: headers({ 'X-Lognex-Retry-After': '1' }) });
      clock.advance(1);
      await flush();
    }
    const next = track(limiter, clock, 1);
    await flush();
    expect(next.got()).toBeUndefined();
    clock.advance(60_000 - 100);
    await flush();
    expect(next.got()).toBeDefined();
  });

  it('rejects a waiter when its signal aborts and keeps serving the others', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const limiter = new AdaptiveLimiter({ clock, maxConcurrency: 1 });
    const first = track(limiter, clock, 1);
    await flush();
    const ac = new AbortController();
    const aborted = limiter.acquire(1, ac.signal);
    const third = track(limiter, clock, 1);
    ac.abort(new Error('stop'));
    await expect(aborted).rejects.toThrow('stop');
    first.got()?.({ status: 200 });
    await flush();
    expect(third.got()).toBeDefined();
  });
});
