/**
 * @module moysklad/client
 * The one typed MoySklad JSON API 1.2 client every sync uses; one instance per credential.
 *
 * A facade: `MoySkladClient` composes the transport (`transport.ts`: fetch, gzip, auth, limiter,
 * stats, redaction, typed errors), the retry decision (`retry.ts`), paging and batches (`lists.ts`)
 * and the endpoint modules (`endpoints/*.ts`), and keeps one method per endpoint so callers need
 * only the client. See docs/moysklad-client.md.
 */
import type { z } from 'zod';
import * as catalog from './endpoints/catalog.js';
import * as context from './endpoints/context.js';
import * as counterparties from './endpoints/counterparties.js';
import * as orders from './endpoints/orders.js';
import * as reports from './endpoints/reports.js';
import * as stock from './endpoints/stock.js';
import * as hooks from './endpoints/webhooks.js';
import { AdaptiveLimiter, type AuthKind, type RequestLimiter } from './limiter.js';
import { batchCreate, listAll, pages } from './lists.js';
import type { Filter, ListQuery } from './query.js';
import type { MsAssortmentRow } from './schemas/assortment.js';
import type { MsCounterparty, MsCounterpartyCreate, MsCounterpartyUpdate } from './schemas/counterparty.js';
import type { MsCounterpartyReportRow } from './schemas/counterparty-report.js';
import type { EmployeeRights } from './schemas/employee.js';
import type { MsImage } from './schemas/image.js';
import type { MsOrderCreate, MsPosition, MsPositionCreate } from './schemas/order.js';
import type { MsOrganization } from './schemas/organization.js';
import type { MsProduct, MsProductCreate } from './schemas/product.js';
import type { MsProductFolder } from './schemas/productfolder.js';
import type { MsStockAllRow, MsStockByStoreRow, StockCurrentRow } from './schemas/stock.js';
import type { MsStore } from './schemas/store.js';
import type { MsVariant } from './schemas/variant.js';
import type { MsWebhook, MsWebhookCreate, MsWebhookStock } from './schemas/webhook.js';
import { MoySkladTransport } from './transport.js';
import type { BatchItemResult, BatchOptions, MoySkladClientOptions, MoySkladClientStats, OrderOf, OrderType, RequestOptions, StockCurrentQuery } from './types.js';

export { splitBatch } from './lists.js';
export { USER_AGENT } from './types.js';
export type {
  BatchItemResult,
  BatchOptions,
  MoySkladClientOptions,
  MoySkladClientStats,
  MoySkladCredentials,
  MoySkladLogger,
  OrderType,
  RequestEvent,
  RequestOptions,
  RequestOutcome,
  StockCurrentQuery,
} from './types.js';

export class MoySkladClient {
  readonly baseUrl: string;
  readonly #t: MoySkladTransport;

  constructor(options: MoySkladClientOptions) {
    this.#t = new MoySkladTransport(options);
    this.baseUrl = this.#t.baseUrl;
  }

  /** The kind of credential this client uses (it decides the weight of each request). */
  get authKind(): AuthKind {
    return this.#t.authKind;
  }

  /** The limiter in use (to share it with another client of the same credential). */
  get limiter(): RequestLimiter {
    return this.#t.limiter;
  }

  /** How many requests this client may have in flight at most (its limiter's parallel cap; 4 for a custom limiter). */
  get maxParallel(): number {
    const limiter = this.#t.limiter;
    return limiter instanceof AdaptiveLimiter ? limiter.maxConcurrency : 4;
  }

  /** Counters since the client was made. */
  stats(): MoySkladClientStats {
    return this.#t.stats();
  }

  // ---------------------------------------------------------------- low level

