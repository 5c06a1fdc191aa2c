/**
 * @module api-handler
 * The request pipeline for `/api/remap/1.2/*`, in the order MoySklad applies it:
 * gzip (415, empty body) → Accept (1062) → auth (401/1056) → parallel cap (429/1073) →
 * token bucket (429/1049) → injected faults → route → gzip-encoded JSON → latency.
 *
 * The latency model is the TOTAL server time of a request: `baseMs + perRowMs × rows` counted from
 * the moment the request arrived, so the emulator's own work (reading the body, the route,
 * serialising and gzip) is part of it, not added on top; only what remains of it is slept.
 */

import { gzipSync } from 'node:zlib';
import type { Context } from 'hono';
import type { Clock } from '../../core/clock.js';
import type { EmulatorAccount } from '../state/account.js';
import type { ApiRequest, ApiResult } from '../routes/api-types.js';
import { route } from '../routes/router.js';
import type { FileLinks } from '../routes/images.js';
import type { Faults } from '../faults.js';
import { authenticate, type AuthResult } from './auth.js';
import { isMsError, MsError, msErrors } from './ms-error.js';
import { requestWeight, type RateLimiter, type RateLimitSettings, type BucketDecision } from './rate-limit.js';
import type { StatsRecorder } from './stats.js';

export const API_PREFIX = '/api/remap/1.2';

export interface LatencySettings {
  baseMs: number;
  perRowMs: number;
}

export interface Core {
  clock: Clock;
  accounts: Map<string, EmulatorAccount>;
  limiter: RateLimiter;
  faults: Faults;
  stats: StatsRecorder;
  latency: LatencySettings;
  links: FileLinks;
  /** C10 rows past which `report/stock/{all,bystore}/current` answers 13005 (null: no limit). */
  reportRowLimit: { value: number | null };
  /** e.g. http://127.0.0.1:8090 (in-process: http://moysklad.emulator). */
  apiOrigin(): string;
  /** Origins accepted in hrefs. */
  origins(): string[];
  closed: AbortSignal;
}

const JSON_TYPE = 'application/json;charset=utf-8';
/** REFERENCE §3: request bodies up to 20 MB (error 1044 speaks of 10 MB; see the conflict there). */
const MAX_BODY_CHARS = 20 * 1024 * 1024;

function acceptsGzip(header: string | null): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [name, ...params] = part.trim().split(';');
    if (name?.trim().toLowerCase() !== 'gzip') return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function acceptOk(header: string | null): boolean {
  if (header === null || header.trim() === '') return true;
  return header.split(',').some((part) => {
    const t = part.split(';')[0]?.trim().toLowerCase();
    return t === 'application/json' || t === '*/*' || t === 'application/*';
  });
}

function gz(body: unknown): Uint8Array {
  return gzipSync(Buffer.from(JSON.stringify(body), 'utf8'), { level: 1 });
}

function rateHeaders(h: Headers, d: BucketDecision | undefined, limit: number, intervalMs: number): void {
  if (!d) return;
  h.set('X-RateLimit-Limit', String(limit));
  h.set('X-RateLimit-Remaining', String(d.remaining));
  h.set('X-Lognex-Retry-TimeInterval', String(intervalMs));
  h.set('X-Lognex-Reset', String(d.resetMs));
}

/** The modeled server time of a request answering or writing `rows` rows (1 when the route does not say). */
export function modeledLatencyMs(latency: LatencySettings, rows: number | undefined): number {
  return latency.baseMs + latency.perRowMs * (rows ?? 1);
}

/** What is left to sleep of the modeled time after `elapsedMs` of the request has passed (never negative). */
export function remainingLatencyMs(latency: LatencySettings, rows: number | undefined, elapsedMs: number): number {
  return Math.max(0, modeledLatencyMs(latency, rows) - elapsedMs);
}

function jsonResponse(status: number, body: unknown, extra?: Headers): Response {
  const h = new Headers(extra);
  if (body === undefined) return new Response(null, { status, headers: h });
  h.set('Content-Type', JSON_TYPE);
  h.set('Content-Encoding', 'gzip');
  return new Response(gz(body), { status, headers: h });
}

interface NodeEnv {
  incoming?: { socket?: { destroy(): void } };
}

/** A request answered before the route: the response and the MoySklad error code to record. */
interface Refusal {
  res: Response;
  code?: number;
}

/** A request let through the gates: who it is, the rate headers so far, and how to count a 429. */
interface Admitted {
  auth: AuthResult;
  headers: Headers;
  limits: RateLimitSettings | false;
  on429(): void;
}

