/**
 * @module moysklad/transport
 * One HTTP exchange with MoySklad and everything around it: URL and credential guard, headers
 * (`Accept-Encoding: gzip` is mandatory; a gzip body the fetch left compressed is gunzipped here),
 * pacing through the limiter, the per-attempt timeout, counters, request events, redaction, typed
 * errors and re-sends (decided by `retry.ts`). Endpoint modules build on `request`/`send`/`parse`.
 */
import { gunzipSync } from 'node:zlib';
import type { z } from 'zod';
import { systemClock, type Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { MoySkladBadResponseError, MoySkladError, MoySkladNetworkError, MoySkladServerError, MoySkladTimeoutError } from './errors.js';
import { httpError } from './http-error.js';
import { AdaptiveLimiter, requestWeight, type AuthKind, type RequestLimiter } from './limiter.js';
import { buildQuery, type ListQuery } from './query.js';
import { authorization, redact, redactEntry } from './redaction.js';
import { countRetry, decide, failureOutcome, type RetryCount, type RetryPolicy } from './retry.js';
import { errorBodySchema, type MsErrorEntry } from './schemas/error.js';
import {
  USER_AGENT,
  type Exchange,
  type MoySkladClientOptions,
  type MoySkladClientStats,
  type MoySkladCredentials,
  type MoySkladLogger,
  type RequestEvent,
  type RequestOptions,
  type RequestOutcome,
  type SendOptions,
} from './types.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const RESERVED_HEADERS = new Set(['authorization', 'accept', 'accept-encoding', 'content-type', 'user-agent']);

const isGzip = (b: Buffer): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

/** True when the body (every item of an array) carries a `syncId`, which makes a POST safe to re-send. */
export function hasSyncId(body: unknown): boolean {
  if (Array.isArray(body)) return body.length > 0 && body.every(hasSyncId);
  return typeof body === 'object' && body !== null && typeof (body as { syncId?: unknown }).syncId === 'string';
}

function emptyStats(): MoySkladClientStats {
  return { requests: 0, responses: 0, rateLimited: {}, rateLimitedTotal: 0, retries: 0, serverErrors: 0, networkErrors: 0, timeouts: 0, bytesSent: 0, bytesReceived: 0 };
}

export class MoySkladTransport {
  readonly baseUrl: string;
  readonly origin: string;
  readonly authKind: AuthKind;
  readonly limiter: RequestLimiter;
  readonly #credentialKind: MoySkladCredentials['kind'];
  readonly #authHeader: string;
  readonly #secrets: string[];
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #timeoutClock: Clock;
  readonly #logger: MoySkladLogger | undefined;
  readonly #timeoutMs: number;
  readonly #policy: RetryPolicy;
  readonly #random: () => number;
  readonly #onRequest: ((event: RequestEvent) => void) | undefined;
  readonly #writeHeaders: Record<string, string>;
  readonly #stats: MoySkladClientStats = emptyStats();

  constructor(options: MoySkladClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.origin = new URL(this.baseUrl).origin;
    this.#credentialKind = options.credentials.kind;
    const auth = authorization(options.credentials);
    this.#authHeader = auth.header;
    this.authKind = auth.kind;
    this.#secrets = auth.secrets;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#clock = options.clock ?? systemClock;
    this.#timeoutClock = options.timeoutClock ?? systemClock;
    this.#logger = options.logger;
    // B2: the parallel cap is what the budget needs. Login+password (one request per 267 ms) never
    // needs more than 4 in flight, which keeps one of MoySklad's 5 for another process on the same
    // credential (the admin panel of a split deployment); a solution token (one request per 67 ms)
    // with pages answering in a quarter of a second needs all 5 to use its budget.
    this.limiter = options.limiter ?? new AdaptiveLimiter({ clock: this.#clock, maxConcurrency: this.authKind === 'solution_token' ? 5 : 4 });
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#policy = {
      maxRetries: options.maxRetries ?? 5,
      max429Retries: options.max429Retries ?? 20,
      backoffBaseMs: options.backoffBaseMs ?? 500,
      backoffCapMs: options.backoffCapMs ?? 30_000,
    };
    this.#random = options.random ?? Math.random;
    this.#onRequest = options.onRequest;
    this.#writeHeaders = { ...(options.writeHeaders ?? {}) };
  }

  /** Counters since the transport was made. */
  stats(): MoySkladClientStats {
    return { ...this.#stats, rateLimited: { ...this.#stats.rateLimited } };
  }

  /** Sends one request; resolves to the parsed JSON, or undefined for an empty body. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const ex = await this.send(method, path, options);
    return ex.body as T;
  }

  /** GET and validate with `schema`. */
  async get<S extends z.ZodType>(path: string, schema: S, query?: ListQuery, signal?: AbortSignal): Promise<z.infer<S>> {
    const body = await this.request('GET', path, { query, signal });
    return this.parse(schema, body, 'GET', path);
  }

  /** Validates a body with `schema`; a mismatch is a `MoySkladBadResponseError` (redacted). */
  parse<S extends z.ZodType>(schema: S, body: unknown, method: string, path: string): z.infer<S> {
    const r = schema.safeParse(body);
    if (r.success) return r.data;
    const issues = r.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: this.redact(i.message) }));
    throw new MoySkladBadResponseError(
      `MoySklad answered ${method} ${this.relPath(path)} with an unexpected shape: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
      { status: 200, method, path: this.relPath(path), errors: [] },
    );
  }

  /** Removes every copy of the credential from a text. */
  redact(text: string): string {
    return redact(text, this.#secrets);
  }

  redactEntry(e: MsErrorEntry): MsErrorEntry {
    return redactEntry(e, this.#secrets);
  }

  /** An absolute URL for a path relative to the base, or for a full href (which must be on the API origin). */
  absUrl(pathOrHref: string): string {
    if (/^https?:\/\//i.test(pathOrHref)) return pathOrHref;
    return `${this.baseUrl}/${pathOrHref.replace(/^\/+/, '')}`;
  }

  /** The path relative to the API base, without the query string (for errors, logs and weights). */
  relPath(pathOrHref: string): string {
    const noQuery = pathOrHref.split('?')[0] ?? '';
    if (/^https?:\/\//i.test(noQuery)) {
      if (noQuery.startsWith(this.baseUrl)) return noQuery.slice(this.baseUrl.length).replace(/^\/+/, '');
      try {
        return new URL(noQuery).pathname;
      } catch {
        return '(invalid url)';
      }
    }
    return noQuery.replace(/^\/+/, '');
  }

  /** Sends a request, following same-origin redirects and re-sending as `decide` says; throws a typed error. */
  async send(method: string, pathOrHref: string, options: SendOptions): Promise<Exchange> {
    let url = this.absUrl(pathOrHref) + buildQuery(options.query);
    const path = this.relPath(pathOrHref);
    if (new URL(url).origin !== this.origin) {
      // Never send the credential anywhere but the API host.
      throw new MoySkladError('moysklad_request_failed', `Refusing to send credentials to another host than ${this.origin}`, { status: 0, method, path });
    }
    const bodyText = options.body === undefined ? undefined : JSON.stringify(options.body);
    const idempotent = options.idempotent ?? (method === 'POST' ? hasSyncId(options.body) : method !== 'PATCH');
    const policy = { ...this.#policy, maxRetries: options.retries ?? this.#policy.maxRetries };
    let sent: RetryCount = { retries: 0, rateLimited: 0 };
    let redirects = 0;
    for (let attempt = 0; ; attempt++) {
      const weight = requestWeight(this.authKind, path, this.#clock.nowMs());
      // Throws only when the caller aborts; every other failure comes back as an error value.
      let result: Exchange | MoySkladError = await this.#attempt(method, url, path, bodyText, weight, attempt, options);
      if (!(result instanceof MoySkladError)) {
        const ex = result;
        if (ex.status >= 200 && ex.status < 300) return ex;
        if (REDIRECTS.has(ex.status)) {
          if (options.acceptRedirect) return ex;
          const location = ex.headers.get('location');
          if (location && redirects < 3 && new URL(location, url).origin === this.origin) {
            redirects += 1;
            url = new URL(location, url).toString();
            continue;
          }
        }
        if (options.acceptBatchErrors && Array.isArray(ex.body) && ex.status >= 400 && ex.status < 500 && ex.status !== 429) return ex;
        result = httpError(method, path, ex, this.#credentialKind);
      }
      const err = result;
      const outcome = failureOutcome(err);
      const decision = decide(outcome, sent, { idempotent }, policy, this.#random);
      if (decision.action === 'fail') {
        if (outcome !== 'rate_limited') this.#logger?.warn({ method, path, status: err.status, code: err.code, msCode: err.msCode }, 'moysklad request failed');
        throw err;
      }
      sent = countRetry(outcome, sent);
      this.#stats.retries += 1;
      if (outcome === 'rate_limited') {
        // The limiter has learned from the 429 and paces the re-send.
        this.#logger?.warn({ method, path, msCode: err.msCode, retryAfterMs: (err as { retryAfterMs?: number }).retryAfterMs }, 'moysklad rate limited; waiting');
        continue;
      }
      this.#logger?.warn({ method, path, status: err.status, code: err.code, attempt, delayMs: Math.round(decision.waitMs) }, 'moysklad request failed; retrying');
      await this.#clock.sleep(decision.waitMs, options.signal);
    }
  }

  /** GET a file from the storage host: no Authorization, outside the limiter, manual redirects, re-sends as `decide` says. */
  async fetchFile(url: string, signal: AbortSignal | undefined): Promise<Buffer> {
    let target = url;
    let sent: RetryCount = { retries: 0, rateLimited: 0 };
    for (let hops = 0; ; ) {
      const started = this.#clock.nowMs();
      let failure: MoySkladError;
      try {
        const res = await this.#fetch(target, { method: 'GET', headers: { 'Accept-Encoding': 'gzip', 'User-Agent': USER_AGENT }, redirect: 'manual', signal });
        const bytes = Buffer.from(await res.arrayBuffer());
        this.#stats.bytesReceived += bytes.length;
        this.#logger?.debug({ host: new URL(target).host, status: res.status, bytes: bytes.length, durationMs: this.#clock.nowMs() - started }, 'moysklad file download');
        if (res.status >= 200 && res.status < 300) return bytes;
        const location = res.headers.get('location');
        if (REDIRECTS.has(res.status) && location && hops < 3) {
          hops += 1;
          target = new URL(location, target).toString();
          continue;
        }
        const init = { status: res.status, method: 'GET', path: new URL(target).pathname };
        failure = res.status >= 500 ? new MoySkladServerError(`File host answered ${res.status}`, init) : new MoySkladError('moysklad_request_failed', `File host answered ${res.status}`, init);
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        failure = new MoySkladNetworkError(`File host unreachable: ${this.redact(errorMessage(e))}`, { method: 'GET', path: '(file)' });
      }
      const outcome = failureOutcome(failure);
      const decision = decide(outcome, sent, { idempotent: true }, this.#policy, this.#random);
      if (decision.action === 'fail') throw failure;
      sent = countRetry(outcome, sent);
      this.#stats.retries += 1;
      await this.#clock.sleep(decision.waitMs, signal);
    }
  }

  /** One exchange: limiter slot, fetch with timeout, body decoding. Network failures come back as errors. */
  async #attempt(method: string, url: string, path: string, bodyText: string | undefined, weight: number, attempt: number, options: SendOptions): Promise<Exchange | MoySkladError> {
    const signal = options.signal;
    const release = await this.limiter.acquire(weight, signal);
    const started = this.#clock.nowMs();
    const bytesSent = bodyText === undefined ? 0 : Buffer.byteLength(bodyText);
    this.#stats.requests += 1;
    this.#stats.bytesSent += bytesSent;
    const controller = new AbortController();
    const timer = new AbortController();
    let timedOut = false;
    const onCallerAbort = (): void => controller.abort(signal?.reason);
    signal?.addEventListener('abort', onCallerAbort, { once: true });
    this.#timeoutClock.sleep(this.#timeoutMs, timer.signal).then(
      () => {
        timedOut = true;
        controller.abort(new Error('timeout'));
      },
      () => undefined,
    );
    const event = (partial: Pick<RequestEvent, 'status' | 'msCode' | 'outcome' | 'bytesReceived'>): void =>
      this.#emit({ method, path, attempt, weight, durationMs: this.#clock.nowMs() - started, bytesSent, ...partial });
    let response: Response;
    let bytes: Buffer;
    try {
      response = await this.#fetch(url, { method, headers: this.#headers(method, bodyText !== undefined, options.headers), body: bodyText, signal: controller.signal, redirect: 'manual' });
      bytes = Buffer.from(await response.arrayBuffer());
    } catch (e) {
      release({});
      if (signal?.aborted) throw signal.reason;
      if (timedOut) {
        this.#stats.timeouts += 1;
        event({ status: undefined, msCode: undefined, outcome: 'timeout', bytesReceived: 0 });
        return new MoySkladTimeoutError(`MoySklad did not answer ${method} ${path} within ${this.#timeoutMs} ms`, { method, path });
      }
      this.#stats.networkErrors += 1;
      event({ status: undefined, msCode: undefined, outcome: 'network_error', bytesReceived: 0 });
      const why = this.redact(errorMessage(e) + (e instanceof Error && e.cause ? `: ${errorMessage(e.cause)}` : ''));
      return new MoySkladNetworkError(`MoySklad is unreachable (${method} ${path}): ${why}`, { method, path });
    } finally {
      timer.abort();
      signal?.removeEventListener('abort', onCallerAbort);
    }
    this.#stats.responses += 1;
    this.#stats.bytesReceived += bytes.length;
    const status = response.status;
    const decoded = !options.raw || status >= 400 ? decodeBody(bytes) : { bytes, body: undefined, parseFailed: false };
    const errBody = errorBodySchema.safeParse(decoded.body);
    const errors = errBody.success ? errBody.data.errors.map((e) => this.redactEntry(e)) : [];
    const msCode = errors[0]?.code;
    release({ status, headers: response.headers, msCode });
    this.#count(status, msCode);
    const outcome: RequestOutcome = status === 429 ? 'rate_limited' : status >= 500 ? 'server_error' : status >= 400 ? 'http_error' : 'ok';
    event({ status, msCode, outcome, bytesReceived: decoded.bytes.length });
    if (decoded.parseFailed && status >= 200 && status < 300) {
      return new MoySkladBadResponseError(`MoySklad answered ${method} ${path} with a body that is not JSON`, { status, method, path });
    }
    return { status, headers: response.headers, bytes: decoded.bytes, body: decoded.body, msCode, errors };
  }

  #headers(method: string, hasBody: boolean, perRequest: Record<string, string> | undefined): Record<string, string> {
    const requested = method === 'GET' ? (perRequest ?? {}) : { ...this.#writeHeaders, ...(perRequest ?? {}) };
    const extra = Object.fromEntries(Object.entries(requested).filter(([k]) => !RESERVED_HEADERS.has(k.toLowerCase())));
    const headers: Record<string, string> = {
      ...extra,
      Authorization: this.#authHeader,
      'Accept-Encoding': 'gzip',
      Accept: 'application/json;charset=utf-8',
      'User-Agent': USER_AGENT,
    };
    if (hasBody) headers['Content-Type'] = 'application/json;charset=utf-8';
    return headers;
  }

  #count(status: number, msCode: number | undefined): void {
    if (status === 429) {
      const key = msCode === 1049 || msCode === 1073 ? String(msCode) : 'other';
      this.#stats.rateLimited[key] = (this.#stats.rateLimited[key] ?? 0) + 1;
      this.#stats.rateLimitedTotal += 1;
    }
    if (status >= 500) this.#stats.serverErrors += 1;
  }

  #emit(e: RequestEvent): void {
    this.#logger?.debug({ ...e }, 'moysklad request');
    try {
      this.#onRequest?.(e);
    } catch (err) {
      this.#logger?.error({ err: errorMessage(err) }, 'onRequest hook threw');
    }
  }
}

/** Gunzips a body the fetch left compressed, then parses JSON (an empty body is `undefined`). */
function decodeBody(raw: Buffer): { bytes: Buffer; body: unknown; parseFailed: boolean } {
  let bytes = raw;
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      return { bytes, body: undefined, parseFailed: true };
    }
  }
  if (bytes.length === 0) return { bytes, body: undefined, parseFailed: false };
  try {
    return { bytes, body: JSON.parse(bytes.toString('utf8')), parseFailed: false };
  } catch {
    return { bytes, body: undefined, parseFailed: true };
  }
}