  /** Sends one request; resolves to the parsed JSON, or undefined for an empty body. */
  request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    return this.#t.request<T>(method, path, options);
  }

  /** GET and validate with `schema`. */
  get<S extends z.ZodType>(path: string, schema: S, query?: ListQuery, signal?: AbortSignal): Promise<z.infer<S>> {
    return this.#t.get(path, schema, query, signal);
  }

  /** Pages through a list (1000 rows a page, 100 with `expand`), following `meta.size` and `offset`. */
  pages<S extends z.ZodType>(path: string, query: ListQuery, rowSchema: S, signal?: AbortSignal): AsyncGenerator<Array<z.infer<S>>> {
    return pages(this.#t, path, query, rowSchema, signal);
  }

  /** All rows of a list (every page). */
  listAll<S extends z.ZodType>(path: string, query: ListQuery, rowSchema: S, signal?: AbortSignal): Promise<Array<z.infer<S>>> {
    return listAll(this.#t, path, query, rowSchema, signal);
  }

  /** Creates many objects split by 1000 items and ~9 MB; one result per input item (a per-item error is data). */
  batchCreate<S extends z.ZodType>(type: string, items: readonly unknown[], schema: S, options: BatchOptions = {}): Promise<Array<BatchItemResult<z.infer<S>>>> {
    return batchCreate(this.#t, type, items, schema, options);
  }

  // ---------------------------------------------------------------- context (endpoints/context.ts)

  /** `POST /security/token`: a new user token (MoySklad revokes the user's older ones). */
  issueToken(signal?: AbortSignal): Promise<string> {
    return context.issueToken(this.#t, signal);
  }

  /**
   * Checks that the credential works: resolves to the organizations, or throws a typed error that
   * says what is wrong — `MoySkladAuthError` with `reason` wrong_credentials/token_invalid (1056),
   * no_api_access (1061), too_many_attempts (1048); `moysklad_unreachable`, `moysklad_timeout`,
   * `moysklad_rate_limited`, `moysklad_server_error`. Retries only once so the answer is quick.
   */
  checkCredentials(signal?: AbortSignal): Promise<MsOrganization[]> {
    return context.checkCredentials(this.#t, signal);
  }

  /** C10 `GET context/employee`: who this credential is and its rights (administrator, stock report, CRM). */
  currentEmployee(signal?: AbortSignal): Promise<EmployeeRights> {
    return context.currentEmployee(this.#t, signal);
  }

  // ---------------------------------------------------------------- catalogue (endpoints/catalog.ts)

  organizations(signal?: AbortSignal): Promise<MsOrganization[]> {
    return catalog.organizations(this.#t, signal);
  }

  stores(signal?: AbortSignal): Promise<MsStore[]> {
    return catalog.stores(this.#t, signal);
  }

  /** Every product folder; `includeArchived` lists archived ones too (the C5 folder tree keeps them). */
  productFolders(signal?: AbortSignal, options: { includeArchived?: boolean } = {}): Promise<MsProductFolder[]> {
    return catalog.productFolders(this.#t, signal, options);
  }

  /**
   * Pages of products; `updatedSince` adds `updated>=<Moscow time>` (second precision, rounded down).
   * The default order `id` keeps offset paging stable while products change: an update does not move
   * a row (with `updated` order an edited row jumps to the end and shifts the rest left, so one row
   * would be skipped). Take the delta cursor as the maximum `updated` seen, not the last row's.
   */
  productPages(options: catalog.DeltaOptions = {}): AsyncGenerator<MsProduct[]> {
    return catalog.productPages(this.#t, options);
  }

  variantPages(options: { updatedSince?: Date; filter?: Filter; order?: string; expand?: string; limit?: number; signal?: AbortSignal } = {}): AsyncGenerator<MsVariant[]> {
    return catalog.variantPages(this.#t, options);
  }

  assortmentPages(options: { updatedSince?: Date; filter?: Filter; order?: string; limit?: number; signal?: AbortSignal } = {}): AsyncGenerator<MsAssortmentRow[]> {
    return catalog.assortmentPages(this.#t, options);
  }

  getProduct(id: string, signal?: AbortSignal): Promise<MsProduct> {
    return catalog.getProduct(this.#t, id, signal);
  }

  productImages(productId: string, signal?: AbortSignal): Promise<MsImage[]> {
    return catalog.productImages(this.#t, productId, signal);
  }

  createProduct(product: MsProductCreate, signal?: AbortSignal): Promise<MsProduct> {
    return catalog.createProduct(this.#t, product, signal);
  }

  createProducts(products: readonly MsProductCreate[], options?: BatchOptions): Promise<Array<BatchItemResult<MsProduct>>> {
    return catalog.createProducts(this.#t, products, options);
  }

  /** Downloads a file by its `downloadHref` (API host, with Authorization), then its `Location` WITHOUT Authorization. */
  downloadImage(downloadHref: string, signal?: AbortSignal): Promise<Buffer> {
    return catalog.downloadImage(this.#t, downloadHref, signal);
  }

  /** Downloads a file-host URL directly (no Authorization, outside the limiter); an API-host URL goes through `downloadImage`. */
  downloadFile(url: string, signal?: AbortSignal): Promise<Buffer> {
    return catalog.downloadFile(this.#t, url, signal);
  }

  // ---------------------------------------------------------------- counterparties (endpoints/counterparties.ts)

  /** Counterparties matching a filter, e.g. `[['inn','=','7736570901']]` or `[['phone','~','9123456789']]`. */
  findCounterparties(filter: Filter, signal?: AbortSignal): Promise<MsCounterparty[]> {
    return counterparties.findCounterparties(this.#t, filter, signal);
  }

  counterpartyPages(options: { filter?: Filter; search?: string; order?: string; signal?: AbortSignal } = {}): AsyncGenerator<MsCounterparty[]> {
    return counterparties.counterpartyPages(this.#t, options);
  }

  createCounterparty(counterparty: MsCounterpartyCreate, signal?: AbortSignal): Promise<MsCounterparty> {
    return counterparties.createCounterparty(this.#t, counterparty, signal);
  }

  /** C11 `PUT entity/counterparty/{id}` with only the named fields (a partial update; safe to repeat). */
  updateCounterparty(id: string, patch: MsCounterpartyUpdate, signal?: AbortSignal): Promise<MsCounterparty> {
    return counterparties.updateCounterparty(this.#t, id, patch, signal);
  }

  // ---------------------------------------------------------------- orders (endpoints/orders.ts)

  /** Creates a customer or purchase order; with a `syncId` the create is idempotent and retried safely. */
  createOrder<T extends OrderType>(type: T, order: MsOrderCreate, signal?: AbortSignal): Promise<OrderOf<T>> {
    return orders.createOrder(this.#t, type, order, signal);
  }

  getOrder<T extends OrderType>(type: T, id: string, options: { expand?: string; signal?: AbortSignal } = {}): Promise<OrderOf<T>> {
    return orders.getOrder(this.#t, type, id, options);
  }

  /** Orders matching a filter (e.g. `[['externalCode','=','shop-10523']]`). */
  findOrders<T extends OrderType>(type: T, filter: Filter, signal?: AbortSignal): Promise<Array<OrderOf<T>>> {
    return orders.findOrders(this.#t, type, filter, signal);
  }

  orderPositions(type: OrderType, orderId: string, signal?: AbortSignal): Promise<MsPosition[]> {
    return orders.orderPositions(this.#t, type, orderId, signal);
  }

  /** Adds positions (always POSTs an array, so the answer is an array). Not retried on 5xx (it would duplicate). */
  addPositions(type: OrderType, orderId: string, positions: readonly MsPositionCreate[], signal?: AbortSignal): Promise<MsPosition[]> {
    return orders.addPositions(this.#t, type, orderId, positions, signal);
  }

  updatePosition(type: OrderType, orderId: string, positionId: string, patch: Partial<MsPositionCreate>, signal?: AbortSignal): Promise<MsPosition> {
    return orders.updatePosition(this.#t, type, orderId, positionId, patch, signal);
  }

  /** `DELETE /entity/{type}/{id}` (C6). An order already gone answers 404 (`MoySkladNotFoundError`). */
  deleteOrder(type: OrderType, orderId: string, signal?: AbortSignal): Promise<void> {
    return orders.deleteOrder(this.#t, type, orderId, signal);
  }

  deletePosition(type: OrderType, orderId: string, positionId: string, signal?: AbortSignal): Promise<void> {
    return orders.deletePosition(this.#t, type, orderId, positionId, signal);
  }

  // ---------------------------------------------------------------- stock (endpoints/stock.ts)

  /** `report/stock/bystore/current`: one unpaged call at normal weight; `value` is the stockType's figure. */
  stockByStoreCurrent(query: StockCurrentQuery & { storeId?: string } = {}, signal?: AbortSignal): Promise<StockCurrentRow[]> {
    return stock.stockByStoreCurrent(this.#t, query, signal);
  }

  /** `report/stock/all/current`: totals over all stores. */
  stockAllCurrent(query: StockCurrentQuery = {}, signal?: AbortSignal): Promise<StockCurrentRow[]> {
    return stock.stockAllCurrent(this.#t, query, signal);
  }

  /** Pages of `report/stock/all` (5 units per page). */
  stockAll(query: ListQuery = {}, signal?: AbortSignal): AsyncGenerator<MsStockAllRow[]> {
    return stock.stockAll(this.#t, query, signal);
  }

  /** Pages of `report/stock/bystore` (5 units per page). */
  stockByStore(query: ListQuery = {}, signal?: AbortSignal): AsyncGenerator<MsStockByStoreRow[]> {
    return stock.stockByStore(this.#t, query, signal);
  }

  // ---------------------------------------------------------------- counterparty report (endpoints/reports.ts; CRM tariffs only)

  /** Balances of a set of counterparties: `POST report/counterparty`, split by 1000 ids. */
  counterpartyReport(counterpartyIds: readonly string[], signal?: AbortSignal): Promise<MsCounterpartyReportRow[]> {
    return reports.counterpartyReport(this.#t, counterpartyIds, signal);
  }

  counterpartyReportById(counterpartyId: string, signal?: AbortSignal): Promise<MsCounterpartyReportRow> {
    return reports.counterpartyReportById(this.#t, counterpartyId, signal);
  }

  counterpartyReportPages(query: ListQuery = {}, signal?: AbortSignal): AsyncGenerator<MsCounterpartyReportRow[]> {
    return reports.counterpartyReportPages(this.#t, query, signal);
  }

  // ---------------------------------------------------------------- webhooks (endpoints/webhooks.ts)

  webhooks(signal?: AbortSignal): Promise<MsWebhook[]> {
    return hooks.webhooks(this.#t, signal);
  }

  createWebhook(webhook: MsWebhookCreate, signal?: AbortSignal): Promise<MsWebhook> {
    return hooks.createWebhook(this.#t, webhook, signal);
  }

  /** Turns a disabled webhook back on (`PUT {enabled:true}`). */
  enableWebhook(id: string, signal?: AbortSignal): Promise<MsWebhook> {
    return hooks.enableWebhook(this.#t, id, signal);
  }

  deleteWebhook(id: string, signal?: AbortSignal): Promise<void> {
    return hooks.deleteWebhook(this.#t, id, signal);
  }

  stockWebhooks(signal?: AbortSignal): Promise<MsWebhookStock[]> {
    return hooks.stockWebhooks(this.#t, signal);
  }

  createStockWebhook(webhook: { url: string; reportType: 'all' | 'bystore'; stockType?: 'stock' }, signal?: AbortSignal): Promise<MsWebhookStock> {
    return hooks.createStockWebhook(this.#t, webhook, signal);
  }

  /** Turns a disabled stock webhook back on (`PUT {enabled:true}`). */
  enableStockWebhook(id: string, signal?: AbortSignal): Promise<MsWebhookStock> {
    return hooks.enableStockWebhook(this.#t, id, signal);
  }

  deleteStockWebhook(id: string, signal?: AbortSignal): Promise<void> {
    return hooks.deleteStockWebhook(this.#t, id, signal);
  }
}
