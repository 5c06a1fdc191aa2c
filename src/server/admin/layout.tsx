/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module layout
 * The page frame of the admin panel (navigation, language switch, logout) and small shared
 * view pieces. Every string comes from the dictionary (`i18n.ts`).
 */
import type { Child, FC } from 'hono/jsx';
import type { Lang, MessageKey, Translate } from './i18n.js';

export const ADMIN_PREFIX = '/admin';

/** What every view needs to render. */
export interface ViewContext {
  t: Translate;
  lang: Lang;
  /** The session's CSRF token (empty on the login page). */
  csrf: string;
  /** Current path (for the navigation highlight and the language switch). */
  path: string;
  login: string | null;
}

export interface Flash {
  kind: 'ok' | 'error' | 'info';
  text: string;
}

const NAV: Array<{ href: string; key: MessageKey; service?: boolean }> = [
  { href: '/admin/integrations', key: 'nav.integrations' },
  { href: '/admin/price-lists', key: 'nav.priceLists' },
  { href: '/admin/products', key: 'nav.products' },
  { href: '/admin/orders', key: 'nav.orders' },
  { href: '/admin/clients', key: 'nav.clients' },
  { href: '/admin/logs', key: 'nav.logs', service: true },
  { href: '/admin/history', key: 'nav.history', service: true },
  { href: '/admin/tokens', key: 'nav.tokens', service: true },
];

/** Hidden CSRF field for every form. */
export const Csrf: FC<{ v: ViewContext }> = ({ v }) => <input type="hidden" name="_csrf" value={v.csrf} />;

export const FlashBox: FC<{ flash?: Flash | null | undefined }> = ({ flash }) =>
  flash ? (
    <div class={`msg ${flash.kind}`} role={flash.kind === 'error' ? 'alert' : 'status'} data-flash={flash.kind}>
      {flash.text}
    </div>
  ) : null;

export const Page: FC<{ v: ViewContext; title: string; flash?: Flash | null | undefined; children?: Child }> = ({ v, title, flash, children }) => {
  const other: Lang = v.lang === 'ru' ? 'en' : 'ru';
  return (
    <html lang={v.lang}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} — ${v.t('app.title')}`}</title>
        <link rel="stylesheet" href="/admin/assets/admin.css" />
        <script src="/admin/assets/htmx.min.js" defer></script>
      </head>
      <body hx-headers={JSON.stringify({ 'X-CSRF-Token': v.csrf })}>
        <header>
          <a class="brand" href="/admin">
            {v.t('app.title')}
          </a>
          {v.login ? (
            <nav>
              {NAV.map((n, i) => (
                <>
                  {n.service && !NAV[i - 1]?.service ? <span class="svc">{v.t('nav.service')}:</span> : null}
                  <a href={n.href} class={v.path.startsWith(n.href) ? 'on' : ''}>
                    {v.t(n.key)}
                  </a>
                </>
              ))}
            </nav>
          ) : (
            <nav></nav>
          )}
          <a href={`${v.path}?lang=${other}`} style="color:#cfe0ff">
            {v.t('nav.lang')}
          </a>
          {v.login ? (
            <form method="post" action="/admin/logout">
              <Csrf v={v} />
              <button type="submit">
                {v.t('nav.logout')} ({v.login})
              </button>
            </form>
          ) : null}
        </header>
        <main>
          <h1>{title}</h1>
          <FlashBox flash={flash} />
          {children}
        </main>
      </body>
    </html>
  );
};

/** A status badge of a sync run. */
export const RunBadge: FC<{ v: ViewContext; status: string }> = ({ v, status }) => {
  const key = `run.status.${status}` as MessageKey;
  return <span class={`badge ${status}`}>{['ok', 'partial', 'failed', 'running'].includes(status) ? v.t(key) : status}</span>;
};

/** `1.2 s`, `350 ms`, `2 min 5 s`. */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** ISO UTC → `2026-11-29 12:00:00` in Moscow time (what the shop's staff reads). */
export function formatTime(iso: string | null): string {
  if (!iso) return '—';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return iso;
  return new Date(ms + 3 * 3600_000).toISOString().replace('T', ' ').slice(0, 19);
}

/** Counters as `created 3, updated 1`. */
export function formatCounts(counts: Record<string, number>): string {
  const parts = Object.entries(counts).filter(([, n]) => n !== 0);
  return parts.length ? parts.map(([k, n]) => `${k} ${n}`).join(', ') : '—';
}

export const Pager: FC<{ v: ViewContext; base: string; params: Record<string, string>; page: number; pageSize: number; total: number }> = ({ v, base, params, page, pageSize, total }) => {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const href = (p: number): string => `${base}?${new URLSearchParams({ ...params, page: String(p) }).toString()}`;
  return (
    <div class="pager">
      <span>{v.t('common.total', { n: total })}</span>
      {page > 1 ? <a href={href(page - 1)}>{v.t('common.prev')}</a> : null}
      <span>
        {page} / {pages}
      </span>
      {page < pages ? <a href={href(page + 1)}>{v.t('common.next')}</a> : null}
    </div>
  );
};
