/** @jsxRuntime automatic */
/** @jsxImportSource hono/jsx */
/**
 * @module admin-panel
 * `mountAdminPanel(app, deps)` adds the server-rendered admin panel under `/admin` (Hono JSX,
 * htmx served locally): login with throttling, sessions, CSRF on every unsafe request, the
 * language switch, and the pages (integrations, price lists, nomenclature, orders, logs, sync
 * history, API tokens). Every route except the login page and the two static assets needs a
 * session and redirects to the login page without one.
 */
import fs from 'node:fs';
import { clientAddress, NO_TRUSTED_PROXIES, type TrustedProxies } from '../../core/client-address.js';
import { createRequire } from 'node:module';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, Hono } from 'hono';
import { Hono as HonoApp } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { randomBytes } from 'node:crypto';
import { AdminAuth, safeEqual } from './admin-auth.js';
import { translator, type Lang } from './i18n.js';
import { field, safeNext, type AdminEnv, type AdminPanelDeps } from './admin-helpers.js';
import { Csrf, Page, type ViewContext } from './layout.js';
import { registerLiveRoutes } from './progress-block.js';
import { registerOrderRoutes } from './order-pages.js';
import { ADMIN_CSS } from './stylesheet.js';
import { registerIntegrationRoutes } from './integrations-pages.js';
import { registerPriceListRoutes } from './price-list-pages.js';
import { registerCatalogRoutes } from './catalog-pages.js';
import { registerSystemRoutes } from './system-pages.js';
import { registerAccountsRoutes } from './accounts-pages.js';
import { registerWebhookRoutes } from './webhook-pages.js';
import { registerFeedRoutes } from './feed-pages.js';

export const SESSION_COOKIE = 'mse_admin';
export const LOGIN_CSRF_COOKIE = 'mse_login_csrf';
export const LANG_COOKIE = 'mse_lang';

/** Routes reachable without a session (everything else redirects to the login page). */
export const PUBLIC_ADMIN_ROUTES: ReadonlyArray<{ method: string; path: string }> = [
  { method: 'GET', path: '/admin/login' },
  { method: 'POST', path: '/admin/login' },
  { method: 'GET', path: '/admin/assets/admin.css' },
  { method: 'GET', path: '/admin/assets/htmx.min.js' },
];

let htmxCache: string | null = null;
function htmxSource(): string {
  if (htmxCache === null) {
    const require = createRequire(import.meta.url);
    htmxCache = fs.readFileSync(require.resolve('htmx.org/dist/htmx.min.js'), 'utf8');
  }
  return htmxCache;
}

function clientIp(c: Context, trusted: TrustedProxies): string {
  let remote: string | undefined;
  try {
    remote = getConnInfo(c).remote.address;
  } catch {
    remote = undefined;
  }
  return clientAddress(remote, c.req.header('x-forwarded-for'), trusted);
}




const isUnsafe = (method: string): boolean => !['GET', 'HEAD', 'OPTIONS'].includes(method);


/** The login page. */
function LoginPage({ v, error, login, loginCsrf, next }: { v: ViewContext; error: string | null; login: string; loginCsrf: string; next: string }) {
  return (
    <Page v={v} title={v.t('login.title')} flash={error ? { kind: 'error', text: error } : null}>
      <form method="post" action={`/admin/login?next=${encodeURIComponent(next)}`} class="card login" style="margin-top:0">
        <input type="hidden" name="_csrf" value={loginCsrf} />
        <label for="login">{v.t('login.login')}</label>
        <input type="text" id="login" name="login" value={login} autocomplete="username" required />
        <label for="password">{v.t('login.password')}</label>
        <input type="password" id="password" name="password" autocomplete="current-password" required />
        <button type="submit">{v.t('login.submit')}</button>
      </form>
    </Page>
  );
}

