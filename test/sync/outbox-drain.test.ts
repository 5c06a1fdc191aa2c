/**
 * The outbox drain's claim, states and backoff (B1) on SQLite and PostgreSQL: one claimer wins,
 * never two rows of one order at once, concurrent drains export each order exactly once, crashed
 * workers' rows come back, and the handler outcome decides sent / retry / failed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import type { Kysely, KyselyPlugin } from 'kysely';
import type { Database } from '../../src/store/schema.js';
import { ExportDeferred, ExportError } from '../../src/sync/outbox/export-error.js';
import { OutboxRepository } from '../../src/store/repositories/outbox-repository.js';
import { drainOutbox, outboxBackoffMs, retryOutboxItem, type OutboxHandler } from '../../src/sync/outbox/outbox-drain.js';
import { createOrderSyncKinds } from '../../src/sync/orders/order-outbox.js';
import { dialects, openTestDatabase, postgresUnavailableReason, type TestDatabase } from '../helpers/databases.js';
import { ordersHarness, type OrdersHarness } from './orders-harness.js';

async function addRow(db: Kysely<Database>, clock: ManualClock, aggregateId: string, kind = 'test.kind'): Promise<number> {
  const now = clock.now().toISOString();
  const r = await db
    .insertInto('outbox')
    .values({ kind, integrationId: null, aggregateType: 'order', aggregateId, payload: '{}', nextAttemptAt: now, lastError: null, dedupeKey: null, createdAt: now, updatedAt: now, sentAt: null })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(r.id);
}

const silentRunDeps = (db: Kysely<Database>, clock: ManualClock) => ({ db, clock, log: { write: () => undefined } });

for (const dialect of dialects) {
  const skip = dialect === 'postgres' ? postgresUnavailableReason() : null;
  const block = skip ? describe.skip : describe;
  block(`outbox drain (${dialect})${skip ? ` SKIPPED: PostgreSQL unreachable: ${skip}` : ''}`, () => {
    let tdb: TestDatabase | undefined;
    let h: OrdersHarness | undefined;
    afterEach(async () => {
      await tdb?.dispose();
      await h?.dispose();
      tdb = undefined;
      h = undefined;
    });

    it('B1 exactly one of many concurrent claims of a row wins', async () => {
      tdb = await openTestDatabase(dialect);
      const clock = new ManualClock();
      const id = await addRow(tdb.db, clock, '1');
      const stores = Array.from({ length: 8 }, () => new OutboxRepository(tdb!.db, clock));
      const wins = await Promise.all(stores.map((s) => s.claim(id)));
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect((await stores[0]!.get(id))).toMatchObject({ state: 'running', attempts: 1 });
    });

    it('B1 a second row of the same order cannot be claimed while the first runs', async () => {
      tdb = await openTestDatabase(dialect);
      const clock = new ManualClock();
      const store = new OutboxRepository(tdb.db, clock);
      const a = await addRow(tdb.db, clock, '7');
      const b = await addRow(tdb.db, clock, '7');
      const other = await addRow(tdb.db, clock, '8');
      expect(await store.claim(a)).toBe(true);
      expect(await store.claim(b)).toBe(false);
      expect(await store.claim(other)).toBe(true);
      await store.markSent(a);
      expect(await store.claim(b)).toBe(true);
    });

    it('B1 a row coalesced into a running row can never be claimed while the running row is settled (no second export of the order)', async () => {
      tdb = await openTestDatabase(dialect);
      const clock = new ManualClock();
      const raw = new OutboxRepository(tdb.db, clock);
      const a = await addRow(tdb.db, clock, '5');
      const b = await addRow(tdb.db, clock, '5');
      expect(await raw.claim(a)).toBe(true);
      // A competing drain tries to claim b right after EVERY statement the settling repository runs:
      // on PostgreSQL on another pooled connection before the repository goes on; on SQLite (one
      // connection, FIFO) queued so that it runs before the repository's next statement.
      const competitor: Promise<boolean>[] = [];
      const interleave: KyselyPlugin = {
        transformQuery: (args) => args.node,
        transformResult: async (args) => {
          const attempt = raw.claim(b);
          competitor.push(attempt);
          if (dialect === 'postgres') await attempt;
          return args.result;
        },
      };
      await new OutboxRepository(tdb.db.withPlugin(interleave), clock).markSent(a, [b]);
      const won = await Promise.all(competitor);
      expect(won.length).toBeGreaterThan(0);
      expect(won.every((w) => !w)).toBe(true);
      expect(await raw.get(a)).toMatchObject({ state: 'sent', lastError: null });
      expect(await raw.get(b)).toMatchObject({ state: 'sent', lastError: `coalesced into outbox item ${a}` });
    });

    it('B1 handler outcomes: sent, deferred, retried with backoff, failed; manual retry; stale running rows come back', async () => {
      tdb = await openTestDatabase(dialect);
      const clock = new ManualClock();
      const db = tdb.db;
      const ok = await addRow(db, clock, '1');
      const later = await addRow(db, clock, '2');
      const flaky = await addRow(db, clock, '3');
      const broken = await addRow(db, clock, '4');
      const seen: string[] = [];
      const handler: OutboxHandler = async (item) => {
        seen.push(item.aggregateId);
        if (item.aggregateId === '2') throw new ExportDeferred('purchase_orders_off', 'skipped: option off', 3_600_000);
        if (item.aggregateId === '3') throw Object.assign(new Error('socket hang up'));
        if (item.aggregateId === '4') throw new ExportError('product_unresolved', 'MoySklad refused the data');
        return { counts: { done: 1 } };
      };
      const handlers = new Map([['test.kind', handler]]);
      const r = await drainOutbox({ db, clock, runDeps: silentRunDeps(db, clock), handlers });
      expect(r).toMatchObject({ claimed: 4, sent: 1, deferred: 1, retried: 1, failed: 1 });
      const store = new OutboxRepository(db, clock);
      expect(await store.get(ok)).toMatchObject({ state: 'sent' });
      expect(await store.get(later)).toMatchObject({ state: 'pending', lastError: expect.stringContaining('option off') });
      expect((await store.get(later))!.nextAttemptAt).toBe(new Date(clock.nowMs() + 3_600_000).toISOString());
      expect(await store.get(flaky)).toMatchObject({ state: 'pending', attempts: 1, nextAttemptAt: new Date(clock.nowMs() + outboxBackoffMs(1)).toISOString() });
      expect(await store.get(broken)).toMatchObject({ state: 'failed', lastError: expect.stringContaining('product_unresolved') });
      expect((await store.list({ state: 'failed' })).map((r) => r.id)).toEqual([broken]);
      expect(await store.stateCounts()).toEqual({ pending: 2, running: 0, sent: 1, failed: 1 });

      // nothing due now; after the backoff only the flaky one runs again, with a longer backoff
      expect(await drainOutbox({ db, clock, runDeps: silentRunDeps(db, clock), handlers })).toMatchObject({ claimed: 0 });
      clock.advance(outboxBackoffMs(1));
      expect(await drainOutbox({ db, clock, runDeps: silentRunDeps(db, clock), handlers })).toMatchObject({ claimed: 1, retried: 1 });
      expect((await store.get(flaky))!.nextAttemptAt).toBe(new Date(clock.nowMs() + outboxBackoffMs(2)).toISOString());

      // a failed one runs again only when retried by hand
      expect(await retryOutboxItem({ db, clock }, broken)).toMatchObject({ state: 'pending' });
      seen.length = 0;
      await drainOutbox({ db, clock, runDeps: silentRunDeps(db, clock), handlers });
      expect(seen).toEqual(['4']);

      // a crashed worker's running row is put back after the stale timeout
      const crashed = await addRow(db, clock, '9');
      expect(await store.claim(crashed)).toBe(true);
      clock.advance(16 * 60_000);
      seen.length = 0;
      await drainOutbox({ db, clock, runDeps: silentRunDeps(db, clock), handlers: new Map([['test.kind', async (item) => void seen.push(item.aggregateId)]]) });
      expect(seen).toContain('9');
      expect(await store.get(crashed)).toMatchObject({ state: 'sent' });
      // one sync_runs record per drain that did work, with counts
      const runs = await db.selectFrom('syncRuns').selectAll().where('kind', '=', 'outbox').execute();
      expect(runs.length).toBeGreaterThanOrEqual(4);
    });

    it('B1 two drains racing over the same backlog export every order exactly once', async () => {
      h = await ordersHarness(dialect);
      const ps = h.msProducts().slice(0, 2);
      await h.knowProducts(ps);
      const clients = [await h.client({ externalId: 'R-1', email: 'r1@example.ru' }), await h.client({ externalId: 'R-2', inn: '7707083893' })];
      const orderIds: number[] = [];
      for (let i = 0; i < 12; i++) {
        const o = await h.order({ externalId: `RACE-${i}`, counterpartyId: clients[i % 2]!, positions: ps.map((p) => ({ brand: p.brand, article: p.article, quantity: i + 1, priceKopecks: 100 })) });
        orderIds.push(o.id);
        // an update right after: a second outbox row for the same order
        if (i % 3 === 0) await h.api('PATCH', `/orders/${o.id}`, { comment: `changed ${i}` });
      }
      const [a, b] = await Promise.all([h.drain({ concurrency: 3 }), h.drain({ concurrency: 3 })]);
      // whatever one drain skipped as busy, a later drain finishes
      await h.drain();
      expect(a.failed + b.failed).toBe(0);
      expect(h.customerOrders()).toHaveLength(12);
      const bySync = new Set(h.customerOrders().map((o) => o.f.syncId));
      expect(bySync.size).toBe(12);
      for (const o of h.customerOrders()) expect(h.positionsOf(o)).toHaveLength(2);
      // exactly one MoySklad counterparty per store client
      expect(h.account.counterparties.filter((c) => c.f.email === 'r1@example.ru')).toHaveLength(1);
      expect(h.account.counterparties.filter((c) => c.f.inn === '7707083893')).toHaveLength(1);
      const rows = await h.outbox();
      expect(rows.every((r) => r.state === 'sent')).toBe(true);
      for (const id of orderIds) expect((await h.api('GET', `/orders/${id}`)).json.exportState).toBe('sent');
      const changed = h.customerOrders().filter((o) => String(o.f.description ?? '').startsWith('changed'));
      expect(changed).toHaveLength(4);
    });

    it('B1 the `outbox` sync kind drains the order outbox (what the scheduler and the CLI run)', async () => {
      h = await ordersHarness(dialect);
      const ps = h.msProducts().slice(0, 1);
      await h.knowProducts(ps);
      const c = await h.client({ externalId: 'K-1', email: 'k1@example.ru' });
      await h.order({ externalId: 'K-1', counterpartyId: c, positions: [{ brand: ps[0]!.brand, article: ps[0]!.article, quantity: 1, priceKopecks: 1 }] });
      const [kind] = createOrderSyncKinds({ db: h.fx.db, clock: h.clock, clients: h.fx.clients, runDeps: h.fx.runDeps });
      expect(kind).toMatchObject({ kind: 'outbox', scope: 'global' });
      const progress: Array<{ done: number; message?: string }> = [];
      const outcome = await kind!.runner({ request: { kind: 'outbox', trigger: 'cli' }, signal: new AbortController().signal, progress: (p) => void progress.push(p) });
      expect(outcome).toMatchObject({ status: 'ok', counts: { sent: 1, failed: 0 } });
      expect(progress.at(-1)).toMatchObject({ done: 1, message: expect.stringContaining('1 sent') });
      expect(h.customerOrders()).toHaveLength(1);
    });
  });
}
