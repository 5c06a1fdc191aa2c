/**
 * @module metrics
 * The Prometheus registry of the service (prom-client) and the metrics other modules increment:
 * job runs and durations (queue), queue depth (collected from the queue on scrape), MoySklad requests by
 * status and code and 429s (MoySklad client `onRequest`), sync runs by kind and outcome with their
 * durations (`recordRun`'s `onFinished`). `src/server/metrics.ts` serves them at `/metrics`.
 * It depends on nothing of the project, so the queue, the syncs and the server may all import it.
 *
 * `createMetrics()` builds an isolated set (tests); `metrics` is the process's shared set.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type QueueDepthSource = () => Promise<Record<string, { queued: number; running: number }>>;

export interface Metrics {
  registry: Registry;
  /** Job runs by kind and outcome (`ok` | `partial` | `failed` | `retry` | `interrupted`). */
  jobRuns: Counter<'kind' | 'outcome'>;
  /** Job run durations in seconds by kind and outcome. */
  jobDuration: Histogram<'kind' | 'outcome'>;
  /** Queued / running jobs per kind, read from the registered queue at scrape time. */
  queueDepth: Gauge<'kind' | 'state'>;
  /** Jobs merged into an existing queued/running job, by kind. */
  jobsMerged: Counter<'kind'>;
  /** MoySklad requests by HTTP status and MoySklad error code (`none` when there is none). */
  moyskladRequests: Counter<'status' | 'code'>;
  /** MoySklad 429 responses by code (1049 budget, 1073 parallel). */
  moysklad429: Counter<'code'>;
  /** Registers where queue depth comes from (the queue, on scrape). Returns an unregister function. */
  setQueueDepthSource(source: QueueDepthSource | undefined): void;
  /** Records one MoySklad response (status 0 = no response: network error or timeout). */
  recordMoyskladRequest(status: number, code?: number | string | null): void;
  /** Sync runs (`sync_runs` rows) by kind and outcome (`ok` | `partial` | `failed`). */
  syncRuns: Counter<'kind' | 'outcome'>;
  /** Sync run durations in seconds by kind and outcome. */
  syncDuration: Histogram<'kind' | 'outcome'>;
  /** Records one finished sync run (wire to `recordRun`'s `onFinished`). */
  recordSyncRun(kind: string, outcome: string, durationMs: number): void;
}

export function createMetrics(options: { registry?: Registry; defaultMetrics?: boolean } = {}): Metrics {
  const registry = options.registry ?? new Registry();
  if (options.defaultMetrics) collectDefaultMetrics({ register: registry, prefix: 'msx_' });
  let depthSource: QueueDepthSource | undefined;

  const jobRuns = new Counter({
    name: 'msx_job_runs_total',
    help: 'Job runs by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const jobDuration = new Histogram({
    name: 'msx_job_duration_seconds',
    help: 'Job run duration in seconds by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  });
  const queueDepth = new Gauge({
    name: 'msx_queue_depth',
    help: 'Jobs queued or running, by kind and state',
    labelNames: ['kind', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      if (!depthSource) return;
      const depth = await depthSource();
      for (const [kind, d] of Object.entries(depth)) {
        this.set({ kind, state: 'queued' }, d.queued);
        this.set({ kind, state: 'running' }, d.running);
      }
    },
  });
  const jobsMerged = new Counter({
    name: 'msx_jobs_merged_total',
    help: 'Enqueue requests merged into an already queued or running job, by kind',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const moyskladRequests = new Counter({
    name: 'msx_moysklad_requests_total',
    help: 'MoySklad API requests by HTTP status and MoySklad error code',
    labelNames: ['status', 'code'] as const,
    registers: [registry],
  });
  const moysklad429 = new Counter({
    name: 'msx_moysklad_429_total',
    help: 'MoySklad 429 responses by error code (1049 budget exceeded, 1073 too many parallel requests)',
    labelNames: ['code'] as const,
    registers: [registry],
  });

  const syncRuns = new Counter({
    name: 'msx_sync_runs_total',
    help: 'Sync runs by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    registers: [registry],
  });
  const syncDuration = new Histogram({
    name: 'msx_sync_run_duration_seconds',
    help: 'Sync run duration in seconds by kind and outcome',
    labelNames: ['kind', 'outcome'] as const,
    buckets: [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600],
    registers: [registry],
  });

  return {
    registry,
    syncRuns,
    syncDuration,
    recordSyncRun(kind, outcome, durationMs) {
      syncRuns.inc({ kind, outcome });
      syncDuration.observe({ kind, outcome }, Math.max(0, durationMs) / 1000);
    },
    jobRuns,
    jobDuration,
    queueDepth,
    jobsMerged,
    moyskladRequests,
    moysklad429,
    setQueueDepthSource(source) {
      depthSource = source;
    },
    recordMoyskladRequest(status, code) {
      const c = code == null || code === '' ? 'none' : String(code);
      moyskladRequests.inc({ status: String(status), code: c });
      if (status === 429) moysklad429.inc({ code: c });
    },
  };
}

/** The process-wide metrics (with Node's default process metrics). */
export const metrics: Metrics = createMetrics({ defaultMetrics: true });
