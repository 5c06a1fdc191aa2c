/**
 * Multi-tenant row: N integrations on M MoySklad accounts, one `nomenclature.full` job each through
 * pg-boss on PostgreSQL, drained by worker child processes — the queue engineer's scale scenario
 * (test/queue/scale-scenario.ts: emulator on a loopback port, limits ON, real clock).
 */
import { requestWeight } from '../../src/moysklad/limiter.js';
import { RemoteEmulator } from '../lib/remote-emulator.js';
import { postgresUnavailableReason } from '../../test/helpers/databases.js';
import { formatTimeline, runScaleScenario, type ScaleOptions } from '../../test/queue/scale-scenario.js';
import type { ScenarioResult } from './scenarios.js';

export async function runMultiTenant(o: { integrations: number; accounts: number; productsPerAccount: number; workers: number }): Promise<ScenarioResult[]> {
  const skip = postgresUnavailableReason();
  if (skip) throw new Error(`PostgreSQL unavailable (${skip})`);
  const pageLimit = 1000;
  const started = Date.now();
  // the emulator in a process of its own, as in the other rows (limits on, no latency model, real date)
  const startEmulator: ScaleOptions['startEmulator'] = async (accounts) => {
    const remote = await RemoteEmulator.start({ accounts, limits: {}, latency: { baseMs: 0, perRowMs: 0 }, clockOffsetMs: 0 });
    return { apiBaseUrl: remote.apiBaseUrl, stats: () => remote.stats(), close: () => remote.close() };
  };
  const r = await runScaleScenario({ ...o, pageLimit, concurrency: 4, startEmulator });
  if (process.env.MSX_QUEUE_DEBUG) process.stderr.write(`${formatTimeline(r)}\n`);
  const weight = requestWeight('password', 'entity/product', started);
  // per integration: the product pages and one variant page; the busiest account sets the floor
  const perIntegration = Math.ceil(o.productsPerAccount / pageLimit) + 1;
  const perAccount = Math.ceil(o.integrations / o.accounts) * perIntegration;
  return [
    {
      scenario: 'multi-tenant nomenclature full',
      size: `${o.integrations} integrations / ${o.accounts} accounts × ${o.productsPerAccount.toLocaleString('en-US')} products`,
      auth: 'password',
      dialect: 'postgres',
      requests: r.emulatorRequests,
      minRequests: o.integrations * perIntegration,
      // the floor is the busiest account's (accounts have budgets of their own and run in parallel)
      floorRequests: perAccount,
      weight,
      tooMany: r.emulator429,
      wallMs: r.elapsedMs,
      rowsWritten: r.runs.reduce((n, x) => n + x.products, 0),
      writeMs: null,
      status: `${r.runs.length}/${r.jobs.length} jobs done, ${r.workersUsed} workers${r.accountOverlap ? ', ACCOUNT OVERLAP' : ''}`,
      notes: [
        `pg-boss + ${o.workers} worker processes; requests and minimum = all accounts; the floor is the busiest account's ${perAccount} minimum requests; peak RSS = coordinator (emulator and workers are separate processes)`,
        'wall = from the first job enqueued (one enqueueMany batch, as the nightly schedule) to the last job done; the worker processes are started and idle before (their start-up is not counted)',
        'emulator without latency in a process of its own (as the other rows; it shares the 2 cores with the workers); weight by the real date (scale scenario of test/queue); MSX_QUEUE_DEBUG=1 prints the per-account request/job timeline on stderr',
        `${r.hops} worker hops (an account's next job on another worker process; its limiter state travels with the credential lease)`,
        `CPU: worker processes ${(r.workerCpuMs / 1000).toFixed(1)} s (READY to stop), coordinator ${(r.coordinatorCpuMs / 1000).toFixed(1)} s, in ${(r.elapsedMs / 1000).toFixed(1)} s wall on 2 shared cores`,
      ],
    },
  ];
}
