/**
 * @module outbox-drain
 * B1 the outbox dispatcher: claims due outbox rows of the kinds it has handlers for, runs them
 * (a few at a time, never two of the same aggregate), and records the outcome:
 * - done → `sent` (plus the other waiting rows of the same aggregate the handler coalesced);
 * - `ExportDeferred` (an option is off, no organization yet) → stays `pending`, due again later,
 *   with the reason in `last_error`; costs no MoySklad request;
 * - a retryable failure (MoySklad 5xx, timeouts, unreachable, 429 beyond the limiter, credentials)
 *   → `pending` with exponential backoff (30 s … 30 min), forever: an order is never dropped;
 * - any other failure → `failed` with the reason, until `retryOutboxItem(id)` (admin/API).
 * Each drain writes one `sync_runs` record per integration it touched (kind `outbox`), with the
 * MoySklad requests it used (B9).
 */
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import type { Database, OutboxRow, SyncTrigger } from '../../store/schema.js';
import { recordRun, type SyncRun, type SyncRunDeps } from '../sync-run.js';
import { classifyExportError, ExportDeferred } from './export-error.js';
import { OUTBOX_KIND } from './kinds.js';
import { OutboxRepository, type OutboxItemView } from '../../store/repositories/outbox-repository.js';

/** `last_error` prefix of an item waiting for a permission or tariff problem to be fixed (C10). */
export const PERMISSION_PROBLEM_PREFIX = 'permission_problem:';

/** Full-jitter-free exponential backoff: 30 s, 1 min, 2 min … capped at 30 min. */
export function outboxBackoffMs(attempts: number, baseMs = 30_000, capMs = 30 * 60_000): number {
  const n = Math.max(1, attempts);
  return Math.min(capMs, baseMs * 2 ** Math.min(20, n - 1));
}

export interface OutboxHandlerEnv {
  run: SyncRun;
  store: OutboxRepository;
  /** Memory shared by every item of this drain (caches keyed by the handler). */
  shared: Map<string, unknown>;
}

export interface OutboxHandlerResult {
  /** Other outbox rows this run made obsolete (e.g. every waiting row of the same order). */
  coalesced?: number[];
  /** Counter names to add to the run (e.g. `orders_created`). */
  counts?: Record<string, number>;
}

export type OutboxHandler = (item: OutboxRow, env: OutboxHandlerEnv) => Promise<OutboxHandlerResult | void>;

export interface OutboxDrainDeps {
  db: Kysely<Database>;
  clock: Clock;
  runDeps: SyncRunDeps;
  /** kind → handler. Rows of other kinds are left for whoever handles them. */
  handlers: ReadonlyMap<string, OutboxHandler>;
}

export interface DrainOptions {
  trigger?: SyncTrigger;
  /** Stop after this many claimed items (default 5000). */
  maxItems?: number;
  /** Rows read per batch (default 100). */
  batchSize?: number;
  /** Items processed at once (default 4, MoySklad's parallel cap is 5). */
  concurrency?: number;
  /** A `running` row untouched this long is a crashed worker's: put back (default 15 min). */
  staleAfterMs?: number;
  signal?: AbortSignal;
  /** Called after each batch (CLI progress, job progress). */
  onProgress?: (report: DrainReport) => void | Promise<void>;
}

export interface DrainReport {
  claimed: number;
  sent: number;
  retried: number;
  deferred: number;
  failed: number;
  /** Rows skipped because another worker held them or their aggregate. */
  busy: number;
  requeuedStale: number;
  requests: number;
  runIds: number[];
}

