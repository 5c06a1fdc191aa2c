import { expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { LeaseManager } from '../../src/queue/lease-manager.js';
import { forEachDialect } from '../helpers/databases.js';
import { waitUntil } from './helpers.js';

forEachDialect((getDb) => {
  it('B2 a credential lease has one owner, is shared inside its process, and is taken over only after it expires', async () => {
    const { db } = getDb();
    const clock = new ManualClock({ autoAdvance: false });
    const a = new LeaseManager({ db, clock, owner: 'worker-a', ttlMs: 60_000 });
    const b = new LeaseManager({ db, clock, owner: 'worker-b', ttlMs: 60_000 });
    const key = `ms-account:${Math.floor(Math.random() * 1e9)}`;

    expect(await a.tryHold(key)).toBe(true);
    expect(await a.tryHold(key)).toBe(true); // a second job of the same credential in the same process
    expect(await b.tryHold(key)).toBe(false);
    await a.release(key);
    expect(await b.tryHold(key)).toBe(false); // still held by a's other job
    await a.release(key);
    expect(await b.tryHold(key)).toBe(false); // released, but a's requests may still fill MoySklad's bucket
    expect(await a.tryHold(key)).toBe(true); // a (same limiter) takes it back at once
    await a.release(key);
    clock.advance(3200);
    expect(await b.tryHold(key)).toBe(true); // a bucket interval after the release: b takes it
    await b.release(key);
    clock.advance(3200);

    // a holds it and keeps renewing; b cannot take it
    expect(await a.tryHold(key)).toBe(true);
    clock.advance(45_000);
    expect(await a.renewAll()).toEqual([]);
    clock.advance(45_000);
    expect(await b.tryHold(key)).toBe(false);
    // a stops renewing (crashed): after the TTL b takes over, and a learns it lost the lease
    clock.advance(61_000);
    expect(await b.tryHold(key)).toBe(true);
    expect(await a.renewAll()).toEqual([key]);

    // a waiter blocks on the clock until the holder releases
    let got = false;
    const waiting = a.hold(key).then((release) => {
      got = true;
      return release;
    });
    await waitUntil(() => clock.pendingSleepers > 0, 'the waiter tried and now sleeps on the clock');
    clock.advance(500);
    await waitUntil(() => clock.pendingSleepers > 0, 'the waiter tried again');
    expect(got).toBe(false);
    await b.release(key);
    await waitUntil(() => {
      // only after the hand-over pause (3.1 s) following b's release
      clock.advance(500);
      return got;
    }, 'the waiter got the lease');
    await (await waiting)();
  });
});
