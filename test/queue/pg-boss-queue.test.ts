import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { AppError } from '../../src/core/errors.js';
import { PgBossJobQueue } from '../../src/queue/pg-boss-queue.js';
import { createWorker } from '../../src/queue/worker.js';
import { openTestDatabase, postgresUnavailableReason, TEST_PG_URL, type TestDatabase } from '../helpers/databases.js';
import { waitUntil } from './helpers.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const skipReason = postgresUnavailableReason();
if (skipReason) console.warn(`[postgres] PostgreSQL at ${TEST_PG_URL} is unreachable (${skipReason}); pg-boss queue tests SKIPPED`);
const block = skipReason ? describe.skip : describe;

class RetryableError extends AppError {
  readonly retryable = true;
  constructor() {
    super('moysklad_unreachable', 'MoySklad is unreachable');
  }
}

block(skipReason ? `pg-boss engine (SKIPPED: ${skipReason})` : 'pg-boss engine (PostgreSQL)', () => {
  const bossSchemas: string[] = [];
  /** A fresh pg-boss schema per test (its queues start empty). */
  const newSchema = (): string => {
    const s = `pgboss_t_${randomBytes(4).toString('hex')}`;
    bossSchemas.push(s);
    return s;
  };
  let tdb: TestDatabase;
  const queues: PgBossJobQueue[] = [];
  const newQueue = async (bossSchema: string): Promise<PgBossJobQueue> => {
    const q = new PgBossJobQueue({ connectionString: TEST_PG_URL, schema: bossSchema, supervise: false, retryDelaySeconds: 0 });
    await q.start();
    queues.push(q);
    return q;
  };

  beforeAll(async () => {
    tdb = await openTestDatabase('postgres');
  });
  afterAll(async () => {
    for (const q of queues) await q.stop().catch(() => undefined);
    await tdb?.dispose();
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    for (const s of bossSchemas) await c.query(`drop schema if exists ${s} cascade`);
    await c.end();
  });

  it('B7 merges concurrent requests from two instances (two processes) into one job per integration and kind', async () => {
    const schema = newSchema();
    const a = await newQueue(schema);
    const b = await newQueue(schema);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).enqueue({ kind: 'nomenclature.full', integrationId: 42, trigger: 'api' })),
    );
    const ids = new Set(results.map((r) => r.jobId));
    expect(ids.size).toBe(1);
    expect(results.filter((r) => !r.merged)).toHaveLength(1);
    const other = await a.enqueue({ kind: 'nomenclature.full', integrationId: 43, trigger: 'api' });
    expect(other.merged).toBe(false);
    expect((await a.depth())['nomenclature.full']).toEqual({ queued: 2, running: 0 });
    const rec = await b.get([...ids][0]!);
    expect(rec).toMatchObject({ state: 'queued', kind: 'nomenclature.full', integrationId: '42', trigger: 'api', attempt: 1, maxAttempts: 5 });
  });

  it('B7 enqueueMany merges into queued jobs and within the batch, and the new jobs run', async () => {
    const q = await newQueue(newSchema());
    const before = await q.enqueue({ kind: 'nomenclature.full', integrationId: 1, trigger: 'api' });
    const results = await q.enqueueMany([
      { kind: 'nomenclature.full', integrationId: 1, trigger: 'schedule' },
      { kind: 'nomenclature.full', integrationId: 2, trigger: 'schedule', payload: { x: 1 } },
      { kind: 'nomenclature.full', integrationId: 2, trigger: 'schedule' },
      { kind: 'categories', integrationId: 2, trigger: 'schedule' },
    ]);
    expect(results[0]).toEqual({ jobId: before.jobId, merged: true });
    expect(results[1]!.merged).toBe(false);
    expect(results[2]).toEqual({ jobId: results[1]!.jobId, merged: true });
    expect(results[3]!.merged).toBe(false);
    expect(await q.depth()).toEqual({ 'nomenclature.full': { queued: 2, running: 0 }, categories: { queued: 1, running: 0 } });
    expect(await q.get(results[1]!.jobId)).toMatchObject({ state: 'queued', integrationId: '2', trigger: 'schedule', payload: { x: 1 }, attempt: 1, maxAttempts: 5 });
    // a second batch while they are queued merges entirely
    const again = await q.enqueueMany([{ kind: 'categories', integrationId: 2, trigger: 'api' }]);
    expect(again).toEqual([{ jobId: results[3]!.jobId, merged: true }]);
    const fetched = await q.fetch(['nomenclature.full', 'categories'], 'w');
    expect(fetched).toBeDefined();
  });

  it('B1 retries a retryable failure and stops a non-retryable one, recording the error', async () => {
    const q = await newQueue(newSchema());
    const clock = new ManualClock({ autoAdvance: true });
    const seen: Array<[string, number]> = [];
    const worker = createWorker({
      db: tdb.db,
      queue: q,
      clock,
      leaseKeyFor: () => undefined,
      handlers: {
        outbox: async ({ job }) => {
          seen.push([job.kind, job.attempt]);
          if (job.attempt === 1) throw new RetryableError();
          return { sent: 2 };
        },
        balance: async ({ job }) => {
          seen.push([job.kind, job.attempt]);
          throw new AppError('moysklad_forbidden', 'no CRM on this tariff');
        },
      },
    });
    const ok = await q.enqueue({ kind: 'outbox', trigger: 'schedule' });
    const bad = await q.enqueue({ kind: 'balance', integrationId: 9, trigger: 'schedule' });
    worker.start();
    try {
      await waitUntil(async () => (await q.get(ok.jobId))?.state === 'completed', 'outbox completed');
      await waitUntil(async () => (await q.get(bad.jobId))?.state === 'failed', 'balance failed');
    } finally {
      await worker.stop();
    }
    expect(seen.filter(([k]) => k === 'outbox')).toEqual([
      ['outbox', 1],
      ['outbox', 2],
    ]);
    expect(seen.filter(([k]) => k === 'balance')).toEqual([['balance', 1]]);
    expect((await q.get(ok.jobId))?.result).toEqual({ sent: 2 });
    expect((await q.get(bad.jobId))?.lastError).toEqual({ message: 'no CRM on this tariff', code: 'moysklad_forbidden', retryable: false });
  });

  it('B7 a new instance runs the jobs a killed worker process left (queued, and mid-run once expired)', async () => {
    const appSchema = tdb.schema!;
    const bossSchema = newSchema();
    const ids = await new Promise<string[]>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'fixtures/pg-boss-crash-child.ts'), TEST_PG_URL, bossSchema, appSchema], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      let found: string[] = [];
      child.stdout.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /IDS (\[.*\])/.exec(out);
        if (m) found = JSON.parse(m[1]!) as string[];
        if (out.includes('RUNNING') && child.exitCode === null) child.kill('SIGKILL');
      });
      child.stderr.on('data', (b: Buffer) => (err += b.toString()));
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve(found) : reject(new Error(`child exited ${code}: ${err}`))));
    });
    expect(ids).toHaveLength(3);
    const q = await newQueue(bossSchema);
    expect((await Promise.all(ids.map((id) => q.get(id)))).map((j) => j?.state)).toEqual(['running', 'queued', 'queued']);
    // The killed run stays active until its expiration; let its expiry pass (instead of waiting 4 h).
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`update ${bossSchema}.job set started_on = now() - interval '5 hours' where id = $1`, [ids[0]]);
    await c.end();
    await q.boss.expire();
    const clock = new ManualClock({ autoAdvance: true });
    const ran: string[] = [];
    const handler = async ({ job }: { job: { id: string } }) => {
      ran.push(job.id);
      return null;
    };
    const worker = createWorker({
      db: tdb.db,
      queue: q,
      clock,
      leaseKeyFor: () => undefined,
      handlers: { 'nomenclature.full': handler, categories: handler, 'stock.full': handler },
    });
    worker.start();
    try {
      await waitUntil(async () => (await Promise.all(ids.map((id) => q.get(id)))).every((j) => j?.state === 'completed'), 'all three completed');
    } finally {
      await worker.stop();
    }
    expect(ran.sort()).toEqual([...ids].sort());
    expect((await q.get(ids[0]!))?.attempt).toBe(2);
  });
});
