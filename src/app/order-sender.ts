/**
 * @module order-sender
 * P1 composition: how a process wakes the outbox sender after a commit.
 * - A process that runs a worker (`start`, `worker`) runs an outbox sender (`sync/outbox/outbox-sender.ts`):
 *   its own commits wake it by a direct call; on PostgreSQL it also LISTENs, so commits in other
 *   processes (a `serve` process) wake it too. Its start takes back its own in-flight rows (P3).
 * - A process without a worker (`serve`) on PostgreSQL wakes the workers with `NOTIFY`; on SQLite
 *   it has no one to wake (a worker needs the same database file; the minute poll sends the orders).
 */
import type { Clock } from '../core/clock.js';
import type { DialectName } from '../store/database.js';
import type { Db } from '../store/db.js';
import { listenOutbox, notifyOutbox } from '../store/outbox-notify.js';
import { createOutboxSender, type OutboxSender } from '../sync/outbox/outbox-sender.js';
import type { OutboxWake } from './order-service.js';

export interface OrderSenderOptions {
  db: Db;
  clock: Clock;
  dialect: DialectName;
  databaseUrl?: string | null | undefined;
  /** This process's claimer id (P3). */
  owner: string;
  /** Whether this process sends (it runs a worker). */
  sends: boolean;
  /** One drain of the outbox with `owner`. */
  drain: (signal: AbortSignal) => Promise<unknown>;
  onError: (e: unknown, what: string) => void;
}

export interface OrderSenderSetup {
  /** What the order and counterparty services call after a commit (undefined: nothing to wake). */
  wake: OutboxWake | undefined;
  sender: OutboxSender | null;
  stop(): Promise<void>;
}

export async function startOrderSender(o: OrderSenderOptions): Promise<OrderSenderSetup> {
  const postgresUrl = o.dialect === 'postgres' && o.databaseUrl ? o.databaseUrl : null;
  if (!o.sends) {
    const wake = postgresUrl ? () => void notifyOutbox(o.db).catch((e: unknown) => o.onError(e, 'outbox notify')) : undefined;
    return { wake, sender: null, stop: async () => undefined };
  }
  const sender = createOutboxSender({ db: o.db, clock: o.clock, owner: o.owner, drain: o.drain, onError: (e) => o.onError(e, 'outbox drain') });
  await sender.start();
  const unlisten = postgresUrl ? await listenOutbox(postgresUrl, sender.wake, (e) => o.onError(e, 'outbox listen')) : null;
  return {
    wake: sender.wake,
    sender,
    async stop() {
      await unlisten?.();
      await sender.stop();
    },
  };
}
