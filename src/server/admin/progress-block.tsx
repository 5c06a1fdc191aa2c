/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module progress-block
 * B9 live progress of syncs in the admin panel: a block listing the running runs of an
 * integration, a price list or all (a progress bar with «обработано N из M», or an indeterminate
 * bar while the total is unknown), polled by htmx every 2 seconds from `/admin/runs/live`. When a
 * run the page waits for has finished, the block shows its result and stops polling.
 */
import type { Hono } from 'hono';
import { SyncRunRepository, type SyncRun } from '../../store/repositories/sync-run-repository.js';
import type { AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { formatNumber, percentOf } from './format.js';
import { countsText, kindName, runMessageText } from './i18n-staff.js';
import { RunBadge, formatDuration, formatTime, type ViewContext } from './layout.js';

export interface LiveScope {
  integrationId?: number;
  priceListId?: number;
  /** Only runs after this id count as "the run the page waits for" (the last run id when the page was made). */
  afterRunId?: number;
  /** The page just enqueued a sync: keep polling until a run after `afterRunId` has finished. */
  waiting?: boolean;
}

export interface LiveData {
  running: SyncRun[];
  /** Runs after `afterRunId` that have finished (newest first). */
  finished: SyncRun[];
}

const POLL = 'every 2s';

function liveUrl(scope: LiveScope): string {
  const p = new URLSearchParams();
  if (scope.integrationId !== undefined) p.set('integrationId', String(scope.integrationId));
  if (scope.priceListId !== undefined) p.set('priceListId', String(scope.priceListId));
  if (scope.afterRunId !== undefined) p.set('after', String(scope.afterRunId));
  if (scope.waiting) p.set('waiting', '1');
  return `/admin/runs/live?${p.toString()}`;
}

export async function liveData(deps: Pick<AdminPanelDeps, 'db' | 'clock'>, scope: LiveScope): Promise<LiveData> {
  const runs = new SyncRunRepository(deps.db, deps.clock);
  const running = await runs.listRunning({ ...(scope.integrationId !== undefined ? { integrationId: scope.integrationId } : {}), ...(scope.priceListId !== undefined ? { priceListId: scope.priceListId } : {}) });
  const finished =
    scope.afterRunId === undefined
      ? []
      : (
          await runs.list({
            ...(scope.integrationId !== undefined ? { integrationId: scope.integrationId } : {}),
            ...(scope.priceListId !== undefined ? { priceListId: scope.priceListId } : {}),
            afterId: scope.afterRunId,
            limit: 10,
          })
        ).filter((r) => r.status !== 'running');
  return { running, finished };
}

/** The newest run id (what a page passes as `afterRunId` when it enqueues a sync). */
export async function lastRunId(deps: Pick<AdminPanelDeps, 'db' | 'clock'>): Promise<number> {
  const [last] = await new SyncRunRepository(deps.db, deps.clock).list({ limit: 1 });
  return last?.id ?? 0;
}

function RunProgress({ v, run }: { v: ViewContext; run: SyncRun }) {
  const pct = percentOf(run.progressDone ?? 0, run.progressTotal);
  const label = `${kindName(run.kind, v.lang)}: ${
    run.progressDone === null
      ? v.t('live.starting')
      : run.progressTotal
        ? v.t('live.doneOf', { done: formatNumber(run.progressDone, v.lang), total: formatNumber(run.progressTotal, v.lang) })
        : v.t('live.done', { done: formatNumber(run.progressDone, v.lang) })
  }`;
  return (
    <div class="live-run" data-run={String(run.id)} data-status="running">
      <div>
        <b>{label}</b> <span class="muted">{v.t('live.since', { at: formatTime(run.startedAt, v.lang) })}</span>
      </div>
      {pct === null ? <progress aria-label={label}></progress> : <progress max="100" value={String(pct)} aria-label={label}>{`${pct} %`}</progress>}
      {pct === null ? null : <span class="pct">{pct} %</span>}
    </div>
  );
}

function RunResult({ v, run }: { v: ViewContext; run: SyncRun }) {
  const msg = runMessageText(run.status, run.message, v.lang);
  return (
    <div class="live-run" data-run={String(run.id)} data-status={run.status}>
      <b>{kindName(run.kind, v.lang)}</b>: <RunBadge v={v} status={run.status} /> {formatDuration(run.durationMs, v.lang)} · {countsText(run.counts, v.lang)}
      {msg ? <div class="hint">{msg}</div> : null}
    </div>
  );
}

/** The block; it polls itself while something runs or the page waits for a run. */
export function LiveRuns({ v, scope, data }: { v: ViewContext; scope: LiveScope; data: LiveData }) {
  const waitingForStart = Boolean(scope.waiting) && data.running.length === 0 && data.finished.length === 0;
  const poll = data.running.length > 0 || waitingForStart;
  return (
    <div id="live-runs" class="live" aria-live="polite" {...(poll ? { 'hx-get': liveUrl(scope), 'hx-trigger': POLL, 'hx-swap': 'outerHTML' } : {})} data-polling={poll ? '1' : '0'}>
      {data.running.map((r) => (
        <RunProgress v={v} run={r} />
      ))}
      {waitingForStart ? <div class="live-run muted">{v.t('live.queued')}</div> : null}
      {data.running.length === 0
        ? data.finished.slice(0, 3).map((r) => (
            <RunResult v={v} run={r} />
          ))
        : null}
    </div>
  );
}

const num = (s: string | undefined): number | undefined => {
  const n = Number(s);
  return Number.isInteger(n) && n >= 0 && s !== undefined && s !== '' ? n : undefined;
};

export function registerLiveRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  admin.get('/runs/live', async (c) => {
    const integrationId = num(c.req.query('integrationId'));
    const priceListId = num(c.req.query('priceListId'));
    const afterRunId = num(c.req.query('after'));
    const scope: LiveScope = {
      ...(integrationId !== undefined ? { integrationId } : {}),
      ...(priceListId !== undefined ? { priceListId } : {}),
      ...(afterRunId !== undefined ? { afterRunId } : {}),
      waiting: c.req.query('waiting') === '1',
    };
    return c.html(<LiveRuns v={c.get('view')} scope={scope} data={await liveData(deps, scope)} />);
  });
}
