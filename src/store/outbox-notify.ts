/**
 * @module outbox-notify
 * P1 across processes on PostgreSQL: a process that commits an order without sending it itself (a
 * `serve` process) sends `NOTIFY msx_outbox`; every worker process LISTENs on a connection of its
 * own and wakes its outbox sender. A missed notification (a worker restarting) costs at most the
 * minute poll. SQLite has no cross-process notification: there the sender runs in the same process.
 */
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.js';

export const OUTBOX_CHANNEL = 'msx_outbox';

/** `NOTIFY msx_outbox` (delivered to the listeners when the statement's transaction commits). */
export async function notifyOutbox(db: Kysely<Database>): Promise<void> {
  await sql`select pg_notify(${OUTBOX_CHANNEL}, '')`.execute(db);
}

/**
 * LISTENs on its own connection and calls `onNotify` for every notification; reconnects after a lost
 * connection (calling `onNotify` once then, since notifications may have been missed). Returns `close`.
 */
export async function listenOutbox(connectionString: string, onNotify: () => void, onError: (e: unknown) => void = () => undefined): Promise<() => Promise<void>> {
  let closed = false;
  let client: pg.Client | null = null;
  const connect = async (): Promise<void> => {
    const c = new pg.Client({ connectionString });
    c.on('notification', () => onNotify());
    c.on('error', (e) => {
      onError(e);
      if (closed) return;
      client = null;
      setTimeout(() => void connect().then(onNotify, onError), 1000).unref();
    });
    await c.connect();
    await c.query(`LISTEN ${OUTBOX_CHANNEL}`);
    client = c;
  };
  await connect();
  return async () => {
    closed = true;
    await client?.end().catch(() => undefined);
  };
}
