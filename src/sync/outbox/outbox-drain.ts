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
 *
 * P2: kinds with a batch handler are claimed together and handed to it (orders go in array POSTs);
 * what it settles is recorded exactly like a single item's outcome, what it leaves runs singly.
 * P3: every claim names the drain's `owner` and holds for `claimTtlMs`, pushed forward by a heartbeat
 * while the drain runs; a drain starts by putting back the rows whose claim ran out (a dead worker's).
 */
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { Clock } from '../../core/clock.js';
import { timerTicker, type Ticker } from '../../core/ticker.js';
import type { Database, OutboxRow, SyncTrigger } from '../../store/schema.js';
import { recordRun, type SyncRun, type SyncRunDeps } from '../sync-run.js';
import { classifyExportError, ExportDeferred } from './export-error.js';
import { OUTBOX_KIND } from './kinds.js';
import { OutboxRepository, type OutboxItemView } from '../../store/repositories/outbox-repository.js';
import { OrderRepository } from '../../store/repositories/order-repository.js';
import { logMsg, logSubject } from '../../domain/log-messages.js';

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

/** The outcome of one row sent by a batch handler: recorded exactly as the single handler's would be. */
export type OutboxBatchOutcome = { result: OutboxHandlerResult } | { error: unknown };

/**
 * P2: sends many claimed rows together. Returns the outcome of each row it settled; the rows it left
 * out run through the single handler (already claimed).
 */
export type OutboxBatchHandler = (items: readonly OutboxRow[], env: OutboxHandlerEnv) => Promise<ReadonlyMap<number, OutboxBatchOutcome>>;

/** P3: how long a claim holds without a heartbeat (the heartbeat runs every quarter of it). */
export const OUTBOX_CLAIM_TTL_MS = 40_000;

/** The default claimer id of this process (host and pid): another process never takes its rows back as its own. */
export const defaultOutboxOwner = (): string => `${hostname()}:${process.pid}`;

export interface OutboxDrainDeps {
  db: Kysely<Database>;
  clock: Clock;
  runDeps: SyncRunDeps;
  /** kind → handler. Rows of other kinds are left for whoever handles them. */
  handlers: ReadonlyMap<string, OutboxHandler>;
  /** P2: kind → batch handler (the kind must have a single handler too). */
  batchHandlers?: ReadonlyMap<string, OutboxBatchHandler>;
}

export interface DrainOptions {
  trigger?: SyncTrigger;
  /** Stop after this many claimed items (default 5000). */
  maxItems?: number;
  /** Rows read per batch (default 1000: one array POST of orders, P2). */
  batchSize?: number;
  /** Items processed at once (default 4, MoySklad's parallel cap is 5). */
  concurrency?: number;
  /** A `running` row claimed without an expiry (older code) and untouched this long is put back (default 15 min). */
  staleAfterMs?: number;
  /** P3: the claimer id written on claimed rows (default host:pid). */
  owner?: string;
  /** P3: how long a claim holds without a heartbeat (default 40 s). */
  claimTtlMs?: number;
  /** P3: runs the heartbeat (default real timers; tests pass `clockTicker(manualClock)`). */
  ticker?: Ticker;
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

interface DrainState {
  deps: OutboxDrainDeps;
  store: OutboxRepository;
  options: DrainOptions;
  report: DrainReport;
  maxItems: number;
  owner: string;
  ttlMs: number;
  /** Rows this drain holds (the heartbeat extends their claims). */
  held: Set<number>;
}

/** Drains the due outbox rows once (until none is due, `maxItems`, or abort). */
export async function drainOutbox(deps: OutboxDrainDeps, options: DrainOptions = {}): Promise<DrainReport> {
  const { db, clock, handlers } = deps;
  const store = new OutboxRepository(db, clock);
  const kinds = [...handlers.keys()];
  const batchSize = options.batchSize ?? 1000;
  const report: DrainReport = { claimed: 0, sent: 0, retried: 0, deferred: 0, failed: 0, busy: 0, requeuedStale: 0, requests: 0, runIds: [] };
  const st: DrainState = { deps, store, options, report, maxItems: options.maxItems ?? 5000, owner: options.owner ?? defaultOutboxOwner(), ttlMs: options.claimTtlMs ?? OUTBOX_CLAIM_TTL_MS, held: new Set() };
  report.requeuedStale = await store.requeueExpired(new Date(clock.nowMs() - (options.staleAfterMs ?? 15 * 60_000)));
  const shared = new Map<string, unknown>();
  const seen = new Set<number>();
  // P3: while this drain runs, its claims are pushed forward every quarter of their lifetime.
  const stopHeartbeat = (options.ticker ?? timerTicker)(Math.max(1, Math.floor(st.ttlMs / 4)), () => store.extendClaims(st.owner, [...st.held], new Date(clock.nowMs() + st.ttlMs)));
  try {
    while (report.claimed < st.maxItems && !options.signal?.aborted) {
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
          await runGroup(st, rows, { run, store, shared });
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
  } finally {
    stopHeartbeat();
  }
  return report;
}

/** One integration's due rows: the batchable ones claimed and sent together (P2), the rest one by one. */
async function runGroup(st: DrainState, rows: readonly OutboxRow[], env: OutboxHandlerEnv): Promise<void> {
  const batchHandlers = st.deps.batchHandlers ?? new Map<string, OutboxBatchHandler>();
  const queue: Array<{ item: OutboxRow; claimed: boolean }> = [];
  const byBatcher = new Map<OutboxBatchHandler, OutboxRow[]>();
  const batchable = rows.filter((item) => batchHandlers.has(item.kind));
  for (const item of rows) if (!batchHandlers.has(item.kind)) queue.push({ item, claimed: false });
  const claimed = st.options.signal?.aborted ? new Set<number>() : await claimRows(st, batchable.slice(0, Math.max(0, st.maxItems - st.report.claimed)));
  for (const item of batchable) {
    if (!claimed.has(Number(item.id))) continue;
    const batcher = batchHandlers.get(item.kind)!;
    const list = byBatcher.get(batcher);
    if (list) list.push(item);
    else byBatcher.set(batcher, [item]);
  }
  for (const [batcher, items] of byBatcher) {
    let outcomes: ReadonlyMap<number, OutboxBatchOutcome>;
    try {
      outcomes = await batcher(items, env);
    } catch (e) {
      outcomes = new Map(items.map((item) => [Number(item.id), { error: e }]));
    }
    const sent: Array<{ item: OutboxRow; result: OutboxHandlerResult }> = [];
    for (const item of items) {
      const outcome = outcomes.get(Number(item.id));
      if (!outcome) queue.push({ item, claimed: true });
      else if ('result' in outcome && !(outcome.result.coalesced ?? []).some((x) => x !== Number(item.id))) sent.push({ item, result: outcome.result });
      else await settle(st, item, outcome, env);
    }
    await settleSent(st, sent, env);
  }
  const one = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      if (!next.claimed && (st.options.signal?.aborted || st.report.claimed >= st.maxItems)) continue;
      if (!next.claimed && !(await claimRow(st, next.item))) continue;
      const handler = st.deps.handlers.get(next.item.kind)!;
      let outcome: OutboxBatchOutcome;
      try {
        outcome = { result: (await handler(next.item, env)) ?? {} };
      } catch (e) {
        outcome = { error: e };
      }
      await settle(st, next.item, outcome, env);
    }
  };
  const concurrency = Math.max(1, st.options.concurrency ?? 4);
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, one));
}

