import { describe, expect, it } from 'vitest';
import { ManualClock } from '../core/clock.js';
import { AdaptiveLimiter, parseLimiterSnapshot, requestWeight, type ReleaseFn } from './limiter.js';

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

  it('B2 spends the full bucket as a burst (11 requests of weight 4), then paces at the refill rate of 15 units/s', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const limiter = new AdaptiveLimiter({ clock, maxConcurrency: 100 });
    const t0 = clock.nowMs();
    const burst = Array.from({ length: 11 }, () => track(limiter, clock, 4));
    const twelfth = track(limiter, clock, 4);
    const thirteenth = track(limiter, clock, 4);
    await flush();
    expect(burst.every((t) => t.at() === t0)).toBe(true);
    for (const t of burst) t.got()?.({ status: 200 });
    await flush();
    // 44 of 45 units spent: the 12th needs 3 more units, 200 ms of refill; the 13th 4 more, 267 ms.
    clock.advance(199);
    await flush();
    expect(twelfth.got()).toBeUndefined();
    clock.advance(1);
    await flush();
    expect(twelfth.at()).toBe(t0 + 200);
    twelfth.got()?.({ status: 200 });
    clock.advance(266);
    await flush();
    expect(thirteenth.got()).toBeUndefined();
    clock.advance(1);
    await flush();
    expect(thirteenth.at()).toBe(t0 + 467);
  });

  it('B2 a long run of weight-4 requests takes the burst plus one request per 267 ms, never more than the bucket allows', async () => {
    const clock = new ManualClock({ autoAdvance: true });
    const limiter = new AdaptiveLimiter({ clock });
    const t0 = clock.nowMs();
    const sent: number[] = [];
    await Promise.all(
      Array.from({ length: 101 }, async () => {
        const release = await limiter.acquire(4);
        sent.push(clock.nowMs() - t0);
        await clock.sleep(300); // the response takes 300 ms
        release({ status: 200 });
      }),
    );
    // 101 × 4 units, 45 of them in the full bucket at the start, the rest at 45 units per 3000 ms.
    expect(sent.at(-1)).toBeGreaterThanOrEqual(((101 * 4 - 45) * 3000) / 45);
    // At most one response time more: while the first four are in flight the bucket is full but for them.
    expect(sent.at(-1)).toBeLessThanOrEqual(((101 * 4 - 45) * 3000) / 45 + 300 + 101);
    // A continuous bucket of 45 units refilling 15 units/s: no span of sends exceeds it.
    for (let i = 0; i < sent.length; i++)
      for (let j = i; j < sent.length; j++) expect((j - i + 1) * 4).toBeLessThanOrEqual(45 + (((sent[j] as number) - (sent[i] as number)) * 45) / 3000 + 1e-6);
  });

  it('B2 the modelled bucket does not refill past the units in flight (the server may charge them late)', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const limiter = new AdaptiveLimiter({ clock, maxConcurrency: 100 });
    const slow = track(limiter, clock, 4);
    await flush();
    clock.advance(10_000);
    const more = Array.from({ length: 11 }, () => track(limiter, clock, 4));
    await flush();
    // 41 units at most while 4 are in flight: 10 go, the 11th waits for the slow one.
    expect(more.filter((t) => t.got()).length).toBe(10);
    clock.advance(5_000);
    await flush();
    expect(more[10]?.got()).toBeUndefined();
    slow.got()?.({ status: 200 });
    await flush();
    expect(more[10]?.got()).toBeUndefined();
    clock.advance(200); // 1 unit left + 200 ms × 15/s = 4
    await flush();
    expect(more[10]?.got()).toBeDefined();
  });

  it('B2 after a 429/1049 paces by the conservative sliding window for a minute, then by the bucket again', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const limiter = new AdaptiveLimiter({ clock, maxConcurrency: 100, marginMs: 0 });
    const a = track(limiter, clock, 3);
    await flush();
    a.got()?.({ status: 429, msCode: 1049, headers: headers({ 'X-Lognex-Retry-After': '100' }) });
    expect(limiter.stats().mode).toBe('window');
    clock.advance(3_000);
    await flush();
    // The window: 15 requests of weight 3, each booked until 3000 ms after its response.
    const ts = Array.from({ length: 16 }, () => track(limiter, clock, 3));
    await flush();
    expect(ts.filter((t) => t.got()).length).toBe(15);
    for (const t of ts) t.got()?.({ status: 200 });
    clock.advance(2_999);
    await flush();
    expect(ts[15]?.got()).toBeUndefined(); // the bucket alone would have let it go after 200 ms
    clock.advance(1);
    await flush();
    expect(ts[15]?.got()).toBeDefined();
    ts[15]?.got()?.({ status: 200 });
    clock.advance(60_000);
    expect(limiter.stats().mode).toBe('bucket');
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

  it('B2 takes from the bucket the units the server reports as spent (X-RateLimit-Remaining) by another process', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const limiter = new AdaptiveLimiter({ clock, marginMs: 0 });
    const a = track(limiter, clock, 3);
    await flush();
    // The server says only 3 units remain although we spent 3 of 45.
    a.got()?.({ status: 200, headers: headers({ 'X-RateLimit-Limit': '45', 'X-RateLimit-Remaining': '3', 'X-Lognex-Reset': '2800' }) });
    const b = track(limiter, clock, 3);
    await flush();
    expect(b.got()).toBeDefined();
    b.got()?.({ status: 200 });
    const c = track(limiter, clock, 3);
    await flush();
    expect(c.got()).toBeUndefined();
    expect(limiter.stats().tokens).toBeLessThanOrEqual(1);
    clock.advance(200);
    await flush();
    expect(c.got()).toBeDefined();
  });

  it('B2 its own requests answered out of order are not mistaken for another process', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const limiter = new AdaptiveLimiter({ clock, maxConcurrency: 100 });
    const first = track(limiter, clock, 4);
    const second = track(limiter, clock, 4);
    await flush();
    // The second reached the server first: the server charged both before answering the first.
    second.got()?.({ status: 200, headers: headers({ 'X-RateLimit-Limit': '45', 'X-RateLimit-Remaining': '41' }) });
    first.got()?.({ status: 200, headers: headers({ 'X-RateLimit-Limit': '45', 'X-RateLimit-Remaining': '37' }) });
    expect(limiter.stats().tokens).toBe(37);
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

describe('AdaptiveLimiter hand-over (snapshot/restore with the credential lease)', () => {
  it('B2 a limiter restored from a released snapshot waits for the refill instead of bursting a full bucket', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const first = new AdaptiveLimiter({ clock, maxConcurrency: 100 });
    const t0 = clock.nowMs();
    // the first holder spends the whole bucket: 15 requests of weight 3
    const burst = Array.from({ length: 15 }, () => track(first, clock, 3));
    await flush();
    expect(burst.every((t) => t.at() === t0)).toBe(true);
    for (const t of burst) t.got()?.({ status: 200 });
    clock.advance(100); // releases its lease 100 ms later: 1.5 units refilled
    const snap = JSON.parse(JSON.stringify(first.snapshot())) as unknown; // through storage as JSON
    expect(parseLimiterSnapshot(snap)).toMatchObject({ v: 1, capacity: 45, intervalMs: 3000, tokens: 1.5, inFlightUnits: 0 });
    clock.advance(50); // the other process takes the lease
    const second = new AdaptiveLimiter({ clock, maxConcurrency: 100 });
    second.restore(parseLimiterSnapshot(snap)!);
    expect(second.stats().tokens).toBeCloseTo(2.25, 5); // 1.5 + 50 ms × 15 units/s
    const next = track(second, clock, 3);
    await flush();
    expect(next.got()).toBeUndefined(); // a fresh limiter would have sent at once (45 units)
    clock.advance(49); // 0.75 units more need 50 ms
    await flush();
    expect(next.got()).toBeUndefined();
    clock.advance(1);
    await flush();
    expect(next.at()).toBe(t0 + 200); // exactly when the first holder's limiter would have sent it
  });

  it('B2 restoring is never less careful: a stale snapshot leaves a full bucket, a fuller snapshot does not raise a spent one', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const idle = new AdaptiveLimiter({ clock });
    const fullSnap = idle.snapshot();
    const spent = new AdaptiveLimiter({ clock, maxConcurrency: 100 });
    const ts = Array.from({ length: 10 }, () => track(spent, clock, 3));
    await flush();
    for (const t of ts) t.got()?.({ status: 200 });
    const spentSnap = spent.snapshot();
    spent.restore(fullSnap);
    expect(spent.stats().tokens).toBe(15); // kept its own, lower level
    clock.advance(3_000); // a whole interval later the snapshot is stale: the bucket is full
    const fresh = new AdaptiveLimiter({ clock });
    fresh.restore(spentSnap);
    expect(fresh.stats().tokens).toBe(45);
    // a snapshot from the future (clock skew between machines) is taken as is, not refilled
    const skewed = new AdaptiveLimiter({ clock });
    skewed.restore({ ...spentSnap, atMs: clock.nowMs() + 500 });
    expect(skewed.stats().tokens).toBe(15);
  });

  it('B2 a pause after a 429 and the conservative window travel with the snapshot', async () => {
    const clock = new ManualClock({ autoAdvance: false });
    const first = new AdaptiveLimiter({ clock, maxConcurrency: 100, marginMs: 0 });
    const a = track(first, clock, 3);
    await flush();
    a.got()?.({ status: 429, msCode: 1049, headers: headers({ 'X-Lognex-Retry-After': '2000' }) });
    const second = new AdaptiveLimiter({ clock, maxConcurrency: 100, marginMs: 0 });
    second.restore(first.snapshot());
    expect(second.stats()).toMatchObject({ mode: 'window', pausedUntilMs: clock.nowMs() + 2000 });
    const b = track(second, clock, 3);
    clock.advance(1_999);
    await flush();
    expect(b.got()).toBeUndefined();
    clock.advance(1);
    await flush();
    expect(b.got()).toBeDefined();
  });

  it('B2 parseLimiterSnapshot refuses what is not a snapshot (then nothing is restored)', () => {
    const clock = new ManualClock({ autoAdvance: false });
    const good = new AdaptiveLimiter({ clock }).snapshot();
    expect(parseLimiterSnapshot(JSON.stringify(good))).toEqual(good);
    expect(parseLimiterSnapshot(null)).toBeUndefined();
    expect(parseLimiterSnapshot('not json')).toBeUndefined();
    expect(parseLimiterSnapshot({ ...good, v: 2 })).toBeUndefined();
    expect(parseLimiterSnapshot({ ...good, tokens: 'x' })).toBeUndefined();
    expect(parseLimiterSnapshot({ ...good, capacity: 0 })).toBeUndefined();
    expect(parseLimiterSnapshot({ ...good, booked: [{ units: -1, expiresAtMs: 1 }] })).toBeUndefined();
  });
});
