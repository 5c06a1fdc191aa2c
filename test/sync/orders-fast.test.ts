/**
 * Orders in seconds (P1–P3), end to end against the emulator over HTTP, on SQLite and PostgreSQL:
 * P1 a commit wakes the sender (no minute poll), P2 a backlog goes in array POSTs that a retry never
 * doubles, P3 in-flight rows of a killed process come back at once (same instance) or when their claim
 * runs out (another worker), never while the claimer is alive. "Killing" a worker = abandoning its
 * drain while it hangs between MoySklad's answer and the commit of the ids, and stopping its heartbeat.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Ticker } from '../../src/core/ticker.js';
import { CounterpartyRepository } from '../../src/store/repositories/counterparty-repository.js';
import { createOutboxSender, type OutboxSender } from '../../src/sync/outbox/outbox-sender.js';
import { createDatabase } from '../../src/store/database.js';
import { listenOutbox, notifyOutbox } from '../../src/store/outbox-notify.js';
import { OutboxRepository } from '../../src/store/repositories/outbox-repository.js';
import { dialects, postgresUnavailableReason, TEST_PG_URL } from '../helpers/databases.js';
import { ordersHarness, type OrdersHarness } from './orders-harness.js';

/** A ticker the test drives: `beat()` runs every tick registered (a live worker's heartbeat). */
function manualTicker(): { ticker: Ticker; beat(): Promise<void> } {
  const ticks = new Set<() => unknown>();
  return {
    ticker: (_ms, tick) => {
      ticks.add(tick);
      return () => ticks.delete(tick);
    },
    async beat() {
      for (const t of [...ticks]) await t();
    },
  };
}

/** Backlog: `clients` linked clients, the products known, `n` orders of 3 lines. */
async function backlog(h: OrdersHarness, n: number, clients = 5): Promise<number[]> {
  const ps = h.msProducts().slice(0, 3);
  await h.knowProducts(ps);
  const repo = new CounterpartyRepository(h.fx.db, h.clock);
  const ids: number[] = [];
  for (let c = 0; c < clients; c++) {
    const id = await h.client({ externalId: `C-${c}`, email: `b${c}@example.ru` });
    const ms = h.msCounterparty({ name: `Buyer ${c}`, email: `b${c}@example.ru` });
    await repo.link(id, h.fx.msAccountId, ms.id, 'email');
    ids.push(id);
  }
  const orders: number[] = [];
  for (let i = 0; i < n; i++) {
    const o = await h.order({
      externalId: `W-${i}`,
      counterpartyId: ids[i % clients]!,
      positions: ps.map((p, k) => ({ brand: p.brand, article: p.article, quantity: k + 1, priceKopecks: 1000 * (k + 1) })),
    });
    orders.push(o.id as number);
  }
  return orders;
}

