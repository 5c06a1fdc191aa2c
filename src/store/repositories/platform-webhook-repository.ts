/**
 * @module platform-webhook-repository
 * E3 storage of the platform's webhook subscriptions and of their delivery outbox/log
 * (migration 0023). Events are written by `recordPlatformEvent` (platform-event-recorder.ts);
 * this repository serves the API, the admin panel and the `webhooks.deliver` job.
 */
import type { Clock } from '../../core/clock.js';
import { NotFoundError } from '../../core/errors.js';
import type { PlatformEventType } from '../../domain/platform-events.js';
import { nowIso } from '../database.js';
import type { Db } from '../db.js';
import { withTransaction } from '../db.js';
import type { PlatformWebhookRow, WebhookDeliveryState } from '../schema.js';

export interface WebhookSubscription {
  id: number;
  url: string;
  description: string | null;
  events: PlatformEventType[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface SubscriptionInput {
  url: string;
  description?: string | null;
  events: readonly PlatformEventType[];
  active?: boolean;
  secretEnc: string;
}

export type SubscriptionPatch = Partial<Omit<SubscriptionInput, 'secretEnc'>>;

/** One delivery as the delivery log shows it. */
export interface DeliveryView {
  id: number;
  webhookId: number;
  url: string;
  messageId: string;
  eventType: PlatformEventType;
  state: WebhookDeliveryState;
  attempts: number;
  nextAttemptAt: string | null;
  deadlineAt: string;
  lastAttemptAt: string | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  createdAt: string;
}

/** What the delivery job needs to send one delivery. */
export interface DueDelivery {
  id: number;
  webhookId: number;
  url: string;
  secretEnc: string;
  previousSecretEnc: string | null;
  previousSecretUntil: string | null;
  messageId: string;
  body: string;
  attempts: number;
  deadlineAt: string;
}

export interface DeliveryQuery {
  webhookId?: number;
  state?: WebhookDeliveryState;
  limit: number;
  offset: number;
}

const toSubscription = (r: PlatformWebhookRow, events: string[]): WebhookSubscription => ({
  id: Number(r.id),
  url: r.url,
  description: r.description,
  events: events.sort() as PlatformEventType[],
  active: r.active === 1,
  createdAt: r.createdAt,
  updatedAt: r.updatedAt,
});

export class PlatformWebhookRepository {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async create(input: SubscriptionInput): Promise<WebhookSubscription> {
    const at = nowIso(this.clock);
    const id = await withTransaction(this.db, async (tx) => {
      const row = await tx
        .insertInto('platformWebhooks')
        .values({ url: input.url, description: input.description ?? null, secretEnc: input.secretEnc, previousSecretEnc: null, previousSecretUntil: null, active: input.active === false ? 0 : 1, createdAt: at, updatedAt: at })
        .returning('id')
        .executeTakeFirstOrThrow();
      await tx.insertInto('platformWebhookEventTypes').values([...new Set(input.events)].map((eventType) => ({ webhookId: Number(row.id), eventType }))).execute();
      return Number(row.id);
    });
    return this.get(id);
  }

  async list(): Promise<WebhookSubscription[]> {
    const rows = await this.db.selectFrom('platformWebhooks').selectAll().orderBy('id').execute();
    const types = await this.db.selectFrom('platformWebhookEventTypes').selectAll().execute();
    return rows.map((r) => toSubscription(r, types.filter((t) => Number(t.webhookId) === Number(r.id)).map((t) => t.eventType)));
  }

  async find(id: number): Promise<WebhookSubscription | null> {
    const row = await this.db.selectFrom('platformWebhooks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!row) return null;
    const types = await this.db.selectFrom('platformWebhookEventTypes').select('eventType').where('webhookId', '=', id).execute();
    return toSubscription(row, types.map((t) => t.eventType));
  }

  async get(id: number): Promise<WebhookSubscription> {
    const s = await this.find(id);
    if (!s) throw new NotFoundError('webhook subscription', id);
    return s;
  }

  async update(id: number, patch: SubscriptionPatch): Promise<WebhookSubscription> {
    await withTransaction(this.db, async (tx) => {
      const res = await tx
        .updateTable('platformWebhooks')
        .set({
          ...(patch.url !== undefined ? { url: patch.url } : {}),
          ...(patch.description !== undefined ? { description: patch.description } : {}),
          ...(patch.active !== undefined ? { active: patch.active ? 1 : 0 } : {}),
          updatedAt: nowIso(this.clock),
        })
        .where('id', '=', id)
        .executeTakeFirst();
      if (Number(res.numUpdatedRows) === 0) throw new NotFoundError('webhook subscription', id);
      if (patch.events) {
        await tx.deleteFrom('platformWebhookEventTypes').where('webhookId', '=', id).execute();
        await tx.insertInto('platformWebhookEventTypes').values([...new Set(patch.events)].map((eventType) => ({ webhookId: id, eventType }))).execute();
      }
    });
    return this.get(id);
  }

  /** Deletes the subscription with its deliveries (messages no longer delivered anywhere are pruned later). */
  async delete(id: number): Promise<void> {
    const res = await this.db.deleteFrom('platformWebhooks').where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new NotFoundError('webhook subscription', id);
  }

  /** The encrypted secrets of a subscription (for signing). */
  async secrets(id: number): Promise<{ secretEnc: string; previousSecretEnc: string | null; previousSecretUntil: string | null }> {
    const row = await this.db.selectFrom('platformWebhooks').select(['secretEnc', 'previousSecretEnc', 'previousSecretUntil']).where('id', '=', id).executeTakeFirst();
    if (!row) throw new NotFoundError('webhook subscription', id);
    return row;
  }

  /** A new secret; the current one becomes the previous, still signed with until `previousUntil`. */
  async rotateSecret(id: number, secretEnc: string, previousUntil: string): Promise<void> {
    const current = await this.secrets(id);
    await this.db
      .updateTable('platformWebhooks')
      .set({ secretEnc, previousSecretEnc: current.secretEnc, previousSecretUntil: previousUntil, updatedAt: nowIso(this.clock) })
      .where('id', '=', id)
      .execute();
  }

  // ── deliveries ────────────────────────────────────────────────────────────────────────────

  #deliveryView() {
    return this.db
      .selectFrom('platformWebhookDeliveries as d')
      .innerJoin('platformWebhookMessages as m', 'm.id', 'd.messageId')
      .innerJoin('platformWebhooks as w', 'w.id', 'd.webhookId')
      .select([
        'd.id',
        'd.webhookId',
        'w.url',
        'm.messageId',
        'm.eventType',
        'd.state',
        'd.attempts',
        'd.nextAttemptAt',
        'd.deadlineAt',
        'd.lastAttemptAt',
        'd.lastStatus',
        'd.lastError',
        'd.deliveredAt',
        'd.createdAt',
      ]);
  }

  /** The delivery log, newest first. */
  async listDeliveries(q: DeliveryQuery): Promise<{ items: DeliveryView[]; total: number }> {
    let base = this.db.selectFrom('platformWebhookDeliveries as d');
    if (q.webhookId !== undefined) base = base.where('d.webhookId', '=', q.webhookId);
    if (q.state !== undefined) base = base.where('d.state', '=', q.state);
    const { total } = await base.select((eb) => eb.fn.countAll<number>().as('total')).executeTakeFirstOrThrow();
    let rows = this.#deliveryView();
    if (q.webhookId !== undefined) rows = rows.where('d.webhookId', '=', q.webhookId);
    if (q.state !== undefined) rows = rows.where('d.state', '=', q.state);
    const items = await rows.orderBy('d.id', 'desc').limit(q.limit).offset(q.offset).execute();
    return { items: items.map(toView), total: Number(total) };
  }

  async findDelivery(id: number): Promise<DeliveryView | null> {
    const row = await this.#deliveryView().where('d.id', '=', id).executeTakeFirst();
    return row ? toView(row) : null;
  }

  /**
   * Resend: the delivery is due now with a fresh 24-hour window and its attempt count restarted
   * (the same `webhook-id` and body, so a receiver that processed it can tell). Any state.
   */
  async resend(id: number, deadlineAt: string): Promise<DeliveryView | null> {
    const at = nowIso(this.clock);
    // A delivery being sent right now (`running`) is left alone: that attempt decides.
    await this.db
      .updateTable('platformWebhookDeliveries')
      .set({ state: 'pending', attempts: 0, nextAttemptAt: at, deadlineAt, updatedAt: at })
      .where('id', '=', id)
      .where('state', '<>', 'running')
      .execute();
    return this.findDelivery(id);
  }

  /** Pending deliveries due at `now`, oldest first, with what sending them needs. */
  async due(now: string, limit: number, exceptIds: ReadonlySet<number> = new Set()): Promise<DueDelivery[]> {
    const rows = await this.db
      .selectFrom('platformWebhookDeliveries as d')
      .innerJoin('platformWebhookMessages as m', 'm.id', 'd.messageId')
      .innerJoin('platformWebhooks as w', 'w.id', 'd.webhookId')
      .select(['d.id', 'd.webhookId', 'w.url', 'w.secretEnc', 'w.previousSecretEnc', 'w.previousSecretUntil', 'm.messageId', 'm.body', 'd.attempts', 'd.deadlineAt'])
      .where('d.state', '=', 'pending')
      .where('d.nextAttemptAt', '<=', now)
      .where('w.active', '=', 1)
      .orderBy('d.nextAttemptAt')
      .orderBy('d.id')
      .limit(limit + exceptIds.size)
      .execute();
    return rows
      .map((r) => ({ ...r, id: Number(r.id), webhookId: Number(r.webhookId), attempts: Number(r.attempts) }))
      .filter((r) => !exceptIds.has(r.id))
      .slice(0, limit);
  }

  /** Compare-and-set `pending → running`: true for exactly one caller (any number of workers). */
  async claim(id: number): Promise<boolean> {
    const at = nowIso(this.clock);
    const res = await this.db
      .updateTable('platformWebhookDeliveries')
      .set((eb) => ({ state: 'running', attempts: eb('attempts', '+', 1), lastAttemptAt: at, updatedAt: at }))
      .where('id', '=', id)
      .where('state', '=', 'pending')
      .executeTakeFirst();
    return Number(res.numUpdatedRows) === 1;
  }

  async markDelivered(id: number, status: number): Promise<void> {
    const at = nowIso(this.clock);
    await this.db
      .updateTable('platformWebhookDeliveries')
      .set({ state: 'delivered', lastStatus: status, lastError: null, deliveredAt: at, updatedAt: at })
      .where('id', '=', id)
      .where('state', '=', 'running')
      .execute();
  }

  /** A failed attempt: pending again at `nextAttemptAt`, or `failed` when null (the window is over). */
  async markAttemptFailed(id: number, status: number | null, error: string, nextAttemptAt: string | null): Promise<void> {
    const at = nowIso(this.clock);
    await this.db
      .updateTable('platformWebhookDeliveries')
      .set(
        nextAttemptAt === null
          ? { state: 'failed', lastStatus: status, lastError: error.slice(0, 500), updatedAt: at }
          : { state: 'pending', nextAttemptAt, lastStatus: status, lastError: error.slice(0, 500), updatedAt: at },
      )
      .where('id', '=', id)
      .where('state', '=', 'running')
      .execute();
  }

  /** Puts back a claimed delivery without counting its attempt (shutdown before it was sent). */
  async unclaim(id: number): Promise<void> {
    await this.db
      .updateTable('platformWebhookDeliveries')
      .set((eb) => ({ state: 'pending', attempts: eb('attempts', '-', 1), updatedAt: nowIso(this.clock) }))
      .where('id', '=', id)
      .where('state', '=', 'running')
      .execute();
  }

  /** Deliveries left `running` by a process that died (untouched since `before`) become due again. */
  async requeueStale(before: string): Promise<number> {
    const res = await this.db
      .updateTable('platformWebhookDeliveries')
      .set({ state: 'pending', nextAttemptAt: nowIso(this.clock), updatedAt: nowIso(this.clock) })
      .where('state', '=', 'running')
      .where('updatedAt', '<', before)
      .executeTakeFirst();
    return Number(res.numUpdatedRows);
  }

  /** The earliest next attempt of a pending delivery (for scheduling), or null. */
  async nextDueAt(): Promise<string | null> {
    const row = await this.db
      .selectFrom('platformWebhookDeliveries as d')
      .innerJoin('platformWebhooks as w', 'w.id', 'd.webhookId')
      .select((eb) => eb.fn.min('d.nextAttemptAt').as('at'))
      .where('d.state', '=', 'pending')
      .where('w.active', '=', 1)
      .executeTakeFirst();
    return (row?.at as string | null | undefined) ?? null;
  }

  /** Removes finished deliveries older than `before`, then messages no delivery refers to any more. */
  async prune(before: string): Promise<number> {
    const res = await this.db.deleteFrom('platformWebhookDeliveries').where('state', 'in', ['delivered', 'failed']).where('updatedAt', '<', before).executeTakeFirst();
    await this.db
      .deleteFrom('platformWebhookMessages')
      .where('createdAt', '<', before)
      .where((eb) => eb.not(eb.exists(eb.selectFrom('platformWebhookDeliveries as d').select('d.id').whereRef('d.messageId', '=', 'platformWebhookMessages.id'))))
      .execute();
    return Number(res.numDeletedRows);
  }
}

/** A log row as read (ids may come back as strings or bigints on PostgreSQL; the event type as text). */
type DeliveryRowRead = Omit<DeliveryView, 'eventType' | 'nextAttemptAt'> & { eventType: string; nextAttemptAt: string };

function toView(r: DeliveryRowRead): DeliveryView {
  return {
    id: Number(r.id),
    webhookId: Number(r.webhookId),
    url: r.url,
    messageId: r.messageId,
    eventType: r.eventType as PlatformEventType,
    state: r.state,
    attempts: Number(r.attempts),
    nextAttemptAt: r.state === 'pending' ? r.nextAttemptAt : null,
    deadlineAt: r.deadlineAt,
    lastAttemptAt: r.lastAttemptAt,
    lastStatus: r.lastStatus === null ? null : Number(r.lastStatus),
    lastError: r.lastError,
    deliveredAt: r.deliveredAt,
    createdAt: r.createdAt,
  };
}