async function claimRow(st: DrainState, item: OutboxRow): Promise<boolean> {
  const id = Number(item.id);
  if (!(await st.store.claim(id, { owner: st.owner, expiresAt: new Date(st.deps.clock.nowMs() + st.ttlMs) }))) {
    st.report.busy += 1;
    return false;
  }
  st.held.add(id);
  st.report.claimed += 1;
  return true;
}

/** P2: claims the batchable rows in a few statements; the rows another worker holds count as busy. */
async function claimRows(st: DrainState, items: readonly OutboxRow[]): Promise<Set<number>> {
  if (items.length === 0) return new Set();
  const got = await st.store.claimMany(items.map((i) => Number(i.id)), { owner: st.owner, expiresAt: new Date(st.deps.clock.nowMs() + st.ttlMs) });
  st.report.busy += items.length - got.size;
  st.report.claimed += got.size;
  for (const id of got) st.held.add(id);
  return got;
}

/** P2: records the rows a batch sent (none coalescing other rows) as `settle` would, in one statement. */
async function settleSent(st: DrainState, sent: ReadonlyArray<{ item: OutboxRow; result: OutboxHandlerResult }>, env: OutboxHandlerEnv): Promise<void> {
  if (sent.length === 0) return;
  try {
    await st.store.markSentMany(sent.map((s) => Number(s.item.id)));
    for (const { result } of sent) {
      for (const [k, v] of Object.entries(result.counts ?? {})) env.run.count(k, v);
      env.run.count('sent');
      st.report.sent += 1;
    }
  } finally {
    for (const { item } of sent) st.held.delete(Number(item.id));
  }
}

