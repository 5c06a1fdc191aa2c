/**
 * @module store/queue/pg-boss-job-table
 * The SQL the PostgreSQL queue engine runs against pg-boss's own tables (`<schema>.job`,
 * `<schema>.archive`) besides pg-boss's API: the enqueue merge look-ups under advisory locks, reads
 * for `get`/`depth`, and the three state corrections (progress, no-retry, requeue) described in
 * `queue/pg-boss-queue.ts`. Statements run on whatever connection is passed (a pool, or the client of
 * an open transaction).
 */
import type pg from 'pg';

/** A pool or the client of an open transaction. */
export type PgQueryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** A row of pg-boss's `job`/`archive` table as `get` reads it. */
export interface PgBossJobRow<Data, Output> {
  id: string;
  name: string;
  data: Data | null;
  state: string;
  retry_count: number;
  retry_limit: number;
  singleton_key: string | null;
  created_on: Date;
  started_on: Date | null;
  completed_on: Date | null;
  output: Output | null;
}

/** Runs `work` in one transaction on one pooled connection (rolled back if it throws). */
export async function inPgTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

const quoteIdent = (s: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/i.test(s)) throw new Error(`invalid schema name ${s}`);
  return `"${s}"`;
};

const GET_COLUMNS = 'id, name, data, state, retry_count, retry_limit, singleton_key, created_on, started_on, completed_on, output';

export class PgBossJobTable {
  readonly #job: string;
  readonly #archive: string;

  constructor(schema: string) {
    this.#job = `${quoteIdent(schema)}.job`;
    this.#archive = `${quoteIdent(schema)}.archive`;
  }

  /** Transaction-scoped advisory lock on one merge key. */
  async lockKey(db: PgQueryable, lockKey: string): Promise<void> {
    await db.query('SELECT pg_advisory_xact_lock(hashtext($1))', [lockKey]);
  }

  /** Transaction-scoped advisory locks on many merge keys, taken in key order (no deadlock between batches). */
  async lockKeys(db: PgQueryable, lockKeys: readonly string[]): Promise<void> {
    await db.query('SELECT pg_advisory_xact_lock(hashtext(k)) FROM (SELECT DISTINCT unnest($1::text[]) AS k ORDER BY 1) s', [lockKeys]);
  }

  /** The oldest created/retry/active job of this kind holding the singleton key. */
  async activeJobId(db: PgQueryable, name: string, singletonKey: string): Promise<string | undefined> {
    const res = await db.query<{ id: string }>(
      `SELECT id FROM ${this.#job} WHERE name = $1 AND singleton_key = $2 AND state < 'completed' ORDER BY created_on LIMIT 1`,
      [name, singletonKey],
    );
    return res.rows[0]?.id;
  }

  /** The oldest created/retry/active job per (kind, singleton key) among these keys. */
  async activeHolders(db: PgQueryable, singletonKeys: readonly string[]): Promise<Array<{ name: string; singletonKey: string; id: string }>> {
    const res = await db.query<{ name: string; singleton_key: string; id: string }>(
      `SELECT DISTINCT ON (name, singleton_key) name, singleton_key, id FROM ${this.#job}
        WHERE singleton_key = ANY($1::text[]) AND state < 'completed' ORDER BY name, singleton_key, created_on`,
      [singletonKeys],
    );
    return res.rows.map((r) => ({ name: r.name, singletonKey: r.singleton_key, id: r.id }));
  }

  /** How many of these job ids exist. */
  async countExisting(db: PgQueryable, ids: readonly string[]): Promise<number> {
    const res = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.#job} WHERE id = ANY($1::uuid[])`, [ids]);
    return res.rows[0]?.n ?? 0;
  }

  /** One job, live or archived. */
  async find<Data, Output>(db: PgQueryable, id: string): Promise<PgBossJobRow<Data, Output> | undefined> {
    const res = await db.query<PgBossJobRow<Data, Output>>(
      `SELECT ${GET_COLUMNS} FROM ${this.#job} WHERE id = $1 UNION ALL SELECT ${GET_COLUMNS} FROM ${this.#archive} WHERE id = $1 LIMIT 1`,
      [id],
    );
    return res.rows[0];
  }

  /** Counts of unfinished jobs by kind and state. */
  async unfinishedCounts(db: PgQueryable): Promise<Array<{ name: string; state: string; n: number }>> {
    const res = await db.query<{ name: string; state: string; n: number }>(
      `SELECT name, state::text AS state, count(*)::int AS n FROM ${this.#job} WHERE state < 'completed' GROUP BY 1, 2`,
    );
    return res.rows;
  }

  /** The progress of an active job (kept in its `output` until it finishes). */
  async setProgress(db: PgQueryable, name: string, id: string, output: unknown): Promise<void> {
    await db.query(`UPDATE ${this.#job} SET output = $3::jsonb WHERE name = $1 AND id = $2 AND state = 'active'`, [name, id, JSON.stringify(output)]);
  }

  /** An active job that must not be retried: its retry limit drops to the attempts made. */
  async forbidRetry(db: PgQueryable, name: string, id: string): Promise<void> {
    await db.query(`UPDATE ${this.#job} SET retry_limit = retry_count WHERE name = $1 AND id = $2 AND state = 'active'`, [name, id]);
  }

  /** An active job interrupted by a shutdown: back to `retry` now, without using up an attempt. */
  async requeueActive(db: PgQueryable, name: string, id: string): Promise<void> {
    await db.query(`UPDATE ${this.#job} SET state = 'retry', start_after = now(), retry_limit = retry_limit + 1 WHERE name = $1 AND id = $2 AND state = 'active'`, [name, id]);
  }
}
