/**
 * E3 outbound webhooks to the platform, on SQLite and PostgreSQL: subscriptions through the API
 * (secret shown once, stored encrypted), events written in the transaction of their change,
 * deliveries through the durable queue (embedded engine / pg-boss) to a real receiver on loopback
 * that verifies every signature with the `standardwebhooks` package and fails the first attempts,
 * backoff on the injected clock for 24 h, resend, and secret rotation.
 */
import { randomBytes } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { ManualClock } from '../../src/core/clock.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { attemptSchedule, DEFAULT_DELIVERY_RETRY, type PlatformEvent } from '../../src/domain/platform-events.js';
import { PlatformWebhookService } from '../../src/app/platform-webhooks.js';
import { buildScheduleEntries } from '../../src/queue/scheduler.js';
import { JobTargetRepository } from '../../src/store/repositories/job-target-repository.js';
import { createWorker, type Worker } from '../../src/queue/worker.js';
import { createApp } from '../../src/server/app.js';
import { ApiTokenService } from '../../src/server/auth.js';
import { migrationStatus } from '../../src/store/migrate.js';
import { recordPlatformEvent } from '../../src/store/repositories/platform-event-recorder.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';
import { deliverDueWebhooks } from '../../src/sync/platform-webhooks/webhook-delivery.js';
import { createWebhookDeliveryKinds, WEBHOOK_DELIVERY_KIND } from '../../src/sync/platform-webhooks/webhook-delivery-kind.js';
import { forEachDialect, openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { openQueue } from './queue.js';
import { eventually, startReceiver, verifyAt, type Receiver } from './receiver.js';

const EVENT: PlatformEvent = { type: 'price_list.updated', data: { priceListId: 7, generation: 3, rowCount: 120, change: 'replaced' } };

/** Clears the webhook tables between tests (one database per dialect block). */
async function clearWebhooks(db: TestDatabase['db']): Promise<void> {
  await db.deleteFrom('platformWebhookDeliveries').execute();
  await db.deleteFrom('platformWebhookMessages').execute();
  await db.deleteFrom('platformWebhooks').execute();
}

forEachDialect((getDb, dialect) => {
  let clock: ManualClock;
  let box: SecretBox;
  let app: Hono;
  let token: string;
  let receivers: Receiver[] = [];
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : null) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any -- asserted field by field
  };
  const receiver = async (options: Parameters<typeof startReceiver>[1] = {}) => {
    const r = await startReceiver(clock, options);
    receivers.push(r);
    return r;
  };
  const subscribe = async (r: Receiver, events: string[] = ['price_list.updated']) => {
    const created = await call('POST', '/api/v1/webhook-subscriptions', { url: r.url, events, description: 'shop platform' });
    expect(created.status).toBe(201);
    r.secret = created.json.secret;
    return created.json as { id: number; secret: string };
  };

  beforeAll(async () => {
    // Virtual time starts at the real "now": the receiver checks timestamps against it.
    clock = new ManualClock({ start: Date.now(), autoAdvance: false });
    box = new SecretBox(randomBytes(32));
    const db = getDb().db;
    app = createApp({
      db, clock, enqueuer: { enqueue: async () => ({ jobId: 'x', merged: false }) }, syncs: new SyncRegistry(), publicBaseUrl: 'http://shop.test', secretBox: box,
      logger: { error: () => undefined }, readiness: { migrationStatus: () => migrationStatus(db) },
    });
    token = (await new ApiTokenService({ db, clock }).create('platform')).token;
  });
  afterEach(async () => {
    for (const r of receivers) await r.close();
    receivers = [];
    await clearWebhooks(getDb().db);
  });

  it('E3 a subscription is created with its secret shown once, stored encrypted, and can be changed, rotated and deleted', async () => {
    const r = await receiver();
    const created = await subscribe(r, ['order.exported', 'order.failed']);
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    const row = await getDb().db.selectFrom('platformWebhooks').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect(row.secretEnc.startsWith('v1:')).toBe(true);
    expect(row.secretEnc).not.toContain(created.secret.slice(6));
    expect(box.decrypt(row.secretEnc)).toBe(created.secret);

    const read = await call('GET', `/api/v1/webhook-subscriptions/${created.id}`);
    expect(read).toEqual({
      status: 200,
      json: { id: created.id, url: r.url, description: 'shop platform', events: ['order.exported', 'order.failed'], active: true, createdAt: clock.now().toISOString(), updatedAt: clock.now().toISOString() },
    });
    const list = await call('GET', '/api/v1/webhook-subscriptions');
    expect(JSON.stringify(list.json)).not.toContain(created.secret);
    expect(list.json.items.map((s: { id: number }) => s.id)).toEqual([created.id]);

    // Bad input gets a clear error and changes nothing.
    const bad = await Promise.all([
      call('POST', '/api/v1/webhook-subscriptions', { url: 'ftp://x.test/h', events: ['order.exported'] }),
      call('POST', '/api/v1/webhook-subscriptions', { url: 'https://user:pw@x.test/h', events: ['order.exported'] }),
      call('POST', '/api/v1/webhook-subscriptions', { url: 'https://x.test/h', events: ['order.shipped'] }),
      call('POST', '/api/v1/webhook-subscriptions', { url: 'https://x.test/h', events: [] }),
      call('PATCH', `/api/v1/webhook-subscriptions/${created.id}`, { secret: 'whsec_mine' }),
    ]);
    expect(bad.map((b) => [b.status, b.json.error.code])).toEqual(Array(5).fill([400, 'validation_failed']));
    expect(bad[2]!.json.error.details[0].path).toBe('events.0');
    expect((await call('GET', '/api/v1/webhook-subscriptions')).json.items).toHaveLength(1);

    const patched = await call('PATCH', `/api/v1/webhook-subscriptions/${created.id}`, { events: ['balance.updated'], active: false });
    expect(patched.json).toMatchObject({ events: ['balance.updated'], active: false });

    const rotated = await call('POST', `/api/v1/webhook-subscriptions/${created.id}/rotate-secret`);
    expect(rotated.status).toBe(200);
    expect(rotated.json.secret).toMatch(/^whsec_/);
    expect(rotated.json.secret).not.toBe(created.secret);
    expect(rotated.json.previousSecretValidUntil).toBe(new Date(clock.nowMs() + 24 * 3600_000).toISOString());
    const after = await getDb().db.selectFrom('platformWebhooks').selectAll().where('id', '=', created.id).executeTakeFirstOrThrow();
    expect([box.decrypt(after.secretEnc), box.decrypt(after.previousSecretEnc!)]).toEqual([rotated.json.secret, created.secret]);

    expect((await call('DELETE', `/api/v1/webhook-subscriptions/${created.id}`)).json).toEqual({ id: created.id, deleted: true });
    expect((await call('GET', `/api/v1/webhook-subscriptions/${created.id}`)).status).toBe(404);
    expect((await call('POST', '/api/v1/webhook-deliveries/999999/resend')).status).toBe(404);
  });

  it('E3 an event is written in the transaction of its change: rolled back with it, one delivery per active subscription of its type', async () => {
    const db = getDb().db;
    const wanted = await subscribe(await receiver(), ['price_list.updated', 'order.exported']);
    const paused = await subscribe(await receiver(), ['price_list.updated']);
    await call('PATCH', `/api/v1/webhook-subscriptions/${paused.id}`, { active: false });
    await subscribe(await receiver(), ['balance.updated']);

    await expect(
      db.transaction().execute(async (tx) => {
        await recordPlatformEvent(tx, clock, EVENT);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await db.selectFrom('platformWebhookMessages').selectAll().execute()).toEqual([]);
    expect(await db.selectFrom('platformWebhookDeliveries').selectAll().execute()).toEqual([]);

    expect(await db.transaction().execute((tx) => recordPlatformEvent(tx, clock, EVENT))).toBe(1);
    const deliveries = await db.selectFrom('platformWebhookDeliveries').selectAll().execute();
    expect(deliveries.map((d) => [Number(d.webhookId), d.state, d.attempts])).toEqual([[wanted.id, 'pending', 0]]);
    expect(deliveries[0]!.deadlineAt).toBe(new Date(clock.nowMs() + 24 * 3600_000).toISOString());
    const message = await db.selectFrom('platformWebhookMessages').selectAll().executeTakeFirstOrThrow();
    expect(message.messageId).toMatch(/^msg_[A-Za-z0-9_-]{22}$/);
    expect(JSON.parse(message.body)).toEqual({ type: 'price_list.updated', timestamp: clock.now().toISOString(), data: EVENT.data });
  });

  it('E3 deliveries go through the durable queue, signed per Standard Webhooks, retried with backoff on the clock until the receiver accepts', async () => {
    const db = getDb().db;
    const r = await receiver({ answers: [500, 503] });
    const sub = await subscribe(r);
    const { queue, dispose } = await openQueue(dialect, db, clock);
    const syncs = new SyncRegistry();
    for (const k of createWebhookDeliveryKinds({ db, clock, secretBox: box })) syncs.register(k);
    syncs.attachToQueue(queue);
    const worker: Worker = createWorker({ db, queue, clock, leaseKeyFor: new JobTargetRepository(db).leaseKeyFor, concurrency: 2, pollMs: 60_000 });
    try {
      worker.start();
      const t0 = clock.nowMs();
      await db.transaction().execute((tx) => recordPlatformEvent(tx, clock, EVENT));
      const delivery = async () => (await call('GET', `/api/v1/webhook-subscriptions/${sub.id}/deliveries`)).json.items[0];

      // First attempt: HTTP 500 → due again in 30 s.
      await queue.enqueue({ kind: WEBHOOK_DELIVERY_KIND, trigger: 'test' });
      await eventually(async () => (await delivery()).attempts === 1 && (await delivery()).state === 'pending', 'first attempt recorded');
      expect(await delivery()).toMatchObject({ state: 'pending', attempts: 1, lastStatus: 500, lastError: 'the receiver answered HTTP 500', nextAttemptAt: new Date(t0 + 30_000).toISOString() });
      // A run before the backoff has passed sends nothing.
      const early = await queue.enqueue({ kind: WEBHOOK_DELIVERY_KIND, trigger: 'test' });
      await eventually(async () => (await queue.get(early.jobId))?.state === 'completed', 'early run done');
      expect(r.received).toHaveLength(1);

      clock.advance(30_000);
      await queue.enqueue({ kind: WEBHOOK_DELIVERY_KIND, trigger: 'test' });
      await eventually(async () => (await delivery()).attempts === 2 && (await delivery()).state === 'pending', 'second attempt recorded');
      expect(await delivery()).toMatchObject({ lastStatus: 503, nextAttemptAt: new Date(t0 + 90_000).toISOString() });

      clock.advance(60_000);
      await queue.enqueue({ kind: WEBHOOK_DELIVERY_KIND, trigger: 'test' });
      await eventually(async () => (await delivery()).state === 'delivered', 'delivered');
      expect(await delivery()).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 200, lastError: null, nextAttemptAt: null, deliveredAt: new Date(t0 + 90_000).toISOString() });

      // Three requests, one webhook-id, the same body, each signature verified by standardwebhooks.
      expect(r.received.map((x) => [x.verified, x.verifyError, x.answered])).toEqual([
        [true, null, 500],
        [true, null, 503],
        [true, null, 200],
      ]);
      expect(new Set(r.received.map((x) => x.id)).size).toBe(1);
      expect(r.received.map((x) => x.timestamp)).toEqual([0, 30, 90].map((s) => Math.floor(t0 / 1000) + s));
      expect(new Set(r.received.map((x) => x.body)).size).toBe(1);
      expect(JSON.parse(r.received[0]!.body)).toEqual({ type: 'price_list.updated', timestamp: new Date(t0).toISOString(), data: EVENT.data });
      // The signature is v1,<base64 HMAC-SHA256>; the same headers do not verify a tampered body.
      const first = r.received[0]!;
      expect(first.signature).toMatch(/^v1,[A-Za-z0-9+/]{43}=$/);
      const headers = { 'webhook-id': first.id, 'webhook-timestamp': String(first.timestamp), 'webhook-signature': first.signature };
      expect(verifyAt(sub.secret, first.timestamp * 1000, first.body, headers)).toEqual({ ok: true, error: null });
      expect(verifyAt(sub.secret, first.timestamp * 1000, first.body.replace('"rowCount":120', '"rowCount":121'), headers)).toEqual({ ok: false, error: 'No matching signature found' });
    } finally {
      await worker.stop({ deadlineMs: 0 });
      await dispose();
    }
  });

  it('E3 a receiver that keeps failing is retried with exponential backoff for 24 hours, then the delivery fails; resend sends it again', async () => {
    const db = getDb().db;
    const r = await receiver({ fallback: 500 });
    const sub = await subscribe(r);
    const t0 = clock.nowMs();
    await db.transaction().execute((tx) => recordPlatformEvent(tx, clock, EVENT));
    const deps = { db, clock, secretBox: box };
    const delivery = async () => (await call('GET', `/api/v1/webhook-subscriptions/${sub.id}/deliveries`)).json.items[0];
    for (let guard = 0; guard < 40; guard++) {
      await deliverDueWebhooks(deps);
      const d = await delivery();
      if (d.state === 'failed') break;
      clock.set(Date.parse(d.nextAttemptAt));
    }
    const attemptsAt = r.received.map((x) => x.timestamp * 1000 - Math.floor(t0 / 1000) * 1000);
    expect(attemptsAt).toEqual(attemptSchedule(DEFAULT_DELIVERY_RETRY).map((ms) => Math.floor((t0 + ms) / 1000) * 1000 - Math.floor(t0 / 1000) * 1000));
    expect(r.received).toHaveLength(15);
    expect(r.received.every((x) => x.verified)).toBe(true);
    expect(await delivery()).toMatchObject({ state: 'failed', attempts: 15, lastStatus: 500, nextAttemptAt: null });
    expect(clock.nowMs() - t0).toBe(24 * 3600_000);

    // Resend (API): due at once with a fresh window; the receiver now accepts.
    r.fallback = 200;
    const resent = await call('POST', `/api/v1/webhook-deliveries/${(await delivery()).id}/resend`);
    expect(resent.json).toMatchObject({ state: 'pending', attempts: 0, deadlineAt: new Date(clock.nowMs() + 24 * 3600_000).toISOString() });
    const report = await deliverDueWebhooks(deps);
    expect(report).toMatchObject({ attempted: 1, delivered: 1, retried: 0, failed: 0 });
    expect(await delivery()).toMatchObject({ state: 'delivered', attempts: 1, lastStatus: 200 });
    expect(new Set(r.received.map((x) => x.id)).size).toBe(1);
  });

  it('E3 after a secret rotation each delivery carries both signatures for 24 hours, each valid with its own secret', async () => {
    const db = getDb().db;
    const r = await receiver();
    const sub = await subscribe(r);
    const oldSecret = sub.secret;
    const rotated = await call('POST', `/api/v1/webhook-subscriptions/${sub.id}/rotate-secret`);
    await db.transaction().execute((tx) => recordPlatformEvent(tx, clock, EVENT));
    r.secret = oldSecret; // a platform that has not switched yet
    await deliverDueWebhooks({ db, clock, secretBox: box });
    r.secret = rotated.json.secret; // one that has
    await db.transaction().execute((tx) => recordPlatformEvent(tx, clock, EVENT));
    await deliverDueWebhooks({ db, clock, secretBox: box });
    expect(r.received.map((x) => [x.verified, x.signature.split(' ').length])).toEqual([
      [true, 2],
      [true, 2],
    ]);
    clock.advance(24 * 3600_000 + 1);
    await db.transaction().execute((tx) => recordPlatformEvent(tx, clock, EVENT));
    await deliverDueWebhooks({ db, clock, secretBox: box });
    expect(r.received[2]).toMatchObject({ verified: true });
    expect(r.received[2]!.signature.split(' ')).toHaveLength(1);
  });

  it('E3 the scheduler runs webhooks.deliver every 30 s only while an active subscription exists', async () => {
    const db = getDb().db;
    const entries = async () => buildScheduleEntries(await new JobTargetRepository(db).scheduleTargets(), {}).filter((e) => e.request.kind === WEBHOOK_DELIVERY_KIND);
    expect(await entries()).toEqual([]);
    const sub = await subscribe(await receiver());
    const [entry] = await entries();
    expect(entry).toMatchObject({ spec: 'every:30000', request: { kind: 'webhooks.deliver', trigger: 'schedule' } });
    expect(entry!.request.integrationId ?? entry!.request.priceListId ?? null).toBeNull();
    await new PlatformWebhookService({ db, clock }).update(sub.id, { active: false });
    expect(await entries()).toEqual([]);
  });
});

describe('E3 webhook secrets', () => {
  it('E3 a subscription cannot be created without the secret key: nothing is stored', async () => {
    const tdb = await openTestDatabase('sqlite');
    try {
      const service = new PlatformWebhookService({ db: tdb.db, clock: new ManualClock() });
      await expect(service.create({ url: 'https://x.test/h', events: ['order.exported'] })).rejects.toMatchObject({ code: 'secret_box_missing' });
      expect(await tdb.db.selectFrom('platformWebhooks').selectAll().execute()).toEqual([]);
    } finally {
      await tdb.dispose();
    }
  });
});
