/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module log-pages
 * Система → Логи (R32): `moysklad_logger.log` read back with filters by integration, level and
 * time (typed in Moscow time), and the file's download.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Hono } from 'hono';
import { storedLogMessage } from '../../domain/log-messages.js';
import { INTEGRATION_LOG_FILE, readIntegrationLog, type IntegrationLogLine } from '../../log/integration-log.js';
import type { LogLevel } from '../../store/schema.js';
import type { AdminContext, AdminEnv, AdminPanelDeps } from './admin-helpers.js';
import { SelectFilter } from './components.js';
import { staffLogText, kindName, levelText as levelLabel } from './i18n-staff.js';
import { integrationChoices, integrationOptions, type IntegrationOption } from './integration-choices.js';
import { Page, formatTime, type ViewContext } from './layout.js';

const LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];
const MOSCOW_OFFSET = '+03:00';

/** `2026-11-29T12:00` typed in Moscow time → ISO UTC, or undefined. */
export function moscowInputToIso(value: string | undefined): string | undefined {
  if (!value || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value)) return undefined;
  const ms = Date.parse(`${value}:00${MOSCOW_OFFSET}`);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
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

/** The filter as typed (`text`) and as understood. */
interface LogFilter {
  integrationId: number | undefined;
  level: LogLevel | undefined;
  sinceText: string;
  untilText: string;
}

function logFilterOf(c: AdminContext): LogFilter {
  const integrationText = c.req.query('integrationId') ?? '';
  const levelText = c.req.query('level') ?? '';
  return {
    integrationId: Number(integrationText) > 0 ? Number(integrationText) : undefined,
    level: LEVELS.includes(levelText as LogLevel) ? (levelText as LogLevel) : undefined,
    sinceText: c.req.query('since') ?? '',
    untilText: c.req.query('until') ?? '',
  };
}

function LogFilters({ v, f, integrations }: { v: ViewContext; f: LogFilter; integrations: IntegrationOption[] }) {
  return (
    <form method="get" action="/admin/logs" class="card inline" id="log-filters">
      <SelectFilter v={v} id="integrationId" name="integrationId" label={v.t('logs.integration')} options={integrationChoices(integrations)} selected={f.integrationId === undefined ? '' : String(f.integrationId)} />
      <SelectFilter v={v} id="level" name="level" label={v.t('logs.level')} options={LEVELS.map((l) => ({ value: l, label: levelLabel(l, v.lang) }))} selected={f.level ?? ''} />
      <div>
        <label for="since">{v.t('common.from')} ({v.t('common.msk')})</label>
        <input type="datetime-local" id="since" name="since" value={f.sinceText} />
      </div>
      <div>
        <label for="until">{v.t('common.to')} ({v.t('common.msk')})</label>
        <input type="datetime-local" id="until" name="until" value={f.untilText} />
      </div>
      <button type="submit">{v.t('logs.filter')}</button>
      <a class="button secondary" style="background:#e6ecf5;color:#1d2330" href="/admin/logs/download" download>
        {v.t('logs.download')}
      </a>
    </form>
  );
}

function LogRow({ v, l, names }: { v: ViewContext; l: IntegrationLogLine; names: Map<number, string> }) {
  return (
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
  );
}

function LogTable({ v, lines, names }: { v: ViewContext; lines: IntegrationLogLine[]; names: Map<number, string> }) {
  if (lines.length === 0) return <p class="muted">{v.t('logs.empty')}</p>;
  return (
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
          <LogRow v={v} l={l} names={names} />
        ))}
      </tbody>
    </table>
  );
}

async function logsPage(c: AdminContext, deps: AdminPanelDeps): Promise<Response> {
  const v = c.get('view');
  const f = logFilterOf(c);
  const since = moscowInputToIso(f.sinceText);
  const until = moscowInputToIso(f.untilText);
  const lines = readIntegrationLog(deps.logDir, {
    ...(f.integrationId !== undefined ? { integrationId: f.integrationId } : {}),
    ...(f.level ? { level: f.level } : {}),
    ...(since ? { since } : {}),
    ...(until ? { until } : {}),
    limit: 500,
  });
  const integrations = await integrationOptions(deps);
  const names = new Map(integrations.map((i) => [i.id, i.name]));
  return c.html(
    <Page v={v} title={v.t('logs.title')}>
      <LogFilters v={v} f={f} integrations={integrations} />
      <LogTable v={v} lines={lines} names={names} />
    </Page>,
  );
}

function logDownload(c: AdminContext, deps: AdminPanelDeps): Response {
  const file = path.join(deps.logDir, INTEGRATION_LOG_FILE);
  const body = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
  return c.body(new Uint8Array(body), 200, {
    'content-type': 'application/x-ndjson; charset=utf-8',
    'content-disposition': `attachment; filename="${INTEGRATION_LOG_FILE}"`,
  });
}

export function registerLogRoutes(admin: Hono<AdminEnv>, deps: AdminPanelDeps): void {
  admin.get('/logs', (c) => logsPage(c, deps));
  admin.get('/logs/download', (c) => logDownload(c, deps));
}