/** Drains the due outbox rows once (until none is due, `maxItems`, or abort). */
export async function drainOutbox(deps: OutboxDrainDeps, options: DrainOptions = {}): Promise<DrainReport> {
  const { db, clock, handlers } = deps;
  const store = new OutboxRepository(db, clock);
  const kinds = [...handlers.keys()];
  const maxItems = options.maxItems ?? 5000;
  const batchSize = options.batchSize ?? 100;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const report: DrainReport = { claimed: 0, sent: 0, retried: 0, deferred: 0, failed: 0, busy: 0, requeuedStale: 0, requests: 0, runIds: [] };
  report.requeuedStale = await store.requeueStale(new Date(clock.nowMs() - (options.staleAfterMs ?? 15 * 60_000)));
  const shared = new Map<string, unknown>();
  const seen = new Set<number>();

  while (report.claimed < maxItems && !options.signal?.aborted) {
    const due = (await store.listDue(kinds, batchSize + seen.size)).filter((r) => !seen.has(Number(r.id))).slice(0, batchSize);
    if (due.length === 0) break;
    for (const r of due) seen.add(Number(r.id));
    const groups = new Map<number | null, OutboxRow[]>();
    for (const r of due) {
      const key = r.integrationId === null ? null : Number(r.integrationId);
      groups.set(key, [...(groups.get(key) ?? []), r]);
    }
    for (const [integrationId, rows] of groups) {
      const finished = await recordRun(deps.runDeps, { kind: OUTBOX_KIND, trigger: options.trigger ?? 'schedule', integrationId }, async (run) => {
        const queue = [...rows];
        const one = async (): Promise<void> => {
          for (let item = queue.shift(); item; item = queue.shift()) {
            if (options.signal?.aborted || report.claimed >= maxItems) return;
            await processOne(clock, store, handlers, item, { run, store, shared }, report);
          }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, rows.length) }, one));
        const failed = run.counts.failed ?? 0;
        const ok = (run.counts.sent ?? 0) + (run.counts.deferred ?? 0);
        return {
          status: failed + (run.counts.retried ?? 0) === 0 ? 'ok' : ok > 0 ? 'partial' : 'failed',
          message: Object.entries(run.counts)
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
        };
      });
      report.requests += finished.requests;
      report.runIds.push(finished.id);
    }
    await options.onProgress?.(report);
  }
  return report;
}

async function processOne(clock: Clock, store: OutboxRepository, handlers: ReadonlyMap<string, OutboxHandler>, item: OutboxRow, env: OutboxHandlerEnv, report: DrainReport): Promise<void> {
  const id = Number(item.id);
  if (!(await store.claim(id))) {
    report.busy += 1;
    return;
  }
  report.claimed += 1;
  const { run } = env;
  const handler = handlers.get(item.kind)!;
  const attempts = Number(item.attempts) + 1;
  try {
    const result = (await handler(item, env)) ?? {};
    await store.markSent(id, result.coalesced ?? []);
    for (const [k, v] of Object.entries(result.counts ?? {})) run.count(k, v);
    run.count('sent');
    report.sent += 1;
  } catch (e) {
    if (e instanceof ExportDeferred) {
      await store.markRetry(id, `${e.code}: ${e.message}`, new Date(clock.nowMs() + e.retryAfterMs));
      run.count('deferred');
      report.deferred += 1;
      await run.log('info', `outbox ${id} (${item.kind} ${item.aggregateType} ${item.aggregateId}) deferred: ${e.message}`, { outboxId: id, code: e.code });
      return;
    }
    // C10 a permission or tariff refusal: the integration shows what to change in MoySklad, and the
    // item waits (slowly, or until the integration's settings change) instead of failing or retrying hot.
    const problem = await env.run.noteProblem(e, item.integrationId === null ? null : Number(item.integrationId));
    if (problem) {
      await store.markRetry(id, `${PERMISSION_PROBLEM_PREFIX}${problem.code}: ${problem.message}`, problem.retryAt);
      run.count('deferred');
      report.deferred += 1;
      await run.log('warn', `outbox ${id} (${item.kind} ${item.aggregateType} ${item.aggregateId}) waits until ${problem.retryAt.toISOString()}: ${problem.message}`, { outboxId: id, code: problem.code });
      return;
    }
    const c = classifyExportError(e);
    if (c.retryable) {
      const retryAt = new Date(clock.nowMs() + outboxBackoffMs(attempts));
      await store.markRetry(id, c.message, retryAt);
      run.count('retried');
      report.retried += 1;
      await run.log('warn', `outbox ${id} (${item.kind} ${item.aggregateType} ${item.aggregateId}) will be retried at ${retryAt.toISOString()}: ${c.message}`, {
        outboxId: id,
        code: c.code,
        attempts,
      });
    } else {
      await store.markFailed(id, c.message);
      run.count('failed');
      report.failed += 1;
      await run.log('error', `outbox ${id} (${item.kind} ${item.aggregateType} ${item.aggregateId}) failed: ${c.message}`, { outboxId: id, code: c.code, attempts });
    }
  }
}

/**
 * Manual retry (admin panel / API): a `failed` (or waiting) outbox row becomes due now; the next
 * drain picks it up. Returns the row as the API shows it.
 */
export async function retryOutboxItem(deps: { db: Kysely<Database>; clock: Clock }, id: number): Promise<OutboxItemView> {
  const item = await new OutboxRepository(deps.db, deps.clock).retry(id);
  if (item.aggregateType === 'order' && item.state === 'pending') {
    // The order shows "waiting" again instead of the old failure.
    await deps.db
      .updateTable('orders')
      .set({ exportState: 'pending', updatedAt: deps.clock.now().toISOString() })
      .where('id', '=', Number(item.aggregateId))
      .where('exportState', '=', 'failed')
      .execute();
  }
  return item;
}
