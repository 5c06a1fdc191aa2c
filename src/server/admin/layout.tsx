/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module layout
 * The page frame of the admin panel (navigation, language switch, logout) and small shared
 * view pieces. Every string comes from the dictionary (`i18n.ts`).
 */
import { raw } from 'hono/html';
import type { Child, FC } from 'hono/jsx';
import { formatDateTime, formatDuration as formatDurationIntl } from './format.js';
import { countsText } from './i18n-staff.js';
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
  { href: '/admin/webhooks', key: 'nav.webhooks', service: true },
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
    <>
    {raw('<!DOCTYPE html>')}
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
            <nav aria-label={v.t('nav.menu')}>
              {NAV.map((n, i) => (
                <>
                  {n.service && !NAV[i - 1]?.service ? <span class="svc">{v.t('nav.service')}:</span> : null}
                  <a href={n.href} class={v.path.startsWith(n.href) ? 'on' : ''} aria-current={v.path.startsWith(n.href) ? 'page' : undefined}>
                    {v.t(n.key)}
                  </a>
                </>
              ))}
            </nav>
          ) : (
            <nav></nav>
          )}
          <a href={`${v.path}?lang=${other}`} class="lang" lang={other}>
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
        <main id="main">
          <h1>{title}</h1>
          <FlashBox flash={flash} />
          {children}
        </main>
      </body>
    </html>
    </>
  );
};

/** A status badge of a sync run. */
export const RunBadge: FC<{ v: ViewContext; status: string }> = ({ v, status }) => {
  const key = `run.status.${status}` as MessageKey;
  return <span class={`badge ${status}`}>{['ok', 'partial', 'failed', 'running'].includes(status) ? v.t(key) : '—'}</span>;
};

/** A run's duration in the page's language (`1,2 с`). */
export function formatDuration(ms: number | null, lang: 'ru' | 'en' = 'ru'): string {
  return formatDurationIntl(ms, lang);
}

/** ISO UTC → `03.12.2026, 22:09:16` in Moscow time (what the shop's staff reads), through `Intl`. */
export function formatTime(iso: string | null, lang: 'ru' | 'en' = 'ru'): string {
  return formatDateTime(iso, lang);
}

/** Counters as `создано 3, обновлено 1` (known counters only). */
export function formatCounts(counts: Record<string, number>, lang: 'ru' | 'en' = 'ru'): string {
  return countsText(counts, lang);
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