export async function handleApi(c: Context, core: Core): Promise<Response> {
  const raw = c.req.raw;
  const url = new URL(raw.url);
  const path = url.pathname.slice(API_PREFIX.length).replace(/^\/+/, '');
  const method = raw.method.toUpperCase();
  const now = (): number => core.clock.nowMs();
  const startedMs = now();
  const who: { login?: string } = {};
  const finish = (res: Response, code?: number): Response => {
    core.stats.record(method, path, res.status, code, who.login, now());
    return res;
  };

  const gate = admit(raw, core, method, path, who);
  if ('res' in gate) return finish(gate.res, gate.code);
  const { auth, headers } = gate;
  const accountKey = `account:${auth.account.login}`;
  core.limiter.enter(auth.bucketKey);
  core.limiter.enter(accountKey);
  try {
    // 6. faults
    const faulted = await injectFault(c, raw, core, gate);
    if (faulted) return finish(faulted.res, faulted.code);

    // 7. route
    const req = apiRequest(raw, url, core, method, path, auth, now());
    const result = await routeRequest(raw, req, auth, core);
    // 8. webhooks for what changed
    if (req.events.length) {
      auth.account.emitChanges(req.events, { uid: auth.account.login, disabledPrefixes: disabledPrefixes(raw.headers) });
    }
    if (req.stockChanged) for (const l of auth.account.stockListeners) l(auth.account, now());
    for (const [k, v] of Object.entries(result.headers ?? {})) headers.set(k, v);
    const code = (result.body as { errors?: { code?: number }[] } | undefined)?.errors?.[0]?.code;
    // 9. serialise and gzip, then 10. latency: sleep only what remains of the modeled total since the request arrived
    const res = jsonResponse(result.status, result.body, headers);
    const delay = remainingLatencyMs(core.latency, result.rows, now() - startedMs);
    if (delay > 0) await core.clock.sleep(delay);
    return finish(res, code);
  } finally {
    core.limiter.leave(auth.bucketKey);
    core.limiter.leave(accountKey);
  }
}

/** Steps 1–5: gzip, Accept, auth, the API lock-out, the parallel cap and the token bucket. */
function admit(raw: Request, core: Core, method: string, path: string, who: { login?: string }): Refusal | Admitted {
  const now = (): number => core.clock.nowMs();
  // 1. mandatory gzip
  if (!acceptsGzip(raw.headers.get('accept-encoding'))) return { res: new Response(null, { status: 415 }) };
  // 2. Accept
  if (!acceptOk(raw.headers.get('accept'))) {
    const e = msErrors.badAccept();
    return { res: jsonResponse(e.status, e.body()), code: e.code };
  }
  // 3. auth
  const auth = authenticate(raw.headers.get('authorization'), core.accounts.values());
  if (!auth) {
    const e = msErrors.auth();
    const h = new Headers({ 'X-Lognex-Auth': '-1', 'X-Lognex-Auth-Message': 'Authentication failed' });
    return { res: jsonResponse(e.status, e.body(), h), code: e.code };
  }
  who.login = auth.account.login;
  const headers = new Headers();
  const limits = core.limiter.settings;
  if (auth.account.apiDisabled) {
    const e = new MsError(403, 1061, 'Доступ к API отключён: превышено количество запросов с ответом 429 (восстановление через поддержку)');
    return { res: jsonResponse(403, e.body()), code: e.code };
  }
  const on429 = (): void => {
    if (!limits || limits.disableAfter429PerMinute <= 0) return;
    const list = auth.account.recent429;
    const t = now();
    list.push(t);
    while (list.length && (list[0] as number) <= t - 60_000) list.shift();
    if (list.length > limits.disableAfter429PerMinute) auth.account.apiDisabled = true;
  };
  const accountKey = `account:${auth.account.login}`;
  // 4. parallel cap, 5. bucket
  if (limits) {
    const bucket = core.limiter.bucket(auth.bucketKey, now());
    if (core.limiter.inFlight(auth.bucketKey) >= limits.parallel || core.limiter.inFlight(accountKey) >= limits.accountParallel) {
      rateHeaders(headers, bucket.peek(now(), limits), limits.bucket, limits.intervalMs);
      headers.set('X-Lognex-Auth', '429005');
      const e = new MsError(429, 1073, 'Превышено ограничение на количество параллельных запросов');
      on429();
      return { res: jsonResponse(429, e.body(), headers), code: 1073 };
    }
    const weight = requestWeight(limits, auth.kind, method, path, now());
    const decision = bucket.take(now(), weight, limits);
    rateHeaders(headers, decision, limits.bucket, limits.intervalMs);
    if (!decision.ok) {
      headers.set('X-Lognex-Retry-After', String(decision.retryAfterMs));
      const e = new MsError(429, 1049, 'Превышено ограничение на количество запросов');
      on429();
      return { res: jsonResponse(429, e.body(), headers), code: 1049 };
    }
    headers.set('X-Lognex-Retry-After', '0');
  }
  return { auth, headers, limits, on429 };
}

