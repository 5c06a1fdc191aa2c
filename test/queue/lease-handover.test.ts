/**
 * The credential's rate-limit state travels with its lease: two "processes" (two client pools and two
 * lease managers on one database) take turns on one MoySklad account of the emulator (limits on, over the
 * emulator's HTTP interface, one ManualClock in autoAdvance mode). The process taking the lease over
 * continues the releasing one's limiter instead of assuming a full bucket, so the hand-over costs no 429.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { createEmulator, type Emulator } from '../../src/emulator/index.js';
import type { RequestEvent } from '../../src/moysklad/client.js';
import { LeaseManager } from '../../src/queue/lease-manager.js';
import { accountLeaseKey, MoySkladClientPool } from '../../src/sync/client-pool.js';
import { forEachDialect } from '../helpers/databases.js';
import { seedAccountRow } from '../helpers/seed-integration.js';

let emulator: Emulator | undefined;
afterEach(async () => {
  await emulator?.close();
  emulator = undefined;
});

forEachDialect((getDb) => {
  it('B2 a second lease holder starts from the released limiter state: it waits instead of bursting into 429s', async () => {
    const { db } = getDb();
    const clock = new ManualClock({ autoAdvance: true });
    const login = `handover${randomBytes(3).toString('hex')}@shop`;
    emulator = createEmulator({ clock, accounts: [{ login, password: 'pw', seed: { kind: 'generated', products: 10, seed: 1 } }] });
    const secretBox = new SecretBox(randomBytes(32));
    const now = new Date(clock.nowMs()).toISOString();
    const id = await seedAccountRow(db, {
      now,
      secretBox,
      baseUrl: emulator.apiBaseUrl,
      account: { label: login, authKind: 'password', login, credentialKey: login, secret: 'pw' },
    });
    const key = accountLeaseKey(id);
    const sent: Array<{ process: string; atMs: number }> = [];
    /** One worker process: its client pool (one client + limiter per credential) and its leases. */
    const proc = (name: string, withHandover: boolean) => {
      const pool = new MoySkladClientPool({ db, secretBox, clock, fetch: emulator!.fetch, onRequest: (e: RequestEvent) => sent.push({ process: name, atMs: clock.nowMs() - e.durationMs }) });
      const leases = new LeaseManager({ db, clock, owner: name, pollMs: 100, ...(withHandover ? { handover: pool.leaseHandover() } : {}) });
      return {
        /** Takes the lease, sends `n` requests at once through the pool's client, releases. */
        async burst(n: number): Promise<void> {
          const release = await leases.hold(key);
          const client = await pool.forAccount(id);
          await Promise.all(Array.from({ length: n }, () => client.stores()));
          await release();
        },
      };
    };
    const a = proc('worker-a', true);
    const b = proc('worker-b', true);
    const tooMany = (): number => emulator!.stats().tooMany;

    // a spends the whole bucket (20 requests > 45 units), then b takes over at once and does the same
    await a.burst(20);
    expect(tooMany()).toBe(0);
    const handedOverAt = clock.nowMs();
    await b.burst(20);
    expect(tooMany()).toBe(0);
    const bFirst = Math.min(...sent.filter((x) => x.process === 'worker-b').map((x) => x.atMs));
    expect(bFirst).toBeGreaterThan(handedOverAt); // it waited for the refill instead of sending at once
    // and back to a, whose own limiter did not see b's traffic: it continues from b's state
    await a.burst(20);
    expect(tooMany()).toBe(0);

    // control: a process that takes the lease over WITHOUT the state bursts a "full" bucket into 429s
    const c = proc('worker-c', false);
    await c.burst(20);
    expect(tooMany()).toBeGreaterThan(0);
  });
});
