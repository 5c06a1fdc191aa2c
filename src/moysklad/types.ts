/**
 * @module moysklad/types
 * The public types of the MoySklad client: credentials, options, request events, stats and the
 * shapes of batch results and stock queries.
 */
import type { Clock } from '../core/clock.js';
import type { RequestLimiter } from './limiter.js';
import type { ListQuery } from './query.js';
import type { MsErrorEntry } from './schemas/error.js';
import type { MsCustomerOrder, MsPurchaseOrder } from './schemas/order.js';
import type { StockType } from './schemas/stock.js';

export const USER_AGENT = 'moysklad-exchange/0.1 (+https://github.com/moysklad-exchange; MoySklad client)';

export type MoySkladCredentials =
  | { kind: 'password'; login: string; password: string }
  | { kind: 'token'; token: string; tokenKind: 'user' | 'solution' };

/** pino-compatible logger (only these four methods are used). */
export interface MoySkladLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export type RequestOutcome = 'ok' | 'http_error' | 'rate_limited' | 'server_error' | 'network_error' | 'timeout';

/** One HTTP exchange with MoySklad (each retry is its own event). */
export interface RequestEvent {
  method: string;
  /** Path relative to the API base, without the query string. */
  path: string;
  status: number | undefined;
  msCode: number | undefined;
  outcome: RequestOutcome;
  /** 0 for the first try. */
  attempt: number;
  weight: number;
  durationMs: number;
  bytesSent: number;
  bytesReceived: number;
}

export interface MoySkladClientStats {
  requests: number;
  responses: number;
  /** 429 responses by MoySklad code ('1049', '1073', or 'other'). */
  rateLimited: Record<string, number>;
  rateLimitedTotal: number;
  retries: number;
  serverErrors: number;
  networkErrors: number;
  timeouts: number;
  bytesSent: number;
  bytesReceived: number;
}

export interface MoySkladClientOptions {
  /** `…/api/remap/1.2` */
  baseUrl: string;
  credentials: MoySkladCredentials;
  fetch?: typeof fetch;
  clock?: Clock;
  logger?: MoySkladLogger;
  limiter?: RequestLimiter;
  /** Per-request timeout (default 60 000 ms). */
  timeoutMs?: number;
  /**
   * The clock that times requests out (default: real time). Network timeouts are wall-clock by
   * nature; tests pass a ManualClock without autoAdvance and advance it.
   */
  timeoutClock?: Clock;
  /** Retries on 5xx, timeouts and network errors (default 5). */
  maxRetries?: number;
  /** Re-sends after a 429 (default 20); the limiter decides how long to wait before each. */
  max429Retries?: number;
  /** Backoff: base and cap of the full-jitter exponential delay (defaults 500 ms and 30 000 ms). */
  backoffBaseMs?: number;
  backoffCapMs?: number;
  /** Random source in [0,1) for the jitter (default Math.random). */
  random?: () => number;
  onRequest?: (event: RequestEvent) => void;
  /**
   * Headers sent with every write (POST/PUT/DELETE), under any per-request `headers`: e.g.
   * `X-Lognex-WebHook-DisableByPrefix: <our hook URL prefix>` so that the module's own writes do not
   * come back to it as webhooks (REFERENCE §1, §8). Reserved headers are ignored.
   */
  writeHeaders?: Record<string, string>;
}

export interface RequestOptions {
  query?: ListQuery;
  body?: unknown;
  signal?: AbortSignal;
  /**
   * Whether a failed attempt may be re-sent after a 5xx, timeout or network error. Defaults to
   * true for GET/PUT/DELETE and for POST bodies that carry a syncId (every item of an array), false
   * otherwise. A 429 is always re-sent: MoySklad did not process the request.
   */
  idempotent?: boolean;
  /** Overrides `maxRetries` for this request. */
  retries?: number;
  /**
   * Extra request headers, e.g. `X-Lognex-WebHook-DisableByPrefix` so that our own writes do not
   * echo back as webhooks. Authorization, Accept and Accept-Encoding cannot be overridden.
   */
  headers?: Record<string, string>;
}

export interface Exchange {
  status: number;
  headers: Headers;
  bytes: Buffer;
  body: unknown;
  msCode: number | undefined;
  errors: MsErrorEntry[];
}

export interface SendOptions extends RequestOptions {
  /** Return 3xx answers instead of following same-origin redirects. */
  acceptRedirect?: boolean;
  /** Return 400/412/409 answers whose body is an array (a batch with per-item errors). */
  acceptBatchErrors?: boolean;
  /** Do not parse the body as JSON. */
  raw?: boolean;
}

/** The result of one item of a batch create: the saved entity, or MoySklad's errors for that item. */
export type BatchItemResult<T> = { index: number; ok: true; entity: T } | { index: number; ok: false; errors: MsErrorEntry[] };

export interface BatchOptions {
  signal?: AbortSignal;
  /** Items per request (default and maximum 1000). */
  maxItems?: number;
  /** Bytes of JSON per request (default 9 MB; MoySklad refuses 10 MB with 1044). */
  maxBytes?: number;
  /** Mark the batch safe to re-send (it is anyway when every item carries a syncId). */
  idempotent?: boolean;
}

export type OrderType = 'customerorder' | 'purchaseorder';
export type OrderOf<T extends OrderType> = T extends 'customerorder' ? MsCustomerOrder : MsPurchaseOrder;

export interface StockCurrentQuery {
  stockType?: StockType;
  /** Only items whose stock changed since then (at most 24 h back); includes zeros. */
  changedSince?: Date;
  includeZeroLines?: boolean;
  /** Bare ids, not hrefs. */
  assortmentIds?: readonly string[];
}
