import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { createJobQueue, onShutdownSignals } from '../../src/queue/create-job-queue.js';
import { EmbeddedJobQueue } from '../../src/queue/embedded-queue.js';
import { startScheduler } from '../../src/queue/scheduler.js';
import { createWorker } from '../../src/queue/worker.js';
import { createMetrics, createMetricsHandler } from '../../src/server/metrics.js';
import { openTestDatabase, type TestDatabase } from '../helpers/databases.js';
import { deferred, waitUntil } from './helpers.js';

const open: TestDatabase[] = [];
afterEach(async () => {
  for (const d of open.splice(0)) await d.dispose();
});

describe('metrics endpoint', () => {
  it('B9 serves MoySklad requests by status and code and 429s in Prometheus text format', async () => {
    const m = createMetrics();
    m.recordMoyskladRequest(200);
    m.recordMoyskladRequest(200);
    m.recordMoyskladRequest(429, 1049);
    m.recordMoyskladRequest(429, 1073);
    m.recordMoyskladRequest(503, null);
    const res = await createMetricsHandler(m)();
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await res.text();
    expect(text).toMatch(/msx_moysklad_requests_total\{status="200",code="none"\} 2/);
    expect(text).toMatch(/msx_moysklad_requests_total\{status="429",code="1049"\} 1/);
    expect(text).toMatch(/msx_moysklad_429_total\{code="1073"\} 1/);
    expect(text).toMatch(/msx_moysklad_requests_total\{status="503",code="none"\} 1/);
    expect(text).not.toMatch(/msx_moysklad_429_total\{code="none"\}/);
  });
});

describe('graceful shutdown', () => {
  it('B7 on SIGTERM stops the scheduler, lets the running job finish, stops the worker and exits 0', async () => {
    const tdb = await openTestDatabase('sqlite');
    open.push(tdb);
    const clock = new ManualClock({ autoAdvance: true });
    const queue = createJobQueue({ dialect: 'sqlite', db: tdb.db, clock });
    expect(queue).toBeInstanceOf(EmbeddedJobQueue);
    const started = deferred();
    let finished = false;
    const worker = createWorker({
      db: tdb.db,
      queue,
      clock,
      leaseKeyFor: () => undefined,
      handlers: {
        photos: async () => {
          started.resolve();
          await clock.sleep(20_000);
          finished = true;
          return { images: 3 };
        },
      },
    });
    const scheduler = startScheduler({ queue, db: tdb.db, clock, targets: async () => ({ integrations: [], priceLists: [] }), outboxEverySeconds: 0 });
    const { jobId } = await queue.enqueue({ kind: 'photos', integrationId: 1, trigger: 'admin' });
    worker.start();
    await started.promise;
    const proc = new EventEmitter() as unknown as NodeJS.Process;
    const exitCodes: number[] = [];
    onShutdownSignals({ scheduler, worker, queue }, { proc, exit: (c) => exitCodes.push(c), deadlineMs: 60_000 });
    proc.emit('SIGTERM', 'SIGTERM');
    await waitUntil(() => exitCodes.length > 0, 'process exit');
    expect(exitCodes).toEqual([0]);
    expect(finished).toBe(true);
    expect((await queue.get(jobId))?.state).toBe('completed');
  });
});