export function mountAdminPanel(app: Hono, deps: AdminPanelDeps): void {
  const auth = deps.auth ?? new AdminAuth({ db: deps.db, clock: deps.clock });
  const secure = deps.publicBaseUrl.startsWith('https:');
  const admin = new HonoApp<AdminEnv>();

  // Language, session, CSRF — in that order, for every /admin route.
  admin.use('*', async (c, next) => {
    const q = c.req.query('lang');
    let lang: Lang = getCookie(c, LANG_COOKIE) === 'en' ? 'en' : 'ru';
    if (q === 'en' || q === 'ru') {
      lang = q;
      setCookie(c, LANG_COOKIE, q, { path: '/admin', sameSite: 'Lax', httpOnly: true, secure, maxAge: 365 * 86400 });
    }
    const path = c.req.path;
    const isPublic = PUBLIC_ADMIN_ROUTES.some((r) => r.path === path && r.method === c.req.method);
    const session = isPublic ? null : await auth.session(getCookie(c, SESSION_COOKIE));
    c.set('session', session);
    c.set('view', { t: translator(lang), lang, csrf: session?.csrfToken ?? '', path, login: session?.login ?? null });
    if (isPublic) return next();
    if (!session) {
      const target = `/admin/login?next=${encodeURIComponent(c.req.method === 'GET' ? c.req.path : '/admin')}`;
      if (c.req.header('hx-request')) c.header('HX-Redirect', target);
      return c.redirect(target, 302);
    }
    if (isUnsafe(c.req.method)) {
      let token = c.req.header('x-csrf-token') ?? '';
      if (!token) {
        const type = c.req.header('content-type') ?? '';
        if (type.includes('form')) token = field(await c.req.parseBody(), '_csrf');
      }
      if (!token || !safeEqual(token, session.csrfToken)) {
        return c.html(<Page v={c.get('view')} title="403" flash={{ kind: 'error', text: c.get('view').t('common.csrf') }} />, 403);
      }
    }
    c.header('Cache-Control', 'no-store');
    c.header('X-Frame-Options', 'DENY');
    await next();
    // An unknown admin URL or a failure answers with a page of the panel, never the API's JSON.
    if (c.error || c.res.status === 404) {
      const v = c.get('view');
      const status = c.error ? 500 : 404;
      const page = (
        <Page v={v} title={v.t(status === 404 ? 'error.notFoundTitle' : 'error.failedTitle')} flash={{ kind: 'error', text: v.t(status === 404 ? 'error.notFound' : 'error.failed') }}>
          <p>
            <a href="/admin/integrations">{v.t('error.home')}</a>
          </p>
        </Page>
      );
      c.res = undefined;
      c.res = await c.html(page, status);
    }
  });

  admin.get('/assets/admin.css', (c) => c.body(ADMIN_CSS, 200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'public, max-age=3600' }));
  admin.get('/assets/htmx.min.js', (c) => c.body(htmxSource(), 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'public, max-age=86400' }));

  admin.get('/login', (c) => {
    const loginCsrf = randomBytes(24).toString('base64url');
    setCookie(c, LOGIN_CSRF_COOKIE, loginCsrf, { path: '/admin/login', sameSite: 'Lax', httpOnly: true, secure });
    return c.html(<LoginPage v={c.get('view')} error={null} login="" loginCsrf={loginCsrf} next={safeNext(c.req.query('next'))} />);
  });

  admin.post('/login', async (c) => {
    const v = c.get('view');
    const form = await c.req.parseBody();
    const login = field(form, 'login');
    const expected = getCookie(c, LOGIN_CSRF_COOKIE) ?? '';
    const fresh = randomBytes(24).toString('base64url');
    setCookie(c, LOGIN_CSRF_COOKIE, fresh, { path: '/admin/login', sameSite: 'Lax', httpOnly: true, secure });
    if (!expected || !safeEqual(field(form, '_csrf'), expected)) {
      return c.html(<LoginPage v={v} error={v.t('login.csrf')} login={login} loginCsrf={fresh} next={safeNext(c.req.query('next'))} />, 403);
    }
    const result = await auth.login(login, field(form, 'password'), clientIp(c, deps.trustedProxies ?? NO_TRUSTED_PROXIES));
    if (!result.ok) {
      const error = result.reason === 'throttled' ? v.t('login.throttled', { minutes: Math.ceil(result.retryAfterMs / 60_000) }) : v.t('login.invalid');
      if (result.reason === 'throttled') c.header('Retry-After', String(Math.ceil(result.retryAfterMs / 1000)));
      return c.html(<LoginPage v={v} error={error} login={login} loginCsrf={fresh} next={safeNext(c.req.query('next'))} />, result.reason === 'throttled' ? 429 : 401);
    }
    deleteCookie(c, LOGIN_CSRF_COOKIE, { path: '/admin/login' });
    setCookie(c, SESSION_COOKIE, result.cookieValue, { path: '/admin', httpOnly: true, sameSite: 'Lax', secure, maxAge: Math.floor(auth.sessionTtlMs / 1000) });
    return c.redirect(safeNext(c.req.query('next')), 302);
  });

  admin.post('/logout', async (c) => {
    await auth.logout(getCookie(c, SESSION_COOKIE));
    deleteCookie(c, SESSION_COOKIE, { path: '/admin' });
    return c.redirect('/admin/login', 302);
  });

  admin.get('/', (c) => c.redirect('/admin/integrations', 302));

  registerIntegrationRoutes(admin, deps);
  registerPriceListRoutes(admin, deps);
  registerCatalogRoutes(admin, deps);
  registerSystemRoutes(admin, deps);
  registerAccountsRoutes(admin, deps);
  registerWebhookRoutes(admin, deps);
  registerFeedRoutes(admin, deps);
  registerLiveRoutes(admin, deps);
  registerOrderRoutes(admin, deps);

  app.route('/admin', admin);
}

export { Csrf };
export type { AdminContext, AdminEnv, AdminPanelDeps } from './admin-helpers.js';
