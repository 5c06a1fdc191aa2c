import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { firstSyncRequests, runInOrder } from '../../src/main.js';
import type { EnqueueRequest, JobRecord, JobState } from '../../src/queue/types.js';
import { SyncRegistry } from '../../src/sync/sync-registry.js';

const runner = async () => ({ status: 'ok' as const });

describe('quick-start first syncs', () => {
  it('R20 run in dependency order: categories, products, stock per price list, photos last', () => {
    const syncs = new SyncRegistry()
      .register({ kind: 'photos', description: 'd', scope: 'integration', firstRun: true, runner })
      .register({ kind: 'stock.full', description: 'd', scope: 'price-list', firstRun: true, runner })
      .register({ kind: 'nomenclature.full', description: 'd', scope: 'integration', firstRun: true, runner })
      .register({ kind: 'nomenclature.incremental', description: 'd', scope: 'integration', runner })
      .register({ kind: 'categories', description: 'd', scope: 'integration', firstRun: true, runner });
    expect(firstSyncRequests(syncs, 4, [1, 2])).toEqual([
      { kind: 'categories', integrationId: 4, trigger: 'manual' },
      { kind: 'nomenclature.full', integrationId: 4, trigger: 'manual' },
      { kind: 'stock.full', integrationId: 4, priceListId: 1, trigger: 'manual' },
      { kind: 'stock.full', integrationId: 4, priceListId: 2, trigger: 'manual' },
      { kind: 'photos', integrationId: 4, trigger: 'manual' },
    ]);
  });

  it('R20 each job is enqueued only after the previous one finished (clock time, no real sleeping)', async () => {
    const clock = new ManualClock();
    const enqueued: { request: EnqueueRequest; atMs: number }[] = [];
    const states = new Map<string, JobState>();
    const queue = {
      enqueue: async (request: EnqueueRequest) => {
        const jobId = `job${enqueued.length + 1}`;
        enqueued.push({ request, atMs: clock.nowMs() });
        states.set(jobId, 'running');
        // The job "runs" for 3 seconds of clock time; the first one fails, which must not stop the rest.
        const started = clock.nowMs();
        const finishAt = started + 3000;
        void (async () => {
          while (clock.nowMs() < finishAt) await clock.sleep(500);
          states.set(jobId, jobId === 'job1' ? 'failed' : 'completed');
        })();
        return { jobId, merged: false };
      },
      get: async (jobId: string) => ({ state: states.get(jobId) }) as JobRecord,
    };
    const requests: EnqueueRequest[] = [
      { kind: 'categories', integrationId: 1, trigger: 'manual' },
      { kind: 'nomenclature.full', integrationId: 1, trigger: 'manual' },
      { kind: 'stock.full', priceListId: 1, trigger: 'manual' },
    ];
    const t0 = clock.nowMs();
    await runInOrder(queue, clock, requests, new AbortController().signal);
    expect(enqueued.map((e) => e.request.kind)).toEqual(['categories', 'nomenclature.full', 'stock.full']);
    for (let i = 1; i < enqueued.length; i++) expect(enqueued[i]!.atMs - enqueued[i - 1]!.atMs).toBeGreaterThanOrEqual(3000);
    expect(enqueued[0]!.atMs).toBe(t0);
  });
});
