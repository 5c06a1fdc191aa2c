/**
 * @module sync-run
 * B9/R14: every sync run leaves a `sync_runs` record (kind, trigger, duration, counts, MoySklad
 * requests used, errors, outcome) and log lines in the integration log (R32). Syncs call
 * `recordRun(...)` and work inside it; per-item failures are counted and logged, never thrown.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Kysely } from 'kysely';
import type { Clock } from '../core/clock.js';
import { errorMessage, isAppError } from '../core/errors.js';
import { logError, logMsg, withLogMessage, type LogMessage } from '../domain/log-messages.js';
import type { IntegrationLogInput } from '../log/integration-log.js';
import { SyncRunRepository } from '../store/repositories/sync-run-repository.js';
import type { Database, LogLevel, SyncRunStatus, SyncTrigger } from '../store/schema.js';
import { clearPermissionProblem, notePermissionProblem, type NotedProblem } from './permission-problems.js';
import { newTally, withRequestTally, type RequestTally } from './request-scope.js';

/** What a sync writes to the integration log (`moysklad_logger.log` and the `log_entries` table). */
export type IntegrationLogEntry = IntegrationLogInput;

export interface IntegrationLogWriter {
  write(entry: IntegrationLogEntry): void | Promise<void>;
}

export interface SyncRunMeta {
  kind: string;
  trigger: SyncTrigger;
  integrationId?: number | null;
  priceListId?: number | null;
}

export interface SyncRunResult {
  status: Exclude<SyncRunStatus, 'running'>;
  message?: string;
}

export interface FinishedRun {
  id: number;
  status: Exclude<SyncRunStatus, 'running'>;
  counts: Record<string, number>;
  requests: number;
  rateLimited: number;
  errors: number;
  durationMs: number;
  message: string | null;
}

export interface SyncRunDeps {
  db: Kysely<Database>;
  clock: Clock;
  log: IntegrationLogWriter;
  /** Called when a run finishes (metrics). */
  onFinished?: (meta: SyncRunMeta, run: FinishedRun) => void;
}

/** The handle a sync works with while its run is open. */
export class SyncRun {
  readonly id: number;
  readonly meta: SyncRunMeta;
  readonly counts: Record<string, number> = {};
  readonly tally: RequestTally;
  errors = 0;
  /** C10 a permission or tariff problem was met in this run (its family's problem is then not cleared). */
  problemNoted = false;
  readonly #deps: SyncRunDeps;
  #progressAt: number | null = null;
  #progressWrite: Promise<void> = Promise.resolve();

  constructor(id: number, meta: SyncRunMeta, tally: RequestTally, deps: SyncRunDeps) {
    this.id = id;
    this.meta = meta;
    this.tally = tally;
    this.#deps = deps;
  }

  /** Adds to a named counter (`created`, `updated`, `skipped`, …). */
  count(name: string, by = 1): void {
    this.counts[name] = (this.counts[name] ?? 0) + by;
  }