/** Step 6: the next injected fault, if any, as the response it gives. */
async function injectFault(c: Context, raw: Request, core: Core, gate: Admitted): Promise<Refusal | undefined> {
  const fault = core.faults.next();
  if (fault.kind === 'drop') {
    const env = c.env as NodeEnv | undefined;
    env?.incoming?.socket?.destroy();
    return { res: new Response(null, { status: 599, headers: { 'x-emulator-fault': 'drop' } }) };
  }
  if (fault.kind === 'timeout') {
    await new Promise<void>((resolve) => {
      const done = (): void => resolve();
      if (raw.signal.aborted || core.closed.aborted) return resolve();
      raw.signal.addEventListener('abort', done, { once: true });
      core.closed.addEventListener('abort', done, { once: true });
    });
    return { res: new Response(null, { status: 599, headers: { 'x-emulator-fault': 'timeout' } }) };
  }
  if (fault.kind === 'status') {
    return { res: new Response(`<html><body><h1>${fault.status} Service Unavailable</h1></body></html>`, { status: fault.status, headers: { 'Content-Type': 'text/html' } }) };
  }
  if (fault.kind === 'storm429') {
    gate.headers.set('X-Lognex-Retry-After', String(gate.limits ? gate.limits.intervalMs : 3000));
    const e = new MsError(429, 1049, 'Превышено ограничение на количество запросов');
    gate.on429();
    return { res: jsonResponse(429, e.body(), gate.headers), code: 1049 };
  }
  return undefined;
}

function apiRequest(raw: Request, url: URL, core: Core, method: string, path: string, auth: AuthResult, nowMs: number): ApiRequest {
  const origin = core.apiOrigin();
  return {
    method,
    segments: path.split('/').filter(Boolean).map((s) => decodeURIComponent(s)),
    path,
    query: url.searchParams,
    headers: raw.headers,
    account: auth.account,
    user: auth.user,
    authKind: auth.kind,
    ...(core.reportRowLimit.value !== null ? { reportRowLimit: core.reportRowLimit.value } : {}),
    ctx: { base: `${origin}${API_PREFIX}`, account: auth.account, files: core.links },
    origins: [...new Set([origin, url.origin, ...core.origins()])],
    body: undefined,
    events: [],
    stockChanged: false,
    nowMs,
  };
}

/** Step 7: `security/token`, or the body read (≤ 20 MB, JSON) and the route; MoySklad errors become results. */
async function routeRequest(raw: Request, req: ApiRequest, auth: AuthResult, core: Core): Promise<ApiResult> {
  const { method, path } = req;
  try {
    if (path === 'security/token') {
      if (method !== 'POST') throw msErrors.methodNotAllowed(method);
      // tokens are issued for login+password only (REFERENCE §1: "POST /security/token with a Basic header")
      if (auth.kind !== 'password') throw msErrors.auth();
      return { status: 200, body: { access_token: auth.account.issueToken(auth.user) } };
    }
    if (method === 'POST' || method === 'PUT') req.body = await readJsonBody(raw);
    return await route(req, core.links);
  } catch (err) {
    if (!isMsError(err)) throw err;
    return { status: err.status, body: err.body() };
  }
}

async function readJsonBody(raw: Request): Promise<unknown> {
  const text = await raw.text();
  if (text.length > MAX_BODY_CHARS) throw new MsError(413, 1044, 'Превышен максимальный размер запроса (20 МБ)');
  if (text.trim() === '') return undefined;
  const ct = raw.headers.get('content-type') ?? '';
  if (!ct.toLowerCase().includes('application/json')) throw new MsError(415, 1037, "Неверный Content-Type запроса, ожидается 'application/json'");
  try {
    return JSON.parse(text);
  } catch {
    throw new MsError(400, 2002, 'Ошибка формата JSON: тело запроса не является корректным JSON');
  }
}

/** X-Lognex-WebHook-DisableByPrefix may repeat; comma lists are not allowed (REFERENCE §1). */
function disabledPrefixes(h: Headers): string[] {
  const v = h.get('x-lognex-webhook-disablebyprefix');
  if (v === null) return [];
  // Headers joins repeats with ", "; a URL prefix never contains ", ".
  return v.split(', ').map((s) => s.trim()).filter(Boolean);
}
