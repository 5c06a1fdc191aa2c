/**
 * @module platform-event-recorder
 * E3 the one way an event for the platform's webhooks is written: `recordPlatformEvent(tx, clock,
 * event)` INSIDE the transaction of the change that causes it. It finds the active subscriptions
 * of the event's type (one indexed read; nothing more when there are none), writes the message
 * (`webhook-id` and the exact body that will be signed) and one pending delivery per subscription.
 * The `webhooks.deliver` job sends them (src/sync/platform-webhooks). If the change rolls back,
 * so does the event: nothing is announced that did not happen, nothing that happened is lost.
 *
 * `recordPlatformEventSqlite` is the same for code that writes inside a synchronous better-sqlite3
 * transaction (the stock sync's SQLite fast path), with statements prepared once per connection.
 */
import { randomBytes } from 'node:crypto';
import type Sqlite from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import { DEFAULT_DELIVERY_RETRY, eventBody, type PlatformEvent } from '../../domain/platform-events.js';
import type { Db } from '../db.js';

/** A new `webhook-id`: `msg_` and 128 random bits. */
export function newMessageId(): string {
  return `msg_${randomBytes(16).toString('base64url')}`;
}

const deadlineOf = (nowMs: number): string => new Date(nowMs + DEFAULT_DELIVERY_RETRY.windowMs).toISOString();

/** Whether an active subscription asks for one of these event types. */
export async function hasSubscribers(db: Db, types: readonly PlatformEvent['type'][]): Promise<boolean> {
  const row = await db
    .selectFrom('platformWebhookEventTypes as t')
    .innerJoin('platformWebhooks as w', 'w.id', 't.webhookId')
    .select('w.id')
    .where('t.eventType', 'in', types)
    .where('w.active', '=', 1)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Writes the event for every active subscription of its type; returns how many deliveries were
 * queued (0 when nobody subscribed). Call it with the transaction of the change.
 */
export async function recordPlatformEvent(tx: Db, clock: Clock, event: PlatformEvent): Promise<number> {
  const subscribers = await tx
    .selectFrom('platformWebhookEventTypes as t')
    .innerJoin('platformWebhooks as w', 'w.id', 't.webhookId')
    .select('w.id')
    .where('t.eventType', '=', event.type)
    .where('w.active', '=', 1)
    .execute();
  if (subscribers.length === 0) return 0;
  const nowMs = clock.nowMs();
  const at = new Date(nowMs).toISOString();
  const message = await tx
    .insertInto('platformWebhookMessages')
    .values({ messageId: newMessageId(), eventType: event.type, body: eventBody(event, at), createdAt: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx
    .insertInto('platformWebhookDeliveries')
    .values(
      subscribers.map((s) => ({
        messageId: Number(message.id),
        webhookId: Number(s.id),
        nextAttemptAt: at,
        deadlineAt: deadlineOf(nowMs),
        createdAt: at,
        updatedAt: at,
      })),
    )
    .execute();
  return subscribers.length;
}

interface SqliteStatements {
  subscribers: Sqlite.Statement;
  message: Sqlite.Statement;
  delivery: Sqlite.Statement;
}
const prepared = new WeakMap<Sqlite.Database, SqliteStatements>();

function statementsOf(sqlite: Sqlite.Database): SqliteStatements {
  let st = prepared.get(sqlite);
  if (!st) {
    st = {
      subscribers: sqlite.prepare(
        'select w.id as id from platform_webhook_event_types t join platform_webhooks w on w.id = t.webhook_id where t.event_type = ? and w.active = 1',
      ),
      message: sqlite.prepare('insert into platform_webhook_messages (message_id, event_type, body, created_at) values (?, ?, ?, ?)'),
      delivery: sqlite.prepare(
        "insert into platform_webhook_deliveries (message_id, webhook_id, state, attempts, next_attempt_at, deadline_at, created_at, updated_at) values (?, ?, 'pending', 0, ?, ?, ?, ?)",
      ),
    };
    prepared.set(sqlite, st);
  }
  return st;
}

/** `recordPlatformEvent` inside a synchronous better-sqlite3 transaction (`nowMs` from the caller's clock). */
export function recordPlatformEventSqlite(sqlite: Sqlite.Database, nowMs: number, event: PlatformEvent): number {
  const st = statementsOf(sqlite);
  const subscribers = st.subscribers.all(event.type) as Array<{ id: number }>;
  if (subscribers.length === 0) return 0;
  const at = new Date(nowMs).toISOString();
  const id = Number(st.message.run(newMessageId(), event.type, eventBody(event, at), at).lastInsertRowid);
  for (const s of subscribers) st.delivery.run(id, s.id, at, deadlineOf(nowMs), at, at);
  return subscribers.length;
}
