/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module system-pages
 * Служебные: Система → Логи (`moysklad_logger.log` read back with filters by integration, level
 * and time, and a download — R32), История синхронизаций (every run with an inline SVG chart of
 * durations — B9) and the platform API tokens (issued once, revocable — B8).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { storedLogMessage } from '../../domain/log-messages.js';
import { INTEGRATION_LOG_FILE, readIntegrationLog } from '../../log/integration-log.js';
import type { LogLevel } from '../../store/schema.js';
import { ApiTokenService } from '../auth.js';
import type { AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { field, flashFromQuery, idParam, queryIdParam } from './admin-helpers.js';
import { RegionRepository } from '../../store/repositories/region-repository.js';
import { SyncRunRepository } from '../../store/repositories/sync-run-repository.js';
import { staffLogText, kindName, levelText as levelLabel, triggerText } from './i18n-staff.js';
import { LiveRuns, liveData } from './progress-block.js';
import { RunFigureCells, RunFigureHeads, SelectFilter } from './components.js';
import { Csrf, Page, formatDuration, formatTime, type ViewContext } from './layout.js';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Integrations as the choices of a filter select (value = id, label = region name). */
const integrationChoices = (list: ReadonlyArray<{ id: number; name: string }>) => list.map((i) => ({ value: String(i.id), label: i.name }));
const MOSCOW_OFFSET = '+03:00';

/** `2026-11-29T12:00` typed in Moscow time → ISO UTC, or undefined. */
export function moscowInputToIso(value: string | undefined): string | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return undefined;
  const ms = Date.parse(`${value}:00${MOSCOW_OFFSET}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}

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

/** The area of a log line (a job kind, or `credentials`, `order_export`, …) for people. */
function logArea(kind: string, v: ViewContext): string {
  const areas: Record<string, { ru: string; en: string }> = {
    credentials: { ru: 'Доступ к МойСклад', en: 'MoySklad access' },
    order_export: { ru: 'Выгрузка заказов', en: 'Order export' },
    counterparty_export: { ru: 'Выгрузка клиентов', en: 'Client export' },
    stock: { ru: 'Остатки', en: 'Stock' },
    nomenclature: { ru: 'Товары', en: 'Products' },
  };
  return areas[kind]?.[v.lang] ?? kindName(kind, v.lang);
}

export function registerSystemRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  const { db, clock } = deps;
  const tokens = new ApiTokenService({ db, clock });

  const runsRepo = new SyncRunRepository(db, clock);
  const regions = new RegionRepository(db, clock);
  const integrationOptions = async () => {
    const names = new Map((await regions.list()).map((r) => [r.id, r.name]));
    return (await deps.setup.integrations.list()).map((i) => ({ id: i.id, name: names.get(i.regionId) ?? '—' }));
  };

  admin.get('/logs', async (c) => {
    const v = c.get('view');
    const integrationText = c.req.query('integrationId') ?? '';
    const levelText = c.req.query('level') ?? '';
    const sinceText = c.req.query('since') ?? '';
    const untilText = c.req.query('until') ?? '';
    const integrationId = Number(integrationText) > 0 ? Number(integrationText) : undefined;
    const level = LEVELS.includes(levelText as LogLevel) ? (levelText as LogLevel) : undefined;
    const since = moscowInputToIso(sinceText);
    const until = moscowInputToIso(untilText);
    const lines = readIntegrationLog(deps.logDir, {
      ...(integrationId !== undefined ? { integrationId } : {}),
      ...(level ? { level } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
      limit: 500,
    });
    const integrations = await integrationOptions();
    const names = new Map(integrations.map((i) => [i.id, i.name]));
    return c.html(
      <Page v={v} title={v.t('logs.title')}>
        <form method="get" action="/admin/logs" class="card inline" id="log-filters">
          <SelectFilter v={v} id="integrationId" name="integrationId" label={v.t('logs.integration')} options={integrationChoices(integrations)} selected={integrationId === undefined ? '' : String(integrationId)} />
          <SelectFilter v={v} id="level" name="level" label={v.t('logs.level')} options={LEVELS.map((l) => ({ value: l, label: levelLabel(l, v.lang) }))} selected={level ?? ''} />
          <div>
            <label for="since">{v.t('common.from')} ({v.t('common.msk')})</label>
            <input type="datetime-local" id="since" name="since" value={sinceText} />
          </div>
          <div>
            <label for="until">{v.t('common.to')} ({v.t('common.msk')})</label>
            <input type="datetime-local" id="until" name="until" value={untilText} />
          </div>
          <button type="submit">{v.t('logs.filter')}</button>
          <a class="button secondary" style="background:#e6ecf5;color:#1d2330" href="/admin/logs/download" download>
            {v.t('logs.download')}
          </a>
        </form>
        {lines.length === 0 ? (
          <p class="muted">{v.t('logs.empty')}</p>
        ) : (
          <table id="log-lines">
            <thead>
              <tr>
                <th>{v.t('common.time')}</th>
                <th>{v.t('logs.levelCol')}</th>
                <th>{v.t('logs.integration')}</th>
                <th>{v.t('common.kind')}</th>
                <th>{v.t('common.message')}</th>
              </tr>
            </thead>
            <tbody>
              {lines.map((l) => (
                <tr data-level={l.level}>
                  <td style="white-space:nowrap">{formatTime(l.time, v.lang)}</td>
                  <td>
                    <span class={`badge ${l.level === 'error' ? 'error' : l.level === 'warn' ? 'warn' : ''}`}>{levelLabel(l.level, v.lang)}</span>
                  </td>
                  <td>{l.integrationId === null ? '—' : (names.get(l.integrationId) ?? '—')}</td>
                  <td>
                    {l.kind ? logArea(l.kind, v) : '—'}
                    {l.priceListId !== null ? (
                      <div>
                        <a href={`/admin/price-lists/${l.priceListId}`}>{v.t('hist.priceList')}</a>
                      </div>
                    ) : null}
                  </td>
                  <td>
                    {staffLogText(l.msg, l.details, v.lang)}
                    {l.details !== undefined && !storedLogMessage(l.details) ? (
                      <details>
                        <summary class="muted">{v.t('logs.details')}</summary>
                        <pre>{JSON.stringify(l.details, null, 2)}</pre>
                      </details>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Page>,
    );
  });

  admin.get('/logs/download', (c) => {
    const file = path.join(deps.logDir, INTEGRATION_LOG_FILE);
    const body = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
    return c.body(new Uint8Array(body), 200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="${INTEGRATION_LOG_FILE}"`,
    });
  });

  admin.get('/history', async (c) => {
    const v = c.get('view');
    const kind = c.req.query('kind') ?? '';
    const integrationId = queryIdParam(c, 'integrationId');
    const runs = await runsRepo.list({ ...(kind ? { kind } : {}), ...(integrationId ? { integrationId } : {}), limit: 300 });
    const kinds = await runsRepo.kinds();
    const live = await liveData(deps, {});
    const integrations = await integrationOptions();
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
          </>
        )}
      </Page>,
    );
  });

  const tokensPage = async (v: ViewContext, created: { name: string; token: string } | null, flash: ReturnType<typeof flashFromQuery>) => {
    const list = await tokens.list();
    return (
      <Page v={v} title={v.t('tok.title')} flash={flash}>
        <p class="hint">{v.t('tok.hint')}</p>
        {created ? (
          <div class="msg ok" role="status">
            {v.t('tok.created', { name: created.name })}
            <div class="token" id="new-token">
              {created.token}
            </div>
          </div>
        ) : null}
        <form method="post" action="/admin/tokens" class="card inline">
          <Csrf v={v} />
          <div>
            <label for="token-name">{v.t('tok.name')}</label>
            <input type="text" id="token-name" name="name" required maxlength={100} />
          </div>
          <button type="submit">{v.t('tok.issue')}</button>
        </form>
        {list.length === 0 ? (
          <p class="muted">{v.t('tok.empty')}</p>
        ) : (
          <table id="tokens">
            <thead>
              <tr>
                <th>{v.t('common.name')}</th>
                <th>{v.t('tok.prefix')}</th>
                <th>{v.t('tok.createdAt')}</th>
                <th>{v.t('tok.lastUsed')}</th>
                <th></th>
              </tr>
            </thead>
            <tbody>
              {list.map((t) => (
                <tr>
                  <td>{t.name}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{formatTime(t.createdAt, v.lang)}</td>
                  <td>{formatTime(t.lastUsedAt, v.lang)}</td>
                  <td>
                    {t.revokedAt ? (
                      <span class="badge error">
                        {v.t('tok.revoked')} {formatTime(t.revokedAt, v.lang)}
                      </span>
                    ) : (
                      <form method="post" action={`/admin/tokens/${t.id}/revoke`}>
                        <Csrf v={v} />
                        <button type="submit" class="danger" style="margin:0">
                          {v.t('tok.revoke')}
                        </button>
                      </form>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Page>
    );
  };

  admin.get('/tokens', async (c) => c.html(await tokensPage(c.get('view'), null, flashFromQuery(c))));

  admin.post('/tokens', async (c) => {
    const name = field(await c.req.parseBody(), 'name').trim().slice(0, 100);
    if (!name) return c.redirect('/admin/tokens', 302);
    const created = await tokens.create(name);
    // Shown once, in this response only (never in a URL, never stored).
    return c.html(await tokensPage(c.get('view'), { name: created.name, token: created.token }, null), 201);
  });

  admin.post('/tokens/:id/revoke', async (c) => {
    const id = idParam(c);
    if (id) await tokens.revoke(id);
    return c.redirect('/admin/tokens?done=common.saved', 302);
  });
}
