/**
 * @module moysklad/client
 * The one typed MoySklad JSON API 1.2 client every sync uses; one instance per credential.
 *
 * - Headers: `Accept-Encoding: gzip` (mandatory), `Accept: application/json;charset=utf-8`,
 *   `Content-Type` on bodies, a `User-Agent` naming the module. A gzip body that the fetch did not
 *   decompress (magic bytes 1f 8b) is gunzipped here.
 * - Pacing through a `RequestLimiter` (default `AdaptiveLimiter`), retries with full-jitter backoff on
 *   5xx, timeouts and network errors (idempotent requests; POST only with a syncId or when marked
 *   safe), never on other 4xx; 429s are waited out by the limiter and re-sent.
 * - Responses are validated with zod; a mismatch is a `MoySkladBadResponseError`.
 * - Credentials never appear in errors or logs: every text copied from a response or from a thrown
 *   value is redacted against the credential before it is used.
 */
import { gunzipSync } from 'node:zlib';
import type { z } from 'zod';
import { systemClock, type Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { formatMoscow } from '../core/moscow-time.js';
import {
  MoySkladAuthError,
  MoySkladBadResponseError,
  MoySkladError,
  MoySkladNetworkError,
  MoySkladNotFoundError,
  MoySkladRateLimitError,
  MoySkladServerError,
  MoySkladTimeoutError,
  type AuthFailureReason,
} from './errors.js';
import { AdaptiveLimiter, requestWeight, type AuthKind, type RequestLimiter } from './limiter.js';
import { buildFilter, buildQuery, type Filter, type ListQuery } from './query.js';
import { errorBodySchema, type MsErrorEntry } from './schemas/error.js';
import { listOf } from './schemas/list.js';
import { organizationSchema, type MsOrganization } from './schemas/organization.js';
import { storeSchema, type MsStore } from './schemas/store.js';
import { productFolderSchema, type MsProductFolder } from './schemas/productfolder.js';
import { productSchema, type MsProduct, type MsProductCreate } from './schemas/product.js';
import { variantSchema, type MsVariant } from './schemas/variant.js';
import { assortmentRowSchema, type MsAssortmentRow } from './schemas/assortment.js';
import { imageSchema, type MsImage } from './schemas/image.js';
import { counterpartySchema, type MsCounterparty, type MsCounterpartyCreate, type MsCounterpartyUpdate } from './schemas/counterparty.js';
import { contextEmployeeSchema, employeeRights, type EmployeeRights } from './schemas/employee.js';
import {
  customerOrderSchema,
  positionSchema,
  purchaseOrderSchema,
  type MsCustomerOrder,
  type MsOrderCreate,
  type MsPosition,
  type MsPositionCreate,
  type MsPurchaseOrder,
} from './schemas/order.js';
import { webhookSchema, webhookStockSchema, type MsWebhook, type MsWebhookCreate, type MsWebhookStock } from './schemas/webhook.js';
import {
  stockAllRowSchema,
  stockByStoreRowSchema,
  stockCurrentRowsSchema,
  type MsStockAllRow,
  type MsStockByStoreRow,
  type StockCurrentRow,
  type StockType,
} from './schemas/stock.js';
import { counterpartyReportRowSchema, type MsCounterpartyReportRow } from './schemas/counterparty-report.js';
import { tokenResponseSchema } from './schemas/token.js';

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

interface Exchange {
  status: number;
  headers: Headers;
  bytes: Buffer;
  body: unknown;
  msCode: number | undefined;
  errors: MsErrorEntry[];
}

interface SendOptions extends RequestOptions {
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
  /** Query of every POST (e.g. `{ expand: 'positions' }`). */
  query?: ListQuery;
}

export type OrderType = 'customerorder' | 'purchaseorder';
type OrderOf<T extends OrderType> = T extends 'customerorder' ? MsCustomerOrder : MsPurchaseOrder;

export interface StockCurrentQuery {
  stockType?: StockType;
  /** Only items whose stock changed since then (at most 24 h back); includes zeros. */
  changedSince?: Date;
  includeZeroLines?: boolean;
  /** Bare ids, not hrefs. */
  assortmentIds?: readonly string[];
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const RESERVED_HEADERS = new Set(['authorization', 'accept', 'accept-encoding', 'content-type', 'user-agent']);
const MAX_BATCH_ITEMS = 1000;
const DEFAULT_BATCH_BYTES = 9 * 1024 * 1024;

const isGzip = (b: Buffer): boolean => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;

export class MoySkladClient {
  readonly baseUrl: string;
  readonly #origin: string;
  readonly #credentials: MoySkladCredentials;
  readonly #authHeader: string;
  readonly #authKind: AuthKind;
  readonly #secrets: string[];
  readonly #fetch: typeof fetch;
  readonly #clock: Clock;
  readonly #timeoutClock: Clock;
  readonly #logger: MoySkladLogger | undefined;
  readonly #limiter: RequestLimiter;
  readonly #timeoutMs: number;
  readonly #maxRetries: number;
  readonly #max429Retries: number;
  readonly #backoffBaseMs: number;
  readonly #backoffCapMs: number;
  readonly #random: () => number;
  readonly #onRequest: ((event: RequestEvent) => void) | undefined;
  readonly #writeHeaders: Record<string, string>;
  readonly #stats: MoySkladClientStats = {
    requests: 0,
    responses: 0,
    rateLimited: {},
    rateLimitedTotal: 0,
    retries: 0,
    serverErrors: 0,
    networkErrors: 0,
    timeouts: 0,
    bytesSent: 0,
    bytesReceived: 0,
  };

  constructor(options: MoySkladClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.#origin = new URL(this.baseUrl).origin;
    this.#credentials = options.credentials;
    const c = options.credentials;
    if (c.kind === 'password') {
      const basic = Buffer.from(`${c.login}:${c.password}`, 'utf8').toString('base64');
      this.#authHeader = `Basic ${basic}`;
      this.#authKind = 'password';
      this.#secrets = [c.password, basic, `${c.login}:${c.password}`].filter((s) => s.length >= 3);
    } else {
      this.#authHeader = `Bearer ${c.token}`;
      this.#authKind = c.tokenKind === 'solution' ? 'solution_token' : 'user_token';
      this.#secrets = [c.token].filter((s) => s.length >= 3);
    }
    // Longest first, so that a secret containing another is redacted whole.
    this.#secrets.sort((a, b) => b.length - a.length);
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#clock = options.clock ?? systemClock;
    this.#timeoutClock = options.timeoutClock ?? systemClock;
    this.#logger = options.logger;
    // B2: the parallel cap is what the budget needs. Login+password (one request per 267 ms) never
    // needs more than 4 in flight, which keeps one of MoySklad's 5 for another process on the same
    // credential (the admin panel of a split deployment); a solution token (one request per 67 ms)
    // with pages answering in a quarter of a second needs all 5 to use its budget.
    this.#limiter = options.limiter ?? new AdaptiveLimiter({ clock: this.#clock, maxConcurrency: this.#authKind === 'solution_token' ? 5 : 4 });
    this.#timeoutMs = options.timeoutMs ?? 60_000;
    this.#maxRetries = options.maxRetries ?? 5;
    this.#max429Retries = options.max429Retries ?? 20;
    this.#backoffBaseMs = options.backoffBaseMs ?? 500;
    this.#backoffCapMs = options.backoffCapMs ?? 30_000;
    this.#random = options.random ?? Math.random;
    this.#onRequest = options.onRequest;
    this.#writeHeaders = { ...(options.writeHeaders ?? {}) };
  }

  /** The kind of credential this client uses (it decides the weight of each request). */
  get authKind(): AuthKind {
    return this.#authKind;
  }

  /** The limiter in use (to share it with another client of the same credential). */
  get limiter(): RequestLimiter {
    return this.#limiter;
  }

  /** How many requests this client may have in flight at most (its limiter's parallel cap; 4 for a custom limiter). */
  get maxParallel(): number {
    return this.#limiter instanceof AdaptiveLimiter ? this.#limiter.maxConcurrency : 4;
  }

  /** Counters since the client was made. */
  stats(): MoySkladClientStats {
    return { ...this.#stats, rateLimited: { ...this.#stats.rateLimited } };
  }

  // ---------------------------------------------------------------- low level

  /** Sends one request; resolves to the parsed JSON, or undefined for an empty body. */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const ex = await this.#send(method, path, options);
    return ex.body as T;
  }

  /** GET and validate with `schema`. */
  async get<S extends z.ZodType>(path: string, schema: S, query?: ListQuery, signal?: AbortSignal): Promise<z.infer<S>> {
    const body = await this.request('GET', path, { query, signal });
    return this.#parse(schema, body, 'GET', path);
  }

  /**
   * Pages through a list: yields the rows of each page (validated by `rowSchema`) following
   * `meta.size` and `offset`. The page size is 1000, or 100 when `expand` is set (MoySklad ignores
   * expand above 100). Pass an `order` for stable paging of lists that change meanwhile.
   */
  async *pages<S extends z.ZodType>(path: string, query: ListQuery, rowSchema: S, signal?: AbortSignal): AsyncGenerator<Array<z.infer<S>>> {
    const hasExpand = query.expand !== undefined && query.expand.length > 0;
    const limit = Math.min(query.limit ?? (hasExpand ? 100 : 1000), 1000);
    let offset = query.offset ?? 0;
    const envelope = listOf(rowSchema);
    for (;;) {
      const body = await this.request('GET', path, { query: { ...query, limit, offset }, signal });
      const page = this.#parse(envelope, body, 'GET', path);
      const rows = page.rows as Array<z.infer<S>>;
      if (rows.length > 0) yield rows;
      offset += rows.length;
      if (rows.length === 0 || offset >= page.meta.size) return;
    }
  }

  /** All rows of a list (every page). */
  async listAll<S extends z.ZodType>(path: string, query: ListQuery, rowSchema: S, signal?: AbortSignal): Promise<Array<z.infer<S>>> {
    const all: Array<z.infer<S>> = [];
    for await (const rows of this.pages(path, query, rowSchema, signal)) all.push(...rows);
    return all;
  }

  /**
   * Creates many objects of `type` (`entity/<type>` or a full path such as
   * `entity/customerorder/<id>/positions`), split by 1000 items and by ~9 MB of JSON. Returns one
   * result per input item in input order: a per-item error is data, not a throw (MoySklad answers
   * 400 when some items fail and still saves the others).
   */
  async batchCreate<S extends z.ZodType>(type: string, items: readonly unknown[], schema: S, options: BatchOptions = {}): Promise<Array<BatchItemResult<z.infer<S>>>> {
    const path = type.includes('/') ? type : `entity/${type}`;
    const maxItems = Math.min(options.maxItems ?? MAX_BATCH_ITEMS, MAX_BATCH_ITEMS);
    const maxBytes = options.maxBytes ?? DEFAULT_BATCH_BYTES;
    const results: Array<BatchItemResult<z.infer<S>>> = [];
    for (const chunk of splitBatch(items, maxItems, maxBytes)) {
      const idempotent = options.idempotent ?? chunk.items.every(hasSyncId);
      const ex = await this.#send('POST', path, { body: chunk.items, signal: options.signal, idempotent, acceptBatchErrors: true, ...(options.query ? { query: options.query } : {}) });
      if (!Array.isArray(ex.body) || ex.body.length !== chunk.items.length) {
        throw new MoySkladBadResponseError(`Batch POST ${path} answered ${ex.status} without one result per item`, {
          status: ex.status,
          method: 'POST',
          path: this.#relPath(path),
        });
      }
      ex.body.forEach((row: unknown, i: number) => {
        const index = chunk.start + i;
        const err = errorBodySchema.safeParse(row);
        if (err.success) results.push({ index, ok: false, errors: err.data.errors.map((e) => this.#redactEntry(e)) });
        else results.push({ index, ok: true, entity: this.#parse(schema, row, 'POST', path) });
      });
    }
    return results;
  }

  // ---------------------------------------------------------------- auth

  /** `POST /security/token`: a new user token (MoySklad revokes the user's older ones). Accepts 200 or 201. */
  async issueToken(signal?: AbortSignal): Promise<string> {
    const body = await this.request('POST', 'security/token', { signal, idempotent: false });
    return this.#parse(tokenResponseSchema, body, 'POST', 'security/token').access_token;
  }

  /**
   * Checks that the credential works: resolves to the organizations, or throws a typed error that
   * says what is wrong — `MoySkladAuthError` with `reason` wrong_credentials/token_invalid (1056),
   * no_api_access (1061), too_many_attempts (1048); `moysklad_unreachable`, `moysklad_timeout`,
   * `moysklad_rate_limited`, `moysklad_server_error`. Retries only once so the answer is quick.
   */
  async checkCredentials(signal?: AbortSignal): Promise<MsOrganization[]> {
    const body = await this.request('GET', 'entity/organization', { signal, retries: 1 });
    return this.#parse(listOf(organizationSchema), body, 'GET', 'entity/organization').rows;
  }

  /** C10 `GET context/employee`: who this credential is and its rights (administrator, stock report, CRM). */
  async currentEmployee(signal?: AbortSignal): Promise<EmployeeRights> {
    const body = await this.request('GET', 'context/employee', { signal, retries: 1 });
    return employeeRights(this.#parse(contextEmployeeSchema, body, 'GET', 'context/employee'));
  }

  // ---------------------------------------------------------------- catalogue

  organizations(signal?: AbortSignal): Promise<MsOrganization[]> {
    return this.listAll('entity/organization', {}, organizationSchema, signal);
  }

  stores(signal?: AbortSignal): Promise<MsStore[]> {
    return this.listAll('entity/store', {}, storeSchema, signal);
  }

  /**
   * Every product folder (1 request per 1000). MoySklad lists archived folders only when asked:
   * `includeArchived` adds `filter=archived=true;archived=false` (the folder tree of C5 keeps them,
   * their goods stay in the subtree).
   */
  productFolders(signal?: AbortSignal, options: { includeArchived?: boolean } = {}): Promise<MsProductFolder[]> {
    return this.listAll('entity/productfolder', options.includeArchived ? { filter: 'archived=true;archived=false' } : {}, productFolderSchema, signal);
  }

  /**
   * Pages of products; `updatedSince` adds `updated>=<Moscow time>` (second precision, rounded down).
   * The default order `id` keeps offset paging stable while products change: an update does not move
   * a row (with `updated` order an edited row jumps to the end and shifts the rest left, so one row
   * would be skipped). Take the delta cursor as the maximum `updated` seen, not the last row's.
   */
  productPages(options: { updatedSince?: Date; filter?: Filter; order?: string; expand?: string; limit?: number; search?: string; signal?: AbortSignal } = {}): AsyncGenerator<MsProduct[]> {
    return this.pages('entity/product', this.#deltaQuery(options), productSchema, options.signal);
  }

  variantPages(options: { updatedSince?: Date; filter?: Filter; order?: string; expand?: string; limit?: number; signal?: AbortSignal } = {}): AsyncGenerator<MsVariant[]> {
    return this.pages('entity/variant', this.#deltaQuery(options), variantSchema, options.signal);
  }

  assortmentPages(options: { updatedSince?: Date; filter?: Filter; order?: string; limit?: number; signal?: AbortSignal } = {}): AsyncGenerator<MsAssortmentRow[]> {
    return this.pages('entity/assortment', this.#deltaQuery(options), assortmentRowSchema, options.signal);
  }

  getProduct(id: string, signal?: AbortSignal): Promise<MsProduct> {
    return this.get(`entity/product/${encodeURIComponent(id)}`, productSchema, undefined, signal);
  }

  productImages(productId: string, signal?: AbortSignal): Promise<MsImage[]> {
    return this.listAll(`entity/product/${encodeURIComponent(productId)}/images`, {}, imageSchema, signal);
  }

  async createProduct(product: MsProductCreate, signal?: AbortSignal): Promise<MsProduct> {
    const body = await this.request('POST', 'entity/product', { body: product, signal, idempotent: hasSyncId(product) });
    return this.#parse(productSchema, body, 'POST', 'entity/product');
  }

  createProducts(products: readonly MsProductCreate[], options?: BatchOptions): Promise<Array<BatchItemResult<MsProduct>>> {
    return this.batchCreate('product', products, productSchema, options);
  }

  /**
   * Downloads a file by its `downloadHref` (which must be on the API host): asks the API with
   * Authorization and `redirect:'manual'`, then fetches the short-lived `Location` WITHOUT
   * Authorization (the file host needs none and must never see the credential).
   */
  async downloadImage(downloadHref: string, signal?: AbortSignal): Promise<Buffer> {
    const first = await this.#send('GET', downloadHref, { signal, acceptRedirect: true, raw: true });
    if (first.status >= 200 && first.status < 300) return first.bytes;
    const location = first.headers.get('location');
    if (!location) {
      throw new MoySkladBadResponseError(`Download answered ${first.status} without a Location`, {
        status: first.status,
        method: 'GET',
        path: this.#relPath(downloadHref),
      });
    }
    return this.#fetchFile(new URL(location, this.#absUrl(downloadHref)).toString(), signal);
  }

  /**
   * Downloads a file-host URL (e.g. an image's `miniature.downloadHref`): fetched directly, WITHOUT
   * Authorization and outside the rate limiter, since it is no API request. A URL on the API host
   * is an API download and goes through `downloadImage` (with Authorization, through the limiter).
   */
  downloadFile(url: string, signal?: AbortSignal): Promise<Buffer> {
    const target = new URL(this.#absUrl(url));
    if (target.origin === this.#origin) return this.downloadImage(target.toString(), signal);
    return this.#fetchFile(target.toString(), signal);
  }

  // ---------------------------------------------------------------- counterparties

  /** Counterparties matching a filter, e.g. `[['inn','=','7736570901']]` or `[['phone','~','9123456789']]`. */
  findCounterparties(filter: Filter, signal?: AbortSignal): Promise<MsCounterparty[]> {
    return this.listAll('entity/counterparty', { filter }, counterpartySchema, signal);
  }

  counterpartyPages(options: { filter?: Filter; search?: string; order?: string; signal?: AbortSignal } = {}): AsyncGenerator<MsCounterparty[]> {
    return this.pages('entity/counterparty', { filter: options.filter, search: options.search, order: options.order }, counterpartySchema, options.signal);
  }

  async createCounterparty(counterparty: MsCounterpartyCreate, signal?: AbortSignal): Promise<MsCounterparty> {
    const body = await this.request('POST', 'entity/counterparty', { body: counterparty, signal, idempotent: hasSyncId(counterparty) });
    return this.#parse(counterpartySchema, body, 'POST', 'entity/counterparty');
  }

  /** C11 `PUT entity/counterparty/{id}` with only the named fields (a partial update; safe to repeat). */
  async updateCounterparty(id: string, patch: MsCounterpartyUpdate, signal?: AbortSignal): Promise<MsCounterparty> {
    const path = `entity/counterparty/${encodeURIComponent(id)}`;
    const body = await this.request('PUT', path, { body: patch, signal, idempotent: true });
    return this.#parse(counterpartySchema, body, 'PUT', path);
  }

  // ---------------------------------------------------------------- orders

  /**
   * Creates a customer or purchase order; with a `syncId` the create is idempotent and retried safely.
   * `expand: 'positions'` returns the positions (and their ids) in the same answer.
   */
  async createOrder<T extends OrderType>(type: T, order: MsOrderCreate, signal?: AbortSignal, options: { expand?: string } = {}): Promise<OrderOf<T>> {
    const body = await this.request('POST', `entity/${type}`, { body: order, signal, idempotent: hasSyncId(order), ...(options.expand ? { query: { expand: options.expand } } : {}) });
    return this.#parse(orderSchema(type), body, 'POST', `entity/${type}`) as OrderOf<T>;
  }

  /**
   * P2 Creates many customer or purchase orders in array POSTs (≤ 1000 orders and under the size cap
   * each, `batchCreate`), their positions expanded in the answer. One result per order in input
   * order; a per-item error is data. With a `syncId` on every order a re-sent batch returns the
   * orders MoySklad already has instead of creating them again.
   */
  createOrders<T extends OrderType>(type: T, orders: readonly MsOrderCreate[], options: BatchOptions = {}): Promise<Array<BatchItemResult<OrderOf<T>>>> {
    return this.batchCreate(type, orders, orderSchema(type), { query: { expand: 'positions' }, ...options }) as Promise<Array<BatchItemResult<OrderOf<T>>>>;
  }

  /** `PUT entity/{type}/{id}` of the order's comment only (safe to repeat). */
  async updateOrderDescription<T extends OrderType>(type: T, id: string, description: string, signal?: AbortSignal): Promise<OrderOf<T>> {
    const path = `entity/${type}/${encodeURIComponent(id)}`;
    const body = await this.request('PUT', path, { body: { description }, signal, idempotent: true });
    return this.#parse(orderSchema(type), body, 'PUT', path) as OrderOf<T>;
  }

  async getOrder<T extends OrderType>(type: T, id: string, options: { expand?: string; signal?: AbortSignal } = {}): Promise<OrderOf<T>> {
    const query = options.expand ? { expand: options.expand } : undefined;
    return (await this.get(`entity/${type}/${encodeURIComponent(id)}`, orderSchema(type), query, options.signal)) as OrderOf<T>;
  }

  /** Orders matching a filter (e.g. `[['externalCode','=','shop-10523']]`). */
  findOrders<T extends OrderType>(type: T, filter: Filter, signal?: AbortSignal): Promise<Array<OrderOf<T>>> {
    return this.listAll(`entity/${type}`, { filter }, orderSchema(type), signal) as Promise<Array<OrderOf<T>>>;
  }

  orderPositions(type: OrderType, orderId: string, signal?: AbortSignal): Promise<MsPosition[]> {
    return this.listAll(`entity/${type}/${encodeURIComponent(orderId)}/positions`, {}, positionSchema, signal);
  }

  /** Adds positions (always POSTs an array, so the answer is an array). Not retried on 5xx (it would duplicate). */
  async addPositions(type: OrderType, orderId: string, positions: readonly MsPositionCreate[], signal?: AbortSignal): Promise<MsPosition[]> {
    const path = `entity/${type}/${encodeURIComponent(orderId)}/positions`;
    const out: MsPosition[] = [];
    for (const chunk of splitBatch(positions, MAX_BATCH_ITEMS, DEFAULT_BATCH_BYTES)) {
      const body = await this.request('POST', path, { body: chunk.items, signal, idempotent: false });
      const rows = Array.isArray(body) ? body : [body];
      for (const row of rows) out.push(this.#parse(positionSchema, row, 'POST', path));
    }
    return out;
  }

  async updatePosition(type: OrderType, orderId: string, positionId: string, patch: Partial<MsPositionCreate>, signal?: AbortSignal): Promise<MsPosition> {
    const path = `entity/${type}/${encodeURIComponent(orderId)}/positions/${encodeURIComponent(positionId)}`;
    const body = await this.request('PUT', path, { body: patch, signal });
    return this.#parse(positionSchema, body, 'PUT', path);
  }

  /** `DELETE /entity/{type}/{id}` (C6). An order already gone answers 404 (`MoySkladNotFoundError`). */
  async deleteOrder(type: OrderType, orderId: string, signal?: AbortSignal): Promise<void> {
    await this.request('DELETE', `entity/${type}/${encodeURIComponent(orderId)}`, { signal });
  }

  async deletePosition(type: OrderType, orderId: string, positionId: string, signal?: AbortSignal): Promise<void> {
    await this.request('DELETE', `entity/${type}/${encodeURIComponent(orderId)}/positions/${encodeURIComponent(positionId)}`, { signal });
  }

  // ---------------------------------------------------------------- stock

  /** `report/stock/bystore/current`: one unpaged call at normal weight; `value` is the stockType's figure. */
  async stockByStoreCurrent(query: StockCurrentQuery & { storeId?: string } = {}, signal?: AbortSignal): Promise<StockCurrentRow[]> {
    const filter: string[] = [];
    if (query.storeId) filter.push(`storeId=${query.storeId}`);
    return this.#stockCurrent('report/stock/bystore/current', query, filter, signal);
  }

  /** `report/stock/all/current`: totals over all stores. */
  async stockAllCurrent(query: StockCurrentQuery = {}, signal?: AbortSignal): Promise<StockCurrentRow[]> {
    return this.#stockCurrent('report/stock/all/current', query, [], signal);
  }

  /** Pages of `report/stock/all` (5 units per page). */
  stockAll(query: ListQuery = {}, signal?: AbortSignal): AsyncGenerator<MsStockAllRow[]> {
    return this.pages('report/stock/all', query, stockAllRowSchema, signal);
  }

  /** Pages of `report/stock/bystore` (5 units per page). */
  stockByStore(query: ListQuery = {}, signal?: AbortSignal): AsyncGenerator<MsStockByStoreRow[]> {
    return this.pages('report/stock/bystore', query, stockByStoreRowSchema, signal);
  }

  // ---------------------------------------------------------------- counterparty report (CRM tariffs only)

  /** Balances of a set of counterparties: `POST report/counterparty`, split by 1000 ids. */
  async counterpartyReport(counterpartyIds: readonly string[], signal?: AbortSignal): Promise<MsCounterpartyReportRow[]> {
    const out: MsCounterpartyReportRow[] = [];
    for (let i = 0; i < counterpartyIds.length; i += MAX_BATCH_ITEMS) {
      const ids = counterpartyIds.slice(i, i + MAX_BATCH_ITEMS);
      const body = await this.request('POST', 'report/counterparty', {
        body: { counterparties: ids.map((id) => ({ counterparty: { meta: { href: `${this.baseUrl}/entity/counterparty/${id}`, type: 'counterparty', mediaType: 'application/json' } } })) },
        signal,
        idempotent: true,
      });
      const rows = Array.isArray(body) ? body : this.#parse(listOf(counterpartyReportRowSchema), body, 'POST', 'report/counterparty').rows;
      for (const row of rows) out.push(this.#parse(counterpartyReportRowSchema, row, 'POST', 'report/counterparty'));
    }
    return out;
  }

  counterpartyReportById(counterpartyId: string, signal?: AbortSignal): Promise<MsCounterpartyReportRow> {
    return this.get(`report/counterparty/${encodeURIComponent(counterpartyId)}`, counterpartyReportRowSchema, undefined, signal);
  }

  counterpartyReportPages(query: ListQuery = {}, signal?: AbortSignal): AsyncGenerator<MsCounterpartyReportRow[]> {
    return this.pages('report/counterparty', query, counterpartyReportRowSchema, signal);
  }

  // ---------------------------------------------------------------- webhooks

  webhooks(signal?: AbortSignal): Promise<MsWebhook[]> {
    return this.listAll('entity/webhook', {}, webhookSchema, signal);
  }

  async createWebhook(webhook: MsWebhookCreate, signal?: AbortSignal): Promise<MsWebhook> {
    const body = await this.request('POST', 'entity/webhook', { body: webhook, signal, idempotent: false });
    return this.#parse(webhookSchema, body, 'POST', 'entity/webhook');
  }

  async deleteWebhook(id: string, signal?: AbortSignal): Promise<void> {
    await this.request('DELETE', `entity/webhook/${encodeURIComponent(id)}`, { signal });
  }

  stockWebhooks(signal?: AbortSignal): Promise<MsWebhookStock[]> {
    return this.listAll('entity/webhookstock', {}, webhookStockSchema, signal);
  }

  async createStockWebhook(webhook: { url: string; reportType: 'all' | 'bystore'; stockType?: 'stock' }, signal?: AbortSignal): Promise<MsWebhookStock> {
    const body = await this.request('POST', 'entity/webhookstock', { body: { stockType: 'stock', ...webhook }, signal, idempotent: false });
    return this.#parse(webhookStockSchema, body, 'POST', 'entity/webhookstock');
  }

  async deleteStockWebhook(id: string, signal?: AbortSignal): Promise<void> {
    await this.request('DELETE', `entity/webhookstock/${encodeURIComponent(id)}`, { signal });
  }

  // ---------------------------------------------------------------- internals

  #deltaQuery(options: { updatedSince?: Date; filter?: Filter; order?: string; expand?: string; limit?: number; search?: string }): ListQuery {
    const conditions: string[] = [];
    if (options.updatedSince) conditions.push(`updated>=${formatMoscow(options.updatedSince, false)}`);
    if (options.filter) {
      const text = buildFilter(options.filter);
      if (text) conditions.push(text);
    }
    return {
      filter: conditions.length ? conditions.join(';') : undefined,
      order: options.order ?? 'id',
      expand: options.expand,
      limit: options.limit,
      search: options.search,
    };
  }

  async #stockCurrent(path: string, query: StockCurrentQuery, filter: string[], signal: AbortSignal | undefined): Promise<StockCurrentRow[]> {
    const stockType = query.stockType ?? 'stock';
    if (query.assortmentIds?.length) filter.unshift(`assortmentId=${query.assortmentIds.join(',')}`);
    const body = await this.request('GET', path, {
      query: {
        stockType,
        include: query.includeZeroLines ? 'zeroLines' : undefined,
        changedSince: query.changedSince ? formatMoscow(query.changedSince, false) : undefined,
        filter: filter.length ? filter.join(';') : undefined,
      },
      signal,
    });
    const rows = this.#parse(stockCurrentRowsSchema, body, 'GET', path);
    return rows.map((r) => {
      const v = (r as Record<string, unknown>)[stockType];
      if (v !== null && v !== undefined && typeof v !== 'number') {
        throw new MoySkladBadResponseError(`${path}: ${stockType} of ${r.assortmentId} is not a number`, { status: 200, method: 'GET', path });
      }
      return { assortmentId: r.assortmentId, storeId: r.storeId, value: v ?? null } satisfies StockCurrentRow;
    });
  }

  #parse<S extends z.ZodType>(schema: S, body: unknown, method: string, path: string): z.infer<S> {
    const r = schema.safeParse(body);
    if (r.success) return r.data;
    const issues = r.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: this.#redact(i.message) }));
    throw new MoySkladBadResponseError(
      `MoySklad answered ${method} ${this.#relPath(path)} with an unexpected shape: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`,
      { status: 200, method, path: this.#relPath(path), errors: [] },
    );
  }

  /** Removes every copy of the credential from a text. */
  #redact(text: string): string {
    let out = text;
    for (const s of this.#secrets) if (out.includes(s)) out = out.split(s).join('***');
    return out;
  }

  #redactEntry(e: MsErrorEntry): MsErrorEntry {
    const copy: MsErrorEntry = { ...e };
    for (const [k, v] of Object.entries(copy)) if (typeof v === 'string') (copy as Record<string, unknown>)[k] = this.#redact(v);
    return copy;
  }

  /** An absolute URL for a path relative to the base, or for a full href (which must be on the API origin). */
  #absUrl(pathOrHref: string): string {
    if (/^https?:\/\//i.test(pathOrHref)) return pathOrHref;
    return `${this.baseUrl}/${pathOrHref.replace(/^\/+/, '')}`;
  }

  /** The path relative to the API base, without the query string (for errors, logs and weights). */
  #relPath(pathOrHref: string): string {
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

  async #send(method: string, pathOrHref: string, options: SendOptions): Promise<Exchange> {
    let url = this.#absUrl(pathOrHref) + buildQuery(options.query);
    if (new URL(url).origin !== this.#origin) {
      // Never send the credential anywhere but the API host.
      throw new MoySkladError('moysklad_request_failed', `Refusing to send credentials to another host than ${this.#origin}`, {
        status: 0,
        method,
        path: this.#relPath(pathOrHref),
      });
    }
    const path = this.#relPath(pathOrHref);
    const bodyText = options.body === undefined ? undefined : JSON.stringify(options.body);
    const idempotent = options.idempotent ?? (method === 'POST' ? hasSyncId(options.body) : method !== 'PATCH');
    const maxRetries = options.retries ?? this.#maxRetries;
    let retries = 0;
    let rateLimitedRetries = 0;
    let redirects = 0;
    for (let attempt = 0; ; attempt++) {
      const weight = requestWeight(this.#authKind, path, this.#clock.nowMs());
      // Throws only when the caller aborts; every other failure comes back as an error value.
      let result: Exchange | MoySkladError = await this.#attempt(method, url, path, bodyText, weight, attempt, options);
      if (!(result instanceof MoySkladError)) {
        const ex = result;
        if (ex.status >= 200 && ex.status < 300) return ex;
        if (REDIRECTS.has(ex.status)) {
          if (options.acceptRedirect) return ex;
          const location = ex.headers.get('location');
          if (location && redirects < 3 && new URL(location, url).origin === this.#origin) {
            redirects += 1;
            url = new URL(location, url).toString();
            continue;
          }
        }
        if (options.acceptBatchErrors && Array.isArray(ex.body) && ex.status >= 400 && ex.status < 500 && ex.status !== 429) return ex;
        result = this.#httpError(method, path, ex);
      }
      const err = result;
      if (err instanceof MoySkladRateLimitError) {
        if (rateLimitedRetries < this.#max429Retries) {
          rateLimitedRetries += 1;
          this.#stats.retries += 1;
          this.#logger?.warn({ method, path, msCode: err.msCode, retryAfterMs: err.retryAfterMs }, 'moysklad rate limited; waiting');
          continue; // the limiter has learned from the 429 and paces the re-send
        }
        throw err;
      }
      if (err.retryable && idempotent && retries < maxRetries) {
        retries += 1;
        this.#stats.retries += 1;
        const delay = this.#backoff(retries);
        this.#logger?.warn({ method, path, status: err.status, code: err.code, attempt, delayMs: Math.round(delay) }, 'moysklad request failed; retrying');
        await this.#clock.sleep(delay, options.signal);
        continue;
      }
      this.#logger?.warn({ method, path, status: err.status, code: err.code, msCode: err.msCode }, 'moysklad request failed');
      throw err;
    }
  }

  #backoff(retry: number): number {
    const ceiling = Math.min(this.#backoffCapMs, this.#backoffBaseMs * 2 ** (retry - 1));
    return this.#random() * ceiling;
  }

  /** One exchange: limiter slot, fetch with timeout, body decoding. Network failures come back as errors. */
  async #attempt(method: string, url: string, path: string, bodyText: string | undefined, weight: number, attempt: number, options: SendOptions): Promise<Exchange | MoySkladError> {
    const signal = options.signal;
    const release = await this.#limiter.acquire(weight, signal);
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
    const requested = method === 'GET' ? (options.headers ?? {}) : { ...this.#writeHeaders, ...(options.headers ?? {}) };
    const extra = Object.fromEntries(Object.entries(requested).filter(([k]) => !RESERVED_HEADERS.has(k.toLowerCase())));
    const headers: Record<string, string> = {
      ...extra,
      Authorization: this.#authHeader,
      'Accept-Encoding': 'gzip',
      Accept: 'application/json;charset=utf-8',
      'User-Agent': USER_AGENT,
    };
    if (bodyText !== undefined) headers['Content-Type'] = 'application/json;charset=utf-8';
    const event = (partial: Pick<RequestEvent, 'status' | 'msCode' | 'outcome' | 'bytesReceived'>): void => {
      const e: RequestEvent = { method, path, attempt, weight, durationMs: this.#clock.nowMs() - started, bytesSent, ...partial };
      this.#logger?.debug({ ...e }, 'moysklad request');
      try {
        this.#onRequest?.(e);
      } catch (err) {
        this.#logger?.error({ err: errorMessage(err) }, 'onRequest hook threw');
      }
    };
    let response: Response;
    let bytes: Buffer;
    try {
      response = await this.#fetch(url, { method, headers, body: bodyText, signal: controller.signal, redirect: 'manual' });
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
      const why = this.#redact(errorMessage(e) + (e instanceof Error && e.cause ? `: ${errorMessage(e.cause)}` : ''));
      return new MoySkladNetworkError(`MoySklad is unreachable (${method} ${path}): ${why}`, { method, path });
    } finally {
      timer.abort();
      signal?.removeEventListener('abort', onCallerAbort);
    }
    this.#stats.responses += 1;
    this.#stats.bytesReceived += bytes.length;
    let body: unknown = undefined;
    let parseFailed = false;
    if (!options.raw || response.status >= 400) {
      if (isGzip(bytes)) {
        try {
          bytes = gunzipSync(bytes);
        } catch {
          parseFailed = true;
        }
      }
      if (bytes.length > 0 && !parseFailed) {
        try {
          body = JSON.parse(bytes.toString('utf8'));
        } catch {
          parseFailed = true;
        }
      }
    }
    const errBody = errorBodySchema.safeParse(body);
    const errors = errBody.success ? errBody.data.errors.map((e) => this.#redactEntry(e)) : [];
    const msCode = errors[0]?.code;
    release({ status: response.status, headers: response.headers, msCode });
    const status = response.status;
    const outcome: RequestOutcome = status === 429 ? 'rate_limited' : status >= 500 ? 'server_error' : status >= 400 ? 'http_error' : 'ok';
    if (status === 429) {
      const key = msCode === 1049 || msCode === 1073 ? String(msCode) : 'other';
      this.#stats.rateLimited[key] = (this.#stats.rateLimited[key] ?? 0) + 1;
      this.#stats.rateLimitedTotal += 1;
    }
    if (status >= 500) this.#stats.serverErrors += 1;
    event({ status, msCode, outcome, bytesReceived: bytes.length });
    if (parseFailed && status >= 200 && status < 300) {
      return new MoySkladBadResponseError(`MoySklad answered ${method} ${path} with a body that is not JSON`, { status, method, path });
    }
    return { status, headers: response.headers, bytes, body, msCode, errors };
  }

  #httpError(method: string, path: string, ex: Exchange): MoySkladError {
    const { status, msCode, errors } = ex;
    const what = errors.length ? errors.map((e) => (e.code ? `${e.error} (${e.code})` : e.error)).join('; ') : `HTTP ${status}`;
    const init = { status, msCode, method, path, errors };
    const text = `MoySklad ${method} ${path} failed: ${what}`;
    if (status === 429) {
      const ra = Number(ex.headers.get('x-lognex-retry-after'));
      return new MoySkladRateLimitError(text, { ...init, retryAfterMs: Number.isFinite(ra) && ra > 0 ? ra : undefined });
    }
    if (status === 401 || msCode === 1056 || msCode === 1061 || msCode === 1048) {
      const reason: AuthFailureReason =
        msCode === 1061
          ? 'no_api_access'
          : msCode === 1048
            ? 'too_many_attempts'
            : this.#credentials.kind === 'token'
              ? 'token_invalid'
              : 'wrong_credentials';
      const explain: Record<AuthFailureReason, string> = {
        wrong_credentials: 'wrong login or password',
        token_invalid: 'the token is invalid or was revoked (a newer token was issued)',
        no_api_access: 'the user has no API access (enable it in the user settings)',
        too_many_attempts: 'too many failed login attempts; wait before trying again',
        blocked: 'the user or account is blocked',
      };
      return new MoySkladAuthError(`MoySklad authentication failed: ${explain[reason]} — ${what}`, reason, init);
    }
    if (status === 404) return new MoySkladNotFoundError(text, init);
    if (status >= 500) return new MoySkladServerError(text, init);
    if (status === 403) return new MoySkladError('moysklad_forbidden', text, init);
    return new MoySkladError('moysklad_request_failed', text, init);
  }

  /** GET a file from the storage host: no Authorization, manual redirects, retries on 5xx/network. */
  async #fetchFile(url: string, signal: AbortSignal | undefined): Promise<Buffer> {
    let target = url;
    for (let attempt = 0, hops = 0; ; attempt++) {
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
          attempt -= 1;
          continue;
        }
        const init = { status: res.status, method: 'GET', path: new URL(target).pathname };
        failure = res.status >= 500 ? new MoySkladServerError(`File host answered ${res.status}`, init) : new MoySkladError('moysklad_request_failed', `File host answered ${res.status}`, init);
      } catch (e) {
        if (signal?.aborted) throw signal.reason;
        failure = new MoySkladNetworkError(`File host unreachable: ${this.#redact(errorMessage(e))}`, { method: 'GET', path: '(file)' });
      }
      if (!failure.retryable || attempt >= this.#maxRetries) throw failure;
      this.#stats.retries += 1;
      await this.#clock.sleep(this.#backoff(attempt + 1), signal);
    }
  }
}

function orderSchema(type: OrderType): typeof customerOrderSchema | typeof purchaseOrderSchema {
  return type === 'customerorder' ? customerOrderSchema : purchaseOrderSchema;
}

function hasSyncId(body: unknown): boolean {
  if (Array.isArray(body)) return body.length > 0 && body.every(hasSyncId);
  return typeof body === 'object' && body !== null && typeof (body as { syncId?: unknown }).syncId === 'string';
}

/** Splits items into chunks of at most `maxItems` and at most `maxBytes` of JSON (an array's brackets and commas included). */
export function splitBatch<T>(items: readonly T[], maxItems: number, maxBytes: number): Array<{ start: number; items: T[] }> {
  const chunks: Array<{ start: number; items: T[] }> = [];
  let current: T[] = [];
  let start = 0;
  let bytes = 2;
  items.forEach((item, i) => {
    const size = Buffer.byteLength(JSON.stringify(item)) + 1;
    if (current.length > 0 && (current.length >= maxItems || bytes + size > maxBytes)) {
      chunks.push({ start, items: current });
      current = [];
      start = i;
      bytes = 2;
    }
    current.push(item);
    bytes += size;
  });
  if (current.length) chunks.push({ start, items: current });
  return chunks;
}