/** Records one claimed row's outcome: sent (with its coalesced rows), deferred, retried or failed. */
async function settle(st: DrainState, item: OutboxRow, outcome: OutboxBatchOutcome, env: OutboxHandlerEnv): Promise<void> {
  const { store, report } = st;
  const { clock } = st.deps;
  const { run } = env;
  const id = Number(item.id);
  const attempts = Number(item.attempts) + 1;
  try {
    if ('result' in outcome) {
      await store.markSent(id, outcome.result.coalesced ?? []);
      for (const [k, v] of Object.entries(outcome.result.counts ?? {})) run.count(k, v);
      run.count('sent');
      report.sent += 1;
      return;
    }
    const e = outcome.error;
    if (e instanceof ExportDeferred) {
      await store.markRetry(id, `${e.code}: ${e.message}`, new Date(clock.nowMs() + e.retryAfterMs));
      run.count('deferred');
      report.deferred += 1;
      await run.log('info', `outbox ${id} (${item.kind} ${item.aggregateType} ${item.aggregateId}) deferred: ${e.message}`, { outboxId: id, code: e.code }, logMsg('outbox_deferred', { subject: logSubject(item), error: { code: e.code, text: e.message } }));
      return;
    }
    // C10 a permission or tariff refusal: the integration shows what to change in MoySklad, and the
    // item waits (slowly, or until the integration's settings change) instead of failing or retrying hot.
    const problem = await run.noteProblem(e, item.integrationId === null ? null : Number(item.integrationId));
    if (problem) {
      await store.markRetry(id, `${PERMISSION_PROBLEM_PREFIX}${problem.code}: ${problem.message}`, problem.retryAt);
      run.count('deferred');
      report.deferred += 1;
      await run.log('warn', `outbox ${id} (${item.kind} ${item.aggregateType} ${item.aggregateId}) waits until ${problem.retryAt.toISOString()}: ${problem.message}`, { outboxId: id, code: problem.code }, logMsg('outbox_waits', { subject: logSubject(item), until: problem.retryAt.toISOString(), text: problem.message }));
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
      }, logMsg('outbox_retry', { subject: logSubject(item), at: retryAt.toISOString(), error: { code: c.code, text: c.message } }));
    } else {
      await store.markFailed(id, c.message);
      run.count('failed');
      report.failed += 1;
      await run.log('error', `outbox ${id} (${item.kind} ${item.aggregateType} ${item.aggregateId}) failed: ${c.message}`, { outboxId: id, code: c.code, attempts }, logMsg('outbox_failed', { subject: logSubject(item), error: { code: c.code, text: c.message } }));
    }
  } finally {
    st.held.delete(id);
  }
}

/**
 * Manual retry (admin panel / API): a `failed` (or waiting) outbox row becomes due now; the next
 * drain picks it up. Returns the row as the API shows it.
 */
export async function retryOutboxItem(deps: { db: Kysely<Database>; clock: Clock }, id: number): Promise<OutboxItemView> {
  const item = await new OutboxRepository(deps.db, deps.clock).retry(id);
  // The order shows "waiting" again instead of the old failure.
  if (item.aggregateType === 'order' && item.state === 'pending') await new OrderRepository(deps.db, deps.clock).markRetrying(Number(item.aggregateId));
  return item;
}
