/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module history-pages
 * Система → История синхронизаций (B9): every run, filtered by kind and integration, the runs in
 * progress, and an inline SVG chart of durations.
 */
import type { Hono } from 'hono';
import type { SyncRun } from '../../store/repositories/sync-run-repository.js';
import { SyncRunRepository } from '../../store/repositories/sync-run-repository.js';
import type { AdminContext, AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { queryIdParam } from './admin-helpers.js';
import { RunFigureCells, RunFigureHeads, SelectFilter } from './components.js';
import { kindName, triggerText } from './i18n-staff.js';
import { integrationChoices, integrationOptions } from './integration-choices.js';
import { Page, formatDuration, formatTime, type ViewContext } from './layout.js';
import { LiveRuns, liveData } from './progress-block.js';

export interface ChartPoint {
  at: string;
  durationMs: number;
  status: string;
  kind: string;
}

/** A small inline SVG of run durations over time (oldest left). */
export function DurationChart({ v, points }: { v: ViewContext; points: ChartPoint[] }) {
  const w = 760;
  const h = 180;
  const pad = { l: 48, r: 12, t: 14, b: 26 };
  if (points.length === 0) return null;
  const times = points.map((p) => Date.parse(p.at));
  const t0 = Math.min(...times);
  const t1 = Math.max(...times);
  const maxS = Math.max(1, ...points.map((p) => p.durationMs / 1000));
  const x = (t: number): number => pad.l + (t1 === t0 ? (w - pad.l - pad.r) / 2 : ((t - t0) / (t1 - t0)) * (w - pad.l - pad.r));
  const y = (s: number): number => h - pad.b - (s / maxS) * (h - pad.t - pad.b);
  const line = points.map((p, i) => `${x(times[i]!).toFixed(1)},${y(p.durationMs / 1000).toFixed(1)}`).join(' ');
  const color = (s: string): string => (s === 'ok' ? '#2e8b57' : s === 'partial' ? '#c99a00' : s === 'failed' ? '#c0392b' : '#1f5fbf');
  return (
    <svg class="chart" id="duration-chart" width={String(w)} height={String(h)} viewBox={`0 0 ${w} ${h}`} role="img" aria-label={v.t('hist.chart')}>
      <text x={String(pad.l + 8)} y="12" font-size="11" fill="#5b6b82">
        {v.t('hist.chart')}
      </text>
      <line x1={String(pad.l)} y1={String(h - pad.b)} x2={String(w - pad.r)} y2={String(h - pad.b)} stroke="#c3cbd8" />
      <line x1={String(pad.l)} y1={String(pad.t)} x2={String(pad.l)} y2={String(h - pad.b)} stroke="#c3cbd8" />
      <text x={String(pad.l - 6)} y={String(pad.t + 4)} font-size="11" text-anchor="end" fill="#5b6b82">
        {maxS.toFixed(maxS < 10 ? 1 : 0)}
      </text>
      <text x={String(pad.l - 6)} y={String(h - pad.b)} font-size="11" text-anchor="end" fill="#5b6b82">
        0
      </text>
      <text x={String(pad.l)} y={String(h - 8)} font-size="11" fill="#5b6b82">
        {formatTime(new Date(t0).toISOString(), v.lang)}
      </text>
      <text x={String(w - pad.r)} y={String(h - 8)} font-size="11" text-anchor="end" fill="#5b6b82">
        {formatTime(new Date(t1).toISOString(), v.lang)}
      </text>
      <polyline points={line} fill="none" stroke="#8fa3c2" stroke-width="1.5" />
      {points.map((p, i) => (
        <circle cx={x(times[i]!).toFixed(1)} cy={y(p.durationMs / 1000).toFixed(1)} r="3.5" fill={color(p.status)}>
          <title>{`${kindName(p.kind, v.lang)} ${formatTime(p.at, v.lang)}: ${formatDuration(p.durationMs, v.lang)} (${v.t(`run.status.${p.status === 'ok' || p.status === 'partial' || p.status === 'failed' ? p.status : 'running'}`)})`}</title>
        </circle>
      ))}
    </svg>
  );
}

function RunsTable({ v, runs, names }: { v: ViewContext; runs: SyncRun[]; names: Map<number, string> }) {
  return (
    <table id="sync-history" style="margin-top:12px">
      <thead>
        <tr>
          <th>{v.t('common.time')}</th>
          <th>{v.t('common.kind')}</th>
          <th>{v.t('hist.integration')}</th>
          <th>{v.t('run.trigger')}</th>
          <RunFigureHeads v={v} />
        </tr>
      </thead>
      <tbody>
        {runs.map((r) => (
          <tr>
            <td style="white-space:nowrap">{formatTime(r.startedAt, v.lang)}</td>
            <td>{kindName(r.kind, v.lang)}</td>
            <td>
              {r.integrationId === null ? '—' : (names.get(Number(r.integrationId)) ?? '—')}
              {r.priceListId !== null ? (
                <div>
                  <a href={`/admin/price-lists/${r.priceListId}`}>{v.t('hist.priceList')}</a>
                </div>
              ) : null}
            </td>
            <td>{triggerText(r.trigger, v.lang)}</td>
            <RunFigureCells v={v} run={r} counts={r.counts} />
          </tr>
        ))}
      </tbody>
    </table>
  );
}

async function historyPage(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const v = c.get('view');
  const runsRepo = new SyncRunRepository(deps.db, deps.clock);
  const kind = c.req.query('kind') ?? '';
  const integrationId = queryIdParam(c, 'integrationId');
  const runs = await runsRepo.list({ ...(kind ? { kind } : {}), ...(integrationId ? { integrationId } : {}), limit: 300 });
  const kinds = await runsRepo.kinds();
  const live = await liveData(deps, {});
  const integrations = await integrationOptions(deps);
  const names = new Map(integrations.map((i) => [i.id, i.name]));
  const points: ChartPoint[] = runs
    .filter((r) => r.durationMs !== null)
    .slice(0, 100)
    .reverse()
    .map((r) => ({ at: r.startedAt, durationMs: r.durationMs ?? 0, status: r.status, kind: r.kind }));
  return c.html(
    <Page v={v} title={v.t('hist.title')}>
      <form method="get" action="/admin/history" class="card inline">
        <SelectFilter v={v} id="kind" name="kind" label={v.t('common.kind')} options={kinds.map((k) => ({ value: k, label: kindName(k, v.lang) }))} selected={kind} />
        <SelectFilter v={v} id="h-integration" name="integrationId" label={v.t('hist.integration')} options={integrationChoices(integrations)} selected={integrationId === undefined ? '' : String(integrationId)} />
        <button type="submit">{v.t('logs.filter')}</button>
      </form>
      <LiveRuns v={v} scope={{}} data={live} />
      {runs.length === 0 ? (
        <p class="muted">{v.t('hist.empty')}</p>
      ) : (
        <>
          <DurationChart v={v} points={points} />
          <RunsTable v={v} runs={runs} names={names} />
        </>
      )}
    </Page>,
  );
}

export function registerHistoryRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  admin.get('/history', (c) => historyPage(c, deps));
}