  /**
   * C10 records a MoySklad permission or tariff refusal met by one item of the run (the run goes on):
   * the integration's problem for this run's family; null when the error is not such a refusal.
   */
  async noteProblem(error: unknown, integrationId: number | null = this.meta.integrationId ?? null): Promise<NotedProblem | null> {
    const problem = await notePermissionProblem(this.#deps.db, this.#deps.clock, integrationId, this.meta.kind, error);
    if (problem) this.problemNoted = true;
    return problem;
  }

  /**
   * B9: how far the run is, stored on its `sync_runs` row so that any process (the admin panel's
   * progress bars) reads it. Written at most every `PROGRESS_WRITE_MS` on the clock, and always
   * for the first report and when `done` reaches `total`.
   */
  async progress(done: number, total?: number | null): Promise<void> {
    const now = this.#deps.clock.nowMs();
    const last = total !== undefined && total !== null && done >= total;
    if (this.#progressAt !== null && !last && now - this.#progressAt < PROGRESS_WRITE_MS) return;
    this.#progressAt = now;
    const runs = new SyncRunRepository(this.#deps.db, this.#deps.clock);
    this.#progressWrite = this.#progressWrite.then(() => runs.setProgress(this.id, done, total ?? null)).catch(() => undefined);
    await this.#progressWrite;
  }

  /**
   * Writes a line to the integration log, tagged with this run. `error` lines count as errors.
   * R32 `text` is what staff read on the admin panel (a message code and its parameters, kept in
   * the details); `message` is the English line of the log file.
   */
  async log(level: LogLevel, message: string, details?: unknown, text?: LogMessage): Promise<void> {
    if (level === 'error') this.errors += 1;
    await this.#deps.log.write({
      level,
      integrationId: this.meta.integrationId ?? null,
      priceListId: this.meta.priceListId ?? null,
      runId: this.id,
      kind: this.meta.kind,
      message,
      details: text ? withLogMessage(details, text) : details,
    });
  }
}

/** Progress of a run is written at most this often (ms on the clock), besides its first and last report. */
export const PROGRESS_WRITE_MS = 1000;

const currentRun = new AsyncLocalStorage<SyncRun>();

/**
 * B9: records progress on the run the caller works inside (the registry passes every sync's
 * progress reports here); nothing outside a run.
 */
export async function noteRunProgress(done: number, total?: number | null): Promise<void> {
  await currentRun.getStore()?.progress(done, total);
}

/**
 * Opens a run, executes `work` inside it (counting MoySklad requests made by it), and closes the
 * run with the outcome `work` returns. A thrown error closes the run as `failed`, is logged with
 * its code, and is rethrown so the queue can decide on a retry. C10: a MoySklad permission or
 * tariff refusal is recorded as the integration's problem (status, one log line with the Russian
 * sentence, the family's schedule waits); a successful run clears its family's problem.
 */
export async function recordRun(deps: SyncRunDeps, meta: SyncRunMeta, work: (run: SyncRun) => Promise<SyncRunResult>): Promise<FinishedRun> {
  const runs = new SyncRunRepository(deps.db, deps.clock);
  const started = await runs.start(meta);
  const tally = newTally();
  const run = new SyncRun(started.id, meta, tally, deps);

  let result: SyncRunResult;
  let thrown: unknown;
  try {
    result = await currentRun.run(run, () => withRequestTally(tally, () => work(run)));
  } catch (e) {
    thrown = e;
    const code = isAppError(e) ? e.code : 'internal_error';
    const problem = await notePermissionProblem(deps.db, deps.clock, meta.integrationId, meta.kind, e).catch(() => null);
    result = { status: 'failed', message: problem ? `${problem.code}: ${problem.message}` : `${code}: ${errorMessage(e)}` };
    await (problem
      ? run.log('error', `${meta.kind}: ${problem.message}`, { code: problem.code, msCode: problem.msCode, retryAt: problem.retryAt.toISOString() }, logMsg('run_problem', { kind: meta.kind, text: problem.message }))
      : run.log('error', `${meta.kind} failed: ${errorMessage(e)}`, { code }, logMsg('run_failed', { kind: meta.kind, error: { ...logError(e), code } }))
    ).catch(() => undefined);
  }
  if (!thrown && result.status !== 'failed' && !run.problemNoted) await clearPermissionProblem(deps.db, deps.clock, meta.integrationId, meta.kind).catch(() => undefined);

  const row = await runs.finish(run.id, {
    status: result.status,
    counts: run.counts,
    requests: tally.requests,
    errors: run.errors,
    message: result.message ?? null,
  });
  const finished: FinishedRun = {
    id: run.id,
    status: result.status,
    counts: run.counts,
    requests: tally.requests,
    rateLimited: tally.rateLimited,
    errors: run.errors,
    durationMs: row.durationMs ?? 0,
    message: row.message,
  };
  if (!thrown) {
    const summary = Object.entries(finished.counts)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    await run.log(finished.status === 'ok' ? 'info' : 'warn', `${meta.kind} ${finished.status} in ${finished.durationMs} ms, ${finished.requests} requests${summary ? `: ${summary}` : ''}`, {
      counts: finished.counts,
      requests: finished.requests,
      durationMs: finished.durationMs,
    }, logMsg('run_finished', { kind: meta.kind, status: finished.status, requests: finished.requests, counts: finished.counts }));
  }
  deps.onFinished?.(meta, finished);
  if (thrown) throw thrown;
  return finished;
}
