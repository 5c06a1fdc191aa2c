import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { AppError } from '../../src/core/errors.js';
import { EmbeddedJobQueue } from '../../src/queue/embedded-queue.js';
import { createWorker, type Worker } from '../../src/queue/worker.js';
import { createMetrics } from '../../src/server/metrics.js';
import { openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { deferred, waitUntil } from './helpers.js';

const open: TestDatabase[] = [];
const workers: Worker[] = [];
afterEach(async () => {
  for (const w of workers.splice(0)) await w.stop({ deadlineMs: 0 });
  for (const d of open.splice(0)) await d.dispose();
});

async function setup(options: { autoAdvance?: boolean } = {}) {
  const tdb = await openTestDatabase('sqlite');
  open.push(tdb);
  const clock = new ManualClock({ start: '2026-11-29T09:00:00Z', autoAdvance: options.autoAdvance ?? true });
  const queue = new EmbeddedJobQueue({ db: tdb.db, clock });
  return { tdb, db: tdb.db, clock, queue };
}

class RetryableError extends AppError {
  readonly retryable = true;
  constructor() {
    super('moysklad_server_error', 'MoySklad answered 503');
  }
}

describe('embedded queue (SQLite)', () => {
  it('B7 merges a second request for the same integration and kind while one is queued', async () => {
    const { db, clock } = await setup();
    const metrics = createMetrics();
    const queue = new EmbeddedJobQueue({ db, clock, metrics });
    const a = await queue.enqueue({ kind: 'nomenclature.full', integrationId: 1, trigger: 'api' });
    const b = await queue.enqueue({ kind: 'nomenclature.full', integrationId: 1, trigger: 'cli' });
    const c = await queue.enqueue({ kind: 'nomenclature.full', integrationId: 2, trigger: 'api' });
    const d = await queue.enqueue({ kind: 'categories', integrationId: 1, trigger: 'api' });
    expect(a.merged).toBe(false);
    expect(b).toEqual({ jobId: a.jobId, merged: true });
    expect(c.merged).toBe(false);
    expect(d.merged).toBe(false);
    expect(new Set([a.jobId, c.jobId, d.jobId]).size).toBe(3);
    expect(await queue.depth()).toEqual({ 'nomenclature.full': { queued: 2, running: 0 }, categories: { queued: 1, running: 0 } });
    expect(await metrics.registry.metrics()).toMatch(/msx_jobs_merged_total\{kind="nomenclature.full"\} 1/);
  });

  it('B7 enqueueMany merges into queued jobs and within the batch', async () => {
    const { queue } = await setup();
    const before = await queue.enqueue({ kind: 'nomenclature.full', integrationId: 1, trigger: 'api' });
    const results = await queue.enqueueMany([
      { kind: 'nomenclature.full', integrationId: 1, trigger: 'schedule' },
      { kind: 'nomenclature.full', integrationId: 2, trigger: 'schedule' },
      { kind: 'nomenclature.full', integrationId: 2, trigger: 'schedule' },
    ]);
    expect(results[0]).toEqual({ jobId: before.jobId, merged: true });
    expect(results[1]!.merged).toBe(false);
    expect(results[2]).toEqual({ jobId: results[1]!.jobId, merged: true });
    expect(await queue.depth()).toEqual({ 'nomenclature.full': { queued: 2, running: 0 } });
  });

  it('B7 runs no concurrent duplicate for one integration and kind: requests while running merge into the running job', async () => {
    const { db, clock, queue } = await setup();
    let concurrent = 0;
    let maxConcurrent = 0;
    let runs = 0;
    const gate = deferred();
    const worker = createWorker({
      db,
      queue,
      clock,
      concurrency: 4,
      leaseKeyFor: () => undefined,
      handlers: {
        'stock.full': async () => {
          runs++;
          concurrent++;
          maxConcurrent = Math.max(maxConcurrent, concurrent);
          await gate.promise;
          concurrent--;
          return { rows: 10 };
        },
      },
    });
    workers.push(worker);
    const first = await queue.enqueue({ kind: 'stock.full', priceListId: 7, trigger: 'schedule' });
    worker.start();
    await waitUntil(() => runs === 1, 'first run started');
    const during = await Promise.all([1, 2, 3].map(() => queue.enqueue({ kind: 'stock.full', priceListId: 7, trigger: 'api' })));
    for (const r of during) expect(r).toEqual({ jobId: first.jobId, merged: true });
    gate.resolve();
    await worker.idle();
    expect(runs).toBe(1);
    expect(maxConcurrent).toBe(1);
    const rec = await queue.get(first.jobId);
    expect(rec?.state).toBe('completed');
    expect(rec?.result).toEqual({ rows: 10 });
    // once finished, a new request is a new run
    const again = await queue.enqueue({ kind: 'stock.full', priceListId: 7, trigger: 'api' });
    expect(again.merged).toBe(false);
    expect(again.jobId).not.toBe(first.jobId);
  });

  it('B1 retries a retryable failure with backoff on the clock and stops a non-retryable one', async () => {
    const { db, clock, queue } = await setup();
    const attempts: Array<{ kind: string; at: number }> = [];
    const worker = createWorker({
      db,
      queue,
      clock,
      leaseKeyFor: () => undefined,
      retry: { baseDelayMs: 30_000, maxDelayMs: 600_000 },
      handlers: {
        outbox: async ({ job }) => {
          attempts.push({ kind: job.kind, at: clock.nowMs() });
          if (job.attempt < 3) throw new RetryableError();
          return { sent: 1 };
        },
        balance: async ({ job }) => {
          attempts.push({ kind: job.kind, at: clock.nowMs() });
          throw new AppError('moysklad_forbidden', 'the tariff has no CRM');
        },
      },
    });
    workers.push(worker);
    const ok = await queue.enqueue({ kind: 'outbox', trigger: 'schedule' });
    const bad = await queue.enqueue({ kind: 'balance', integrationId: 3, trigger: 'schedule' });
    worker.start();
    await waitUntil(async () => (await queue.get(ok.jobId))?.state === 'completed', 'outbox job completed');
    await waitUntil(async () => (await queue.get(bad.jobId))?.state === 'failed', 'balance job failed');
    const outboxRuns = attempts.filter((a) => a.kind === 'outbox').map((a) => a.at);
    expect(outboxRuns).toHaveLength(3);
    expect(outboxRuns[1]! - outboxRuns[0]!).toBeGreaterThanOrEqual(30_000);
    expect(outboxRuns[2]! - outboxRuns[1]!).toBeGreaterThanOrEqual(60_000);
    const okRec = await queue.get(ok.jobId);
    expect(okRec?.attempt).toBe(3);
    expect(okRec?.result).toEqual({ sent: 1 });
    expect(attempts.filter((a) => a.kind === 'balance')).toHaveLength(1);
    const badRec = await queue.get(bad.jobId);
    expect(badRec?.lastError).toEqual({ message: 'the tariff has no CRM', code: 'moysklad_forbidden', retryable: false });
  });

  it('B9 counts runs by kind and outcome and exposes queue depth in Prometheus format', async () => {
    const { db, clock, queue } = await setup();
    const metrics = createMetrics();
    metrics.setQueueDepthSource(() => queue.depth());
    await queue.enqueue({ kind: 'photos', integrationId: 1, trigger: 'api' });
    await queue.enqueue({ kind: 'categories', integrationId: 1, trigger: 'api' });
    await queue.enqueue({ kind: 'nomenclature.full', integrationId: 1, trigger: 'api' });
    const text0 = await metrics.registry.metrics();
    expect(text0).toMatch(/msx_queue_depth\{kind="photos",state="queued"\} 1/);
    const worker = createWorker({
      db,
      queue,
      clock,
      metrics,
      leaseKeyFor: () => undefined,
      handlers: {
        photos: async () => {
          await clock.sleep(2_000);
          return null;
        },
        categories: async () => {
          throw new Error('boom');
        },
        // a sync whose items partly failed reports it as data: the job completes, the metric says partial
        'nomenclature.full': async () => ({ status: 'partial', counts: { synced: 10, skipped: 2 } }),
      },
    });
    workers.push(worker);
    worker.start();
    await waitUntil(async () => Object.keys(await queue.depth()).length === 0, 'queue drained');
    await worker.idle();
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/msx_job_runs_total\{kind="photos",outcome="ok"\} 1/);
    expect(text).toMatch(/msx_job_runs_total\{kind="categories",outcome="failed"\} 1/);
    expect(text).toMatch(/msx_job_runs_total\{kind="nomenclature.full",outcome="partial"\} 1/);
    const sum = /msx_job_duration_seconds_sum\{kind="photos",outcome="ok"\} ([\d.]+)/.exec(text);
    expect(Number(sum?.[1])).toBeGreaterThanOrEqual(2); // the handler slept 2 s of clock time
    expect(text).not.toMatch(/msx_queue_depth\{kind="photos",state="queued"\} 1/);
  });

  it('B7 graceful stop lets short jobs finish and re-queues a long one at the deadline without using an attempt', async () => {
    const { db, clock, queue } = await setup();
    let aborted = false;
    const started = { short: false, long: false };
    const worker = createWorker({
      db,
      queue,
      clock,
      leaseKeyFor: () => undefined,
      handlers: {
        'photos': async () => {
          started.short = true;
          await clock.sleep(5_000);
          return { done: true };
        },
        'nomenclature.full': async ({ signal }) => {
          started.long = true;
          // a long run that only ends when told to checkpoint
          await new Promise<void>((_resolve, reject) =>
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(signal.reason);
            }),
          );
          return null;
        },
      },
    });
    workers.push(worker);
    const short = await queue.enqueue({ kind: 'photos', integrationId: 1, trigger: 'api' });
    const long = await queue.enqueue({ kind: 'nomenclature.full', integrationId: 1, trigger: 'api' });
    worker.start();
    await waitUntil(() => started.short && started.long, 'both started');
    await worker.stop({ deadlineMs: 30_000 });
    expect(aborted).toBe(true);
    expect((await queue.get(short.jobId))?.state).toBe('completed');
    const longRec = await queue.get(long.jobId);
    expect(longRec?.state).toBe('queued');
    expect(longRec?.attempt).toBe(0);
  });

  it('B2 runs one credential on one worker at a time while other credentials run in parallel', async () => {
    const { db, clock, queue } = await setup();
    const account = (integrationId: string | null): string => `ms-account:${Number(integrationId) % 2}`;
    const active = new Map<string, Set<string>>();
    let maxPerAccount = 0;
    let maxTotal = 0;
    let total = 0;
    const runs: string[] = [];
    const handler = (workerName: string) => async ({ job }: { job: { integrationId: string | null; id: string } }) => {
      const key = account(job.integrationId);
      const set = active.get(key) ?? new Set<string>();
      active.set(key, set);
      set.add(workerName);
      total++;
      maxPerAccount = Math.max(maxPerAccount, set.size);
      maxTotal = Math.max(maxTotal, total);
      runs.push(job.id);
      await clock.sleep(10_000);
      total--;
      set.delete(workerName);
      return null;
    };
    const mk = (name: string) =>
      createWorker({
        db,
        queue,
        clock,
        workerId: name,
        concurrency: 3,
        leaseKeyFor: (job) => account(job.integrationId),
        handlers: { 'nomenclature.full': handler(name) },
      });
    const w1 = mk('w1');
    const w2 = mk('w2');
    workers.push(w1, w2);
    const ids = [];
    for (let i = 1; i <= 8; i++) ids.push((await queue.enqueue({ kind: 'nomenclature.full', integrationId: i, trigger: 'api' })).jobId);
    w1.start();
    w2.start();
    await waitUntil(async () => Object.keys(await queue.depth()).length === 0, 'all ran');
    expect(runs.sort()).toEqual([...ids].sort());
    expect(maxPerAccount).toBe(1); // one worker per credential at any moment
    expect(maxTotal).toBeGreaterThanOrEqual(2); // the two credentials did run in parallel
  });
});
