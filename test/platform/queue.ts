/**
 * @module queue (test helper)
 * The durable queue of a dialect as the service runs it: the embedded engine on SQLite, pg-boss on
 * PostgreSQL (a pg-boss schema of its own, dropped at dispose; its maintenance off).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Clock } from '../../src/core/clock.js';
import { EmbeddedJobQueue } from '../../src/queue/embedded-queue.js';
import { PgBossJobQueue } from '../../src/queue/pg-boss-queue.js';
import type { JobQueue } from '../../src/queue/types.js';
import type { DialectName } from '../../src/store/database.js';
import { TEST_PG_URL, type TestDatabase } from '../helpers/databases.js';

export async function openQueue(dialect: DialectName, db: TestDatabase['db'], clock: Clock): Promise<{ queue: JobQueue; dispose(): Promise<void> }> {
  if (dialect === 'sqlite') return { queue: new EmbeddedJobQueue({ db, clock }), dispose: async () => undefined };
  const schema = `pgboss_p_${randomBytes(4).toString('hex')}`;
  const queue = new PgBossJobQueue({ connectionString: TEST_PG_URL, schema, supervise: false });
  await queue.start();
  return {
    queue,
    async dispose() {
      await queue.stop().catch(() => undefined);
      const c = new pg.Client({ connectionString: TEST_PG_URL });
      await c.connect();
      try {
        await c.query(`drop schema if exists ${schema} cascade`);
      } finally {
        await c.end();
      }
    },
  };
}
