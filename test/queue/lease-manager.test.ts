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
    expect(await b.tryHold(key)).toBe(true); // released: b takes it at once (the limiter state travels with it)
    expect(await a.tryHold(key)).toBe(false);
    await b.release(key);
    expect(await a.tryHold(key)).toBe(true); // and back
    await a.release(key);

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
    clock.advance(500); // the next lease poll (500 ms by default here) takes it
    await waitUntil(() => got, 'the waiter got the lease');
    await (await waiting)();
  });

  it('B2 a released credential lease carries the holder state to the next owner, in the same statements', async () => {
    const { db } = getDb();
    const clock = new ManualClock({ autoAdvance: false });
    const log: string[] = [];
    const handover = (name: string) => ({
      snapshot: (key: string) => `${name}-state-of-${key}`,
      restore: (key: string, state: string | null) => void log.push(`${name} restored ${state ?? 'nothing'} for ${key}`),
    });
    const a = new LeaseManager({ db, clock, owner: 'worker-a', handover: handover('a') });
    const b = new LeaseManager({ db, clock, owner: 'worker-b', handover: handover('b') });
    const key = `ms-account:${Math.floor(Math.random() * 1e9)}`;
    expect(await a.tryHold(key)).toBe(true);
    expect(await a.tryHold(key)).toBe(true); // shared in-process: no second restore
    await a.release(key);
    expect(await b.tryHold(key)).toBe(false); // a's other job still runs
    await a.release(key);
    expect(await b.tryHold(key)).toBe(true);
    await b.releaseAll(); // shutdown hands over too
    expect(await a.tryHold(key)).toBe(true);
    expect(log).toEqual([`a restored nothing for ${key}`, `b restored a-state-of-${key} for ${key}`, `a restored b-state-of-${key} for ${key}`]);
    // a failing hand-over never blocks the lease itself
    const broken = new LeaseManager({
      db,
      clock,
      owner: 'worker-c',
      handover: {
        snapshot: () => {
          throw new Error('boom');
        },
        restore: () => {
          throw new Error('boom');
        },
      },
    });
    await a.release(key);
    expect(await broken.tryHold(key)).toBe(true);
    await broken.release(key);
    expect(await b.tryHold(key)).toBe(true);
    expect(log.at(-1)).toBe(`b restored nothing for ${key}`);
  });
});
