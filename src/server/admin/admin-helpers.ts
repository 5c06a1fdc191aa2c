/**
 * @module admin-helpers
 * What every admin page module shares and the panel itself provides: the panel's dependencies and
 * Hono environment types, form and route-parameter readers, and the flash message read back from
 * `?done=` / `?error=` after a POST/redirect/GET. Kept apart from `admin-panel.tsx` so that the
 * page modules never import the panel that imports them.
 */
import type { Context } from 'hono';
import type { Kysely } from 'kysely';
import type { OutboxWake } from '../../app/order-service.js';
import type { TrustedProxies } from '../../core/client-address.js';
import { isDbId } from '../../core/db-id.js';
import type { Clock } from '../../core/clock.js';
import type { JobEnqueuer } from '../../queue/types.js';
import type { IntegrationSetupService } from '../../setup/integration-setup.js';
import type { Database } from '../../store/schema.js';
import type { SyncRegistry } from '../../sync/sync-registry.js';
import type { AdminAuth, AdminSession } from './admin-auth.js';
import { isMessageKey } from './i18n.js';
import { kindName } from './i18n-staff.js';
import type { Flash, ViewContext } from './layout.js';

export interface AdminPanelDeps {
  /** C14 TZ_SHOP: the time zone offered for a new region. */
  defaultTimeZone?: string;
  db: Kysely<Database>;
  clock: Clock;
  enqueuer: JobEnqueuer;
  syncs: SyncRegistry;
  setup: IntegrationSetupService;
  /** LOG_DIR, where `moysklad_logger.log` is. */
  logDir: string;
  /** `https://…` makes the session cookie Secure. */
  publicBaseUrl: string;
  /** Defaults to `new AdminAuth({ db, clock })`. */
  auth?: AdminAuth;
  /** S7 TRUSTED_PROXIES: whose X-Forwarded-For names the client address (default: none). */
  trustedProxies?: TrustedProxies;
  /**
   * P1: wakes the outbox sender after «Повторить» (or a resolved counterparty match) made an order's
   * export due again, as the REST API does after a commit. Without it the minute poll sends them.
   */
  wake?: OutboxWake;
}

export type AdminEnv = { Variables: { view: ViewContext; session: AdminSession | null } };
export type AdminContext = Context<AdminEnv>;

/** A string field of a parsed form ('' when missing). */
export function field(form: Record<string, unknown>, name: string): string {
  const v = form[name];
  return typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : '';
}

/** `?done=<message key>` after a POST/redirect/GET becomes a green message (vars from the query). */
export function flashFromQuery(c: AdminContext): Flash | null {
  const v = c.get('view');
  const done = c.req.query('done');
  const err = c.req.query('error');
  const kind = c.req.query('kind');
  const vars = { kind: kind ? kindName(kind, v.lang) : '', id: c.req.query('id') ?? '', n: c.req.query('n') ?? '' };
  if (done && isMessageKey(done)) return { kind: 'ok', text: v.t(done, vars) };
  if (err && isMessageKey(err)) return { kind: 'error', text: v.t(err, vars) };
  return null;
}

/** A database id route parameter, or null (the page then answers 404). */
export function idParam(c: Context, name = 'id'): number | null {
  const n = Number(c.req.param(name));
  return isDbId(n) ? n : null;
}

/** `?after=<run id>` after a sync was enqueued: the page waits for the run after it (live progress). */
export function afterRunFromQuery(c: AdminContext): number | undefined {
  const n = Number(c.req.query('after'));
  return c.req.query('after') !== undefined && (n === 0 || isDbId(n)) ? n : undefined;
}

/** `?page=` of a paged list: 1 when absent or not a sensible page number. */
export function pageParam(c: Context): number {
  const n = Number(c.req.query('page'));
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
}

/** An optional database id in the query string (`?integrationId=`), or undefined. */
export function queryIdParam(c: Context, name: string): number | undefined {
  const n = Number(c.req.query(name));
  return isDbId(n) ? n : undefined;
}

/** A safe post-login target: an /admin path of this site, else the integrations list. */
export function safeNext(next: string | undefined): string {
  return next && /^\/admin(\/|$|\?)/.test(next) && !next.startsWith('//') && !next.includes('\\') ? next : '/admin/integrations';
}