/** Waits (on real time, briefly) until `cond` holds — for a drain parked in a hook. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 3000 && !cond(); i++) await new Promise<void>((r) => setTimeout(r, 5));
  if (!cond()) throw new Error('condition never held');
}

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  const block = skip ? describe.skip : describe;
  block(`orders in seconds (${dialect})${skip ? ` SKIPPED: PostgreSQL unreachable: ${skip}` : ''}`, () => {
    let h: OrdersHarness | undefined;
    const senders: OutboxSender[] = [];
    afterEach(async () => {
      for (const s of senders.splice(0)) await s.stop();
      await h?.dispose();
      h = undefined;
    });

    it('P1 the commit of an order, of a position change and of a counterparty change wakes the sender: in MoySklad without the minute poll', async () => {
      const late: { sender?: OutboxSender } = {};
      h = await ordersHarness(dialect, { wake: () => late.sender?.wake() });
      const hh = h;
      const beats = manualTicker();
      const sender = (late.sender = createOutboxSender({ db: hh.fx.db, clock: hh.clock, owner: 'p1', ticker: beats.ticker, drain: (signal) => hh.drain({ signal, owner: 'p1', ticker: beats.ticker }) }));
      senders.push(sender);
      await sender.start();
      await sender.idle();
      const ps = hh.msProducts().slice(0, 2);
      await hh.knowProducts(ps);
      const clientId = await hh.client({ externalId: 'C-P1', email: 'p1@example.ru' });
      const t0 = hh.clock.nowMs();
      const o = await hh.order({
        externalId: 'W-P1',
        counterpartyId: clientId,
        positions: ps.map((p) => ({ brand: p.brand, article: p.article, quantity: 1, priceKopecks: 500 })),
      });
      await sender.idle();
      expect(hh.customerOrders()).toHaveLength(1);
      expect(hh.customerOrders()[0]!.f.externalCode).toBe('W-P1');
      expect((await hh.api('GET', `/orders/${o.id}`)).json).toMatchObject({ exportState: 'sent', msOrderId: hh.customerOrders()[0]!.id });
      // no minute poll happened in between: the clock moved by what the sends took, far below a minute
      expect(hh.clock.nowMs() - t0).toBeLessThan(2_000);

      const rejected = await hh.api('PATCH', `/orders/${o.id}/positions/${o.positions[1].id}`, { status: 'rejected' });
      expect(rejected.status).toBe(200);
      await sender.idle();
      expect(hh.positionsOf(hh.customerOrders()[0]!)).toHaveLength(1);

      const renamed = await hh.api('PATCH', `/clients/${clientId}`, { email: 'p1.new@example.ru' });
      expect(renamed.status).toBe(200);
      await sender.idle();
      const link = await new CounterpartyRepository(hh.fx.db, hh.clock).findLink(clientId, hh.fx.msAccountId);
      expect(hh.account.counterparties.find((c) => c.id === link!.msCounterpartyId)!.f.email).toBe('p1.new@example.ru');
      expect(hh.clock.nowMs() - t0).toBeLessThan(2_000);
      expect((await hh.outbox()).map((r) => r.state)).toEqual(['sent', 'sent', 'sent']);
    });

    it('P1 wakes during a drain make it drain once more: no commit is left for the poll', async () => {
      h = await ordersHarness(dialect);
      const hh = h;
      await backlog(hh, 1, 1);
      let drains = 0;
      let release: (() => void) | undefined;
      const sender = createOutboxSender({
        db: hh.fx.db,
        clock: hh.clock,
        owner: 'p1b',
        ticker: manualTicker().ticker,
        drain: async (signal) => {
          drains += 1;
          if (drains === 1) await new Promise<void>((r) => (release = r));
          return hh.drain({ signal, owner: 'p1b' });
        },
      });
      senders.push(sender);
      await sender.start();
      await until(() => release !== undefined);
      sender.wake();
      sender.wake();
      sender.wake();
      release!();
      await sender.idle();
      expect(drains).toBe(2);
      expect(hh.customerOrders()).toHaveLength(1);
    });

    it('P3 a restarted single process takes its own in-flight rows back at once, not another live worker\'s', async () => {
      h = await ordersHarness(dialect);
      const [mine, theirs] = await backlog(h, 2, 1);
      const rows = await h.outbox();
      const store = new OutboxRepository(h.fx.db, h.clock);
      const far = new Date(h.clock.nowMs() + 40_000);
      expect(await store.claim(rows.find((r) => r.aggregateId === String(mine))!.id, { owner: 'host-a:start', expiresAt: far })).toBe(true);
      expect(await store.claim(rows.find((r) => r.aggregateId === String(theirs))!.id, { owner: 'host-b:77', expiresAt: far })).toBe(true);
      const hh = h;
      const sender = createOutboxSender({ db: hh.fx.db, clock: hh.clock, owner: 'host-a:start', ticker: manualTicker().ticker, drain: (signal) => hh.drain({ signal, owner: 'host-a:start', ticker: manualTicker().ticker }) });
      senders.push(sender);
      expect(await sender.start()).toBe(1);
      await sender.idle();
      expect(hh.customerOrders().map((o) => o.f.externalCode)).toEqual(['W-0']);
      expect((await hh.outbox()).map((r) => r.state)).toEqual(['sent', 'running']);
    });

    it('P2 a backlog of 40 orders × 3 lines with known counterparties and products goes in 2 requests: one counterparty check, one array POST', async () => {
      h = await ordersHarness(dialect);
      const orders = await backlog(h, 40);
      const report = await h.drain();
      expect(report).toMatchObject({ claimed: 40, sent: 40, failed: 0, retried: 0, requests: 2 });
      expect(h.customerOrders()).toHaveLength(40);
      for (const id of orders) {
        const o = (await h.api('GET', `/orders/${id}`)).json;
        const ms = h.customerOrders().find((e) => e.id === o.msOrderId)!;
        expect(ms.f.syncId).toBeTruthy();
        expect(o.exportState).toBe('sent');
        expect(o.positions.map((p: { msPositionId: string }) => p.msPositionId)).toEqual(h.positionsOf(ms).map((p) => p.id));
        expect(h.positionsOf(ms).map((p) => [p.quantity, p.price])).toEqual([
          [1, 1000],
          [2, 2000],
          [3, 3000],
        ]);
      }
    });

    it('P2 an order MoySklad refuses inside the array answer is handled alone, exactly as a single export; the others are created', async () => {
      h = await ordersHarness(dialect);
      const orders = await backlog(h, 6, 2);
      // One order's card disappears from MoySklad after the store knew it: MoySklad refuses that item (412/1021).
      const lonely = h.msProducts()[5]!;
      await h.knowProducts([lonely]);
      const bad = await h.order({ externalId: 'W-BAD', counterpartyId: (await h.api('GET', `/orders/${orders[0]}`)).json.counterpartyId, positions: [{ brand: lonely.brand, article: lonely.article, quantity: 1, priceKopecks: 1 }] });
      h.account.deleteEntity('product', lonely.id);
      const report = await h.drain();
      expect(report).toMatchObject({ claimed: 7, sent: 6, failed: 1 });
      expect(h.customerOrders()).toHaveLength(6);
      const failed = (await h.api('GET', `/orders/${bad.id}`)).json;
      expect(failed.exportState).toBe('failed');
      expect(failed.exportError).toContain('moysklad_request_failed');
    });

    it('P2 killed between the array POST and the commit of its ids: the restarted worker resends the batch and nothing is lost or doubled', async () => {
      h = await ordersHarness(dialect);
      const orders = await backlog(h, 25);
      let parked = false;
      h.hooks.afterBatchCreated = () => {
        parked = true;
        return new Promise<void>(() => undefined); // the process dies here: never resumes
      };
      const dead = manualTicker();
      void h.drain({ owner: 'host-a:start', ticker: dead.ticker });
      await until(() => parked);
      expect(h.customerOrders()).toHaveLength(25); // MoySklad has them; the store does not know yet
      expect(await h.fx.db.selectFrom('orders').select('id').where('msOrderId', 'is not', null).execute()).toEqual([]);
      h.hooks.afterBatchCreated = undefined;

      // P3 the same instance restarts: its own in-flight rows are taken back at once (no waiting).
      const hh = h;
      const t0 = hh.clock.nowMs();
      const beats = manualTicker();
      const sender = createOutboxSender({ db: hh.fx.db, clock: hh.clock, owner: 'host-a:start', ticker: beats.ticker, drain: (signal) => hh.drain({ signal, owner: 'host-a:start', ticker: beats.ticker }) });
      senders.push(sender);
      expect(await sender.start()).toBe(25);
      await sender.idle();
      expect(hh.clock.nowMs() - t0).toBeLessThan(5_000);
      expect(hh.customerOrders()).toHaveLength(25);
      for (const id of orders) {
        const o = (await hh.api('GET', `/orders/${id}`)).json;
        expect(o.exportState).toBe('sent');
        expect(hh.customerOrders().filter((e) => e.id === o.msOrderId)).toHaveLength(1);
        expect(o.positions.every((p: { msPositionId: string | null }) => p.msPositionId !== null)).toBe(true);
      }
      expect(hh.customerOrders().reduce((n, e) => n + hh.positionsOf(e).length, 0)).toBe(75);
    });

    it('P3 with several workers a dead worker’s claims run out within 60 s, never while it is alive and sending', async () => {
      h = await ordersHarness(dialect);
      await backlog(h, 10, 2);
      let release: (() => void) | undefined;
      h.hooks.afterBatchCreated = () => new Promise<void>((r) => (release = r));
      const a = manualTicker();
      const sending = h.drain({ owner: 'worker-a', ticker: a.ticker });
      await until(() => release !== undefined);
      h.hooks.afterBatchCreated = undefined;

      // Worker B looks every 10 s for 2 minutes while A is alive (its heartbeat runs) and still sending.
      const b = manualTicker();
      const hh = h;
      const senderB = createOutboxSender({ db: hh.fx.db, clock: hh.clock, owner: 'worker-b', ticker: b.ticker, drain: (signal) => hh.drain({ signal, owner: 'worker-b', ticker: b.ticker }) });
      senders.push(senderB);
      await senderB.start();
      for (let s = 0; s < 12; s++) {
        hh.clock.advance(10_000);
        await a.beat(); // A's heartbeat
        await b.beat(); // B's expiry check
        await senderB.idle();
        expect((await hh.outbox()).filter((r) => r.state === 'running')).toHaveLength(10);
      }
      release!();
      expect(await sending).toMatchObject({ sent: 10 });
      expect(hh.customerOrders()).toHaveLength(10);

      // A second backlog; this time A dies after the POST (no more heartbeats).
      const more: Array<{ id: number }> = [];
      for (let i = 0; i < 5; i++) {
        const first = (await hh.api('GET', '/orders?limit=1')).json.items[0];
        more.push(await hh.order({ externalId: `W-late-${i}`, counterpartyId: first.counterpartyId, positions: [{ brand: first.positions[0].brand, article: first.positions[0].article, quantity: 1, priceKopecks: 1 }] }));
      }
      let parked = false;
      hh.hooks.afterBatchCreated = () => {
        parked = true;
        return new Promise<void>(() => undefined);
      };
      const dying = manualTicker();
      void hh.drain({ owner: 'worker-a', ticker: dying.ticker });
      await until(() => parked);
      hh.hooks.afterBatchCreated = undefined;
      const diedAt = hh.clock.nowMs();
      let resumedAfter: number | null = null;
      for (let s = 0; s < 6 && resumedAfter === null; s++) {
        hh.clock.advance(10_000);
        await b.beat();
        await senderB.idle();
        const rows = (await hh.outbox()).filter((r) => more.some((o) => String(o.id) === r.aggregateId));
        if (rows.every((r) => r.state === 'sent')) resumedAfter = hh.clock.nowMs() - diedAt;
      }
      expect(resumedAfter).not.toBeNull();
      expect(resumedAfter!).toBeLessThanOrEqual(60_000);
      expect(hh.customerOrders()).toHaveLength(15);
    });
  });
}

const pgSkip = postgresUnavailableReason();
(pgSkip ? describe.skip : describe)(`orders in seconds across processes (postgres)${pgSkip ? ` SKIPPED: PostgreSQL unreachable: ${pgSkip}` : ''}`, () => {
  it('P1 a commit in another process wakes the sender through PostgreSQL NOTIFY', async () => {
    const store = createDatabase({ databaseUrl: TEST_PG_URL, dataDir: '.' });
    let woken = 0;
    const close = await listenOutbox(TEST_PG_URL, () => (woken += 1));
    try {
      await notifyOutbox(store.db);
      await until(() => woken > 0);
      expect(woken).toBe(1);
      // NOTIFY inside a transaction is delivered at its commit, not before
      await store.db.transaction().execute(async (tx) => {
        await notifyOutbox(tx);
        await new Promise((r) => setTimeout(r, 50));
        expect(woken).toBe(1);
      });
      await until(() => woken > 1);
      expect(woken).toBe(2);
    } finally {
      await close();
      await store.destroy();
    }
  });
});
