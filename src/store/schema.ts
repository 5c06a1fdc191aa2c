/**
 * @module schema
 * The row types of every table, as Kysely sees them. Property names are camelCase; the
 * `CamelCasePlugin` installed by `createDatabase` maps them to snake_case columns.
 *
 * Row types are IDENTICAL on SQLite and PostgreSQL:
 * - timestamps are ISO-8601 UTC text (`2026-11-29T09:00:00.000Z`, see `nowIso`);
 * - booleans are integers 0/1 (`Flag`);
 * - JSON is text (`JsonText`), parsed by the repositories;
 * - money is integer kopecks (`bigint` in PostgreSQL, parsed to a JS number by the pool's type parser);
 * - quantities are `double precision` (a JS number).
 *
 * Other modules that add tables in their own migrations (e.g. `0002_jobs`) declare their row
 * types next to their code and use `db.withTables<{ jobs: JobsTable }>()`.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** ISO-8601 UTC timestamp text, e.g. `2026-11-29T09:00:00.000Z`. */
export type IsoTime = string;
/** A boolean stored as integer 0 or 1. */
export type Flag = 0 | 1;
/** JSON stored as text. */
export type JsonText = string;
/** Integer kopecks. */
export type KopecksColumn = number;
/** An auto-generated integer primary key. */
export type Id = Generated<number>;
/** A flag with a database default. */
export type FlagWithDefault = ColumnType<Flag, Flag | undefined, Flag>;
/** E6 (migration 0024): the row's searchable fields folded by `searchTextOf` (src/domain/search-text.ts). */
export type SearchTextColumn = ColumnType<string | null, string | null | undefined, string | null>;

export interface RegionsTable {
  id: Id;
  name: string;
  /** Short unique code, e.g. `central`, `spb`. */
  code: string;
  isCentral: FlagWithDefault;
  /** C14 IANA time zone of the region's nightly syncs (0018; default Europe/Moscow). */
  timeZone: ColumnType<string, string | undefined, string>;
  /** C13 ISO 3166-1 alpha-2 country: the default country of its clients' phone numbers (0018; default RU). */
  country: ColumnType<string, string | undefined, string>;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export type MsAuthKind = 'password' | 'user_token' | 'solution_token';

/** One MoySklad credential, shared by every integration that uses it. */
export interface MsAccountsTable {
  id: Id;
  label: string;
  authKind: MsAuthKind;
  /** Login for `password`; null for tokens. */
  login: string | null;
  /**
   * Identity of the credential within (baseUrl, authKind): the lower-cased login, or the
   * SHA-256 hex of the token. Unique with baseUrl and authKind.
   */
  credentialKey: string;
  /** The password or token, encrypted by `SecretBox` (`v1:…`). */
  secretEnc: string;
  /** MoySklad (or emulator) JSON API base, e.g. `https://api.moysklad.ru/api/remap/1.2`. */
  baseUrl: string;
  /** MoySklad's accountId when known. */
  moyskladAccountId: string | null;
  /** B3: the unguessable token in this account's webhook URL `/hooks/moysklad/{key}` (0007). */
  webhookKey: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export type IntegrationStatus = 'draft' | 'ok' | 'error';

/** One per region (R8): which MoySklad account and organization serve it, and every option. */
export interface IntegrationsTable {
  id: Id;
  regionId: number;
  msAccountId: number;
  organizationMsId: string | null;
  organizationName: string | null;
  /** R9 Active. */
  active: FlagWithDefault;
  /** R9 export supplier orders. */
  exportPurchaseOrders: FlagWithDefault;
  /** R9/R7 delete rejected and withdrawn positions. */
  deleteRejectedPositions: FlagWithDefault;
  /** R18 import photos. */
  importPhotos: FlagWithDefault;
  /** R21 root folder (null = all folders). */
  rootFolderMsId: string | null;
  /** R22 site category under which imported folders are placed. */
  siteCategoryId: number | null;
  /** R23 */
  categorySyncEnabled: FlagWithDefault;
  /** R29 */
  balanceSyncEnabled: FlagWithDefault;
  defaultStoreMsId: string | null;
  /** Migration 0015 (C4): exported customer-order positions carry `reserve` (on by default). */
  reservePositions: FlagWithDefault;
  status: ColumnType<IntegrationStatus, IntegrationStatus | undefined, IntegrationStatus>;
  statusCode: string | null;
  statusMessage: string | null;
  /** B3: MoySklad webhooks of the account: registered | refused | skipped | error | removed (0007). */
  webhookState: ColumnType<string | null, string | null | undefined, string | null>;
  webhookMessage: ColumnType<string | null, string | null | undefined, string | null>;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export type StockType = 'stock' | 'freeStock' | 'quantity';

export interface PriceListsTable {
  id: Id;
  regionId: number;
  name: string;
  /** R11 bound MoySklad store; null = unbound. */
  msStoreId: string | null;
  stockType: ColumnType<StockType, StockType | undefined, StockType>;
  priceTypeMsId: string | null;
  /** R12 sync frequency; only set once bound. */
  syncIntervalMinutes: number | null;
  deliveryDays: number | null;
  lastSyncAt: IsoTime | null;
  stockCursor: string | null;
  /** The generation of `price_list_rows` readers see (atomic swap). */
  generation: ColumnType<number, number | undefined, number>;
  rowCount: ColumnType<number, number | undefined, number>;
  /**
   * Migration 0012 (C3): 1 = products without a value for the price type are published with an
   * empty price (`price_list_rows.price` null); 0 (default) = they are left out and listed in
   * `price_list_issues`.
   */
  publishWithoutPrice: FlagWithDefault;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export interface PriceListRowsTable {
  id: Id;
  priceListId: number;
  generation: number;
  productId: number | null;
  msProductId: string;
  brand: string;
  article: string;
  articleNorm: string;
  name: string;
  quantity: number;
  /** Kopecks; null (migration 0012, C3) = no price for the list's price type, published empty. */
  price: KopecksColumn | null;
}

export type PriceListIssueReason = 'no-price';

/** Migration 0012 (C3): products a price list left out, with the reason (the data-quality report). */
export interface PriceListIssuesTable {
  id: Id;
  priceListId: number;
  productId: number | null;
  msProductId: string;
  brand: string;
  article: string;
  name: string;
  reason: PriceListIssueReason;
  detectedAt: IsoTime;
}

export type ProductSyncState = 'ok' | 'skipped';
/** C2: what a catalog item is in MoySklad (`entity/product` or `entity/variant`). */
export type ProductKind = 'product' | 'variant';

/** The store's product directory (R15), per MoySklad account. */
export interface ProductsTable {
  id: Id;
  msAccountId: number;
  msId: string;
  brand: string;
  brandNorm: string;
  article: string;
  articleNorm: string;
  code: string | null;
  name: string;
  description: string | null;
  /**
   * Not written since migration 0013 (always null): a product's category depends on the integration
   * (C8) and is derived when read, see `CatalogScopeRepository`.
   */
  categoryId: number | null;
  msFolderId: string | null;
  archived: FlagWithDefault;
  deleted: FlagWithDefault;
  /** MoySklad `updated`, converted to ISO UTC. */
  msUpdated: IsoTime | null;
  syncState: ColumnType<ProductSyncState, ProductSyncState | undefined, ProductSyncState>;
  skipReason: string | null;
  /**
   * Migration 0003: MoySklad sale prices as JSON text `[{priceTypeId, name, value}]` (kopecks, MoySklad's
   * order); null = not read yet. See `src/sync/stock/product-prices.ts`.
   */
  salePrices: ColumnType<JsonText | null, JsonText | null | undefined, JsonText | null>;
  /** Migration 0005: start of the full pass that last saw the product in MoySklad. */
  msSeenAt: ColumnType<IsoTime | null, IsoTime | null | undefined, IsoTime | null>;
  /** Migration 0005: `images.meta.size` of the product in MoySklad. */
  msImageCount: ColumnType<number | null, number | null | undefined, number | null>;
  /** Migration 0005: MoySklad `updated` (ISO) at which the product's images were last synced. */
  photosMsUpdated: ColumnType<IsoTime | null, IsoTime | null | undefined, IsoTime | null>;
  /** Migration 0011 (C2): `product` or `variant`; positions reference a variant as `variant`. */
  kind: ColumnType<ProductKind, ProductKind | undefined, ProductKind>;
  /** Migration 0011 (C2): for a variant, its parent product's MoySklad id. */
  parentMsId: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0024 (E6): `searchTextOf(name, code, brand, article)`, set by every writer of the row. */
  searchText: SearchTextColumn;
  /**
   * Migration 0013 (C2): 1 = a variant without its own Code/Article, catalogued with its parent's
   * brand and article (never a duplicate of its family).
   */
  keyFromParent: FlagWithDefault;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export interface ProductImagesTable {
  id: Id;
  productId: number;
  position: number;
  msImageId: string | null;
  filename: string;
  size: number | null;
  msUpdated: IsoTime | null;
  blobHash: string | null;
  /** Migration 0005: SHA-256 of the MoySklad miniature (thumbnail), when one was downloaded. */
  thumbBlobHash: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Content-addressed files under DATA_DIR. */
export interface BlobsTable {
  /** SHA-256 hex of the content. */
  hash: string;
  size: number;
  mime: string | null;
  /** Path relative to DATA_DIR. */
  path: string;
  createdAt: IsoTime;
}

/** Site categories as a tree (R2, R22). */
export interface CategoriesTable {
  id: Id;
  parentId: number | null;
  name: string;
  msAccountId: number | null;
  msFolderId: string | null;
  /** Migration 0013 (C8): the integration whose tree a folder category belongs to; null for the store's own categories. */
  integrationId: ColumnType<number | null, number | null | undefined, number | null>;
  archived: FlagWithDefault;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

/** B5 products that could not be synced, with the reason. */
export interface DataQualityIssuesTable {
  id: Id;
  msAccountId: number;
  msProductId: string;
  code: string | null;
  article: string | null;
  name: string | null;
  reason: string;
  message: string;
  runId: number | null;
  detectedAt: IsoTime;
  /** Migration 0026 (E4): `product` or `variant` (which MoySklad web card to link); null = product. */
  msType: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0013 (C5): the item's MoySklad folder (a variant's: its product's), null when unknown. */
  msFolderId: ColumnType<string | null, string | null | undefined, string | null>;
}

/** Migration 0013 (C5): the MoySklad folder tree of an account. */
export interface MsFoldersTable {
  id: Id;
  msAccountId: number;
  msId: string;
  parentMsId: string | null;
  name: string;
  /** Ids from the top folder down to this one: `/top/…/self/`. */
  path: string;
  archived: FlagWithDefault;
  updatedAt: IsoTime;
}

export type CounterpartyKind = 'client' | 'supplier';
export type CompanyType = 'legal' | 'entrepreneur' | 'individual';

export interface CounterpartiesTable {
  id: Id;
  /** R27 a counterparty is a client or a supplier, never both. */
  kind: CounterpartyKind;
  /** The platform's id; unique per kind. */
  externalId: string;
  regionId: number | null;
  name: string;
  companyType: ColumnType<CompanyType, CompanyType | undefined, CompanyType>;
  inn: string | null;
  innNorm: string | null;
  email: string | null;
  emailNorm: string | null;
  phone: string | null;
  phoneNorm: string | null;
  /** Migration 0024 (E6): `searchTextOf(name, inn, email, phone)`, recomputed on every write. */
  searchText: SearchTextColumn;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export type MatchedBy = 'id' | 'inn' | 'email' | 'phone' | 'created';

export interface CounterpartyLinksTable {
  id: Id;
  counterpartyId: number;
  msAccountId: number;
  msCounterpartyId: string;
  matchedBy: MatchedBy;
  linkedAt: IsoTime;
}

/** Ambiguous matches (R25) for the admin panel. */
export interface CounterpartyMatchIssuesTable {
  id: Id;
  counterpartyId: number;
  msAccountId: number;
  reason: string;
  /** JSON array of candidate MoySklad counterparties. */
  candidates: JsonText;
  detectedAt: IsoTime;
  resolvedAt: IsoTime | null;
}

export type OrderKind = 'customer' | 'supplier';
export type ExportState = 'pending' | 'sent' | 'failed';

export interface OrdersTable {
  id: Id;
  kind: OrderKind;
  /** The platform's order number; unique per kind. */
  externalId: string;
  regionId: number;
  counterpartyId: number;
  priceListId: number | null;
  status: string | null;
  comment: string | null;
  msAccountId: number | null;
  msOrderId: string | null;
  /** Stable MoySklad `syncId` (UUID) derived once, at creation (B1). */
  syncId: string;
  exportState: ColumnType<ExportState, ExportState | undefined, ExportState>;
  exportError: string | null;
  exportedAt: IsoTime | null;
  /** Migration 0016 (C6): when the MoySklad order was deleted because every line was rejected or withdrawn. */
  msDeletedAt: ColumnType<IsoTime | null, IsoTime | null | undefined, IsoTime | null>;
  /** Migration 0024 (E6): `searchTextOf(externalId)`, set at creation. */
  searchText: SearchTextColumn;
  /** Migration 0033 (E7): the name of the order's MoySklad state; null until known. */
  msStateName: ColumnType<string | null, string | null | undefined, string | null>;
  /** Migration 0033 (E7): when the MoySklad state was last seen to change. */
  msStateChangedAt: ColumnType<IsoTime | null, IsoTime | null | undefined, IsoTime | null>;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export type PositionStatus = 'active' | 'rejected' | 'withdrawn';
export type PositionSyncState = 'pending' | 'synced' | 'deleted' | 'failed';

export interface OrderPositionsTable {
  id: Id;
  orderId: number;
  /** The platform's line id; unique per order. */
  externalId: string;
  brand: string;
  article: string;
  articleNorm: string;
  name: string;
  quantity: number;
  price: KopecksColumn;
  status: ColumnType<PositionStatus, PositionStatus | undefined, PositionStatus>;
  priceListId: number | null;
  msProductId: string | null;
  msPositionId: string | null;
  syncState: ColumnType<PositionSyncState, PositionSyncState | undefined, PositionSyncState>;
  /** Migration 0033 (E7): shipped quantity from MoySklad's shipments (demands); null until known. */
  shippedQuantity: ColumnType<number | null, number | null | undefined, number | null>;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export type OutboxState = 'pending' | 'running' | 'sent' | 'failed';

/** Durable jobs written in the same transaction as the store change that needs them (B1). */
export interface OutboxTable {
  id: Id;
  kind: string;
  integrationId: number | null;
  aggregateType: string;
  aggregateId: string;
  payload: JsonText;
  state: ColumnType<OutboxState, OutboxState | undefined, OutboxState>;
  attempts: ColumnType<number, number | undefined, number>;
  nextAttemptAt: IsoTime;
  lastError: string | null;
  dedupeKey: string | null;
  createdAt: IsoTime;
  updatedAt: IsoTime;
  sentAt: IsoTime | null;
  /** P3 (migration 0030): the instance id of the process sending the row while it is `running`. */
  claimedBy: ColumnType<string | null, string | null | undefined, string | null>;
  /** P3: until when that claim holds (pushed forward by the claimer's heartbeat); ISO time. */
  claimExpiresAt: ColumnType<string | null, string | null | undefined, string | null>;
}

/** The store's own balance ledger (R31: kept when balance sync is on). */
export interface BalanceRecordsTable {
  id: Id;
  counterpartyId: number;
  amount: KopecksColumn;
  kind: string;
  note: string | null;
  createdAt: IsoTime;
}

/** R29/R30 the balance read from MoySklad and when. */
export interface MsBalancesTable {
  id: Id;
  counterpartyId: number;
  msAccountId: number;
  balance: KopecksColumn | null;
  readAt: IsoTime | null;
  lastActivityAt: IsoTime | null;
  lastError: string | null;
  /** Migration 0006: when MoySklad was last asked for this balance (R30 counts attempts, not only reads). */
  attemptedAt: ColumnType<IsoTime | null, IsoTime | null | undefined, IsoTime | null>;
  /** Migration 0020, C12: the client's MoySklad card as the balance read found it (null until first read). */
  cardState: ColumnType<BalanceCardState | null, BalanceCardState | null | undefined, BalanceCardState | null>;
}

/** C12 linked to a card; no card («нет карточки в МойСклад»); several cards fit (none is guessed). */
export type BalanceCardState = 'linked' | 'none' | 'ambiguous';

/** C10 the open permission or tariff problem of an integration, per job family (0020). */
export interface IntegrationProblemsTable {
  id: Id;
  integrationId: number;
  /** `JobFamily` of src/domain/permission-problem.ts. */
  family: string;
  /** `PermissionProblemCode`. */
  code: string;
  msCode: number | null;
  /** The Russian sentence for the shop: what to change in MoySklad. */
  message: string;
  detectedAt: IsoTime;
  lastSeenAt: IsoTime;
  /** The family's scheduled job does not fire before this (unless the settings change). */
  retryAt: IsoTime;
  occurrences: ColumnType<number, number | undefined, number>;
}

export type SyncTrigger = 'schedule' | 'manual' | 'api' | 'cli' | 'webhook';
export type SyncRunStatus = 'running' | 'ok' | 'partial' | 'failed';

/** B9 sync history. */
export interface SyncRunsTable {
  id: Id;
  integrationId: number | null;
  priceListId: number | null;
  kind: string;
  trigger: SyncTrigger;
  status: SyncRunStatus;
  startedAt: IsoTime;
  finishedAt: IsoTime | null;
  durationMs: number | null;
  /** JSON object of counters. */
  counts: JsonText;
  requests: ColumnType<number, number | undefined, number>;
  errors: ColumnType<number, number | undefined, number>;
  message: string | null;
  /** Migration 0037 (B9): items processed so far by a running sync; null before its first report. */
  progressDone: ColumnType<number | null, number | null | undefined, number | null>;
  /** Migration 0037 (B9): of how many items; null while unknown. */
  progressTotal: ColumnType<number | null, number | null | undefined, number | null>;
}

/** B3 cursors. `scope` is e.g. `integration:3` or `ms_account:1`. */
export interface SyncCheckpointsTable {
  id: Id;
  scope: string;
  kind: string;
  cursor: JsonText;
  updatedAt: IsoTime;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** R14/R32 integration and price-list log entries for the admin panel. */
export interface LogEntriesTable {
  id: Id;
  at: IsoTime;
  level: LogLevel;
  integrationId: number | null;
  priceListId: number | null;
  runId: number | null;
  kind: string;
  message: string;
  details: JsonText | null;
}

export interface ApiTokensTable {
  id: Id;
  name: string;
  /** SHA-256 hex of the token; the token itself is never stored. */
  tokenHash: string;
  /** First characters of the token, for display. */
  prefix: string;
  createdAt: IsoTime;
  lastUsedAt: IsoTime | null;
  revokedAt: IsoTime | null;
}

export interface AdminUsersTable {
  id: Id;
  login: string;
  passwordHash: string;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

export interface AdminSessionsTable {
  id: Id;
  /** SHA-256 hex of the session id held in the cookie. */
  idHash: string;
  userId: number;
  csrfToken: string;
  createdAt: IsoTime;
  expiresAt: IsoTime;
}

/** S7 one failed admin login, under its login or its client address (migration 0027). */
export interface LoginFailuresTable {
  id: Id;
  scope: 'login' | 'address';
  key: string;
  failedAt: IsoTime;
}

export interface SettingsTable {
  key: string;
  value: string;
  updatedAt: IsoTime;
}

/** Webhook deduplication (B3). */
export interface WebhookReceiptsTable {
  id: Id;
  requestId: string;
  msAccountId: number | null;
  receivedAt: IsoTime;
}

/** E3 (0023): a platform webhook subscription. */
export interface PlatformWebhooksTable {
  id: Id;
  url: string;
  description: string | null;
  /** The signing secret (`whsec_…`) encrypted by `SecretBox`. */
  secretEnc: string;
  /** After a rotation: the previous secret, still signed with until `previousSecretUntil`. */
  previousSecretEnc: string | null;
  previousSecretUntil: IsoTime | null;
  active: FlagWithDefault;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

/** E3 (0023): the event types a subscription receives. */
export interface PlatformWebhookEventTypesTable {
  webhookId: number;
  eventType: string;
}

/** E3 (0023): one event as sent: `webhook-id` and the exact signed body. */
export interface PlatformWebhookMessagesTable {
  id: Id;
  messageId: string;
  eventType: string;
  body: JsonText;
  createdAt: IsoTime;
}

export type WebhookDeliveryState = 'pending' | 'running' | 'delivered' | 'failed';

/** E3 (0023): one message to one subscription — the delivery outbox and log. */
export interface PlatformWebhookDeliveriesTable {
  id: Id;
  messageId: number;
  webhookId: number;
  state: ColumnType<WebhookDeliveryState, WebhookDeliveryState | undefined, WebhookDeliveryState>;
  attempts: ColumnType<number, number | undefined, number>;
  nextAttemptAt: IsoTime;
  /** End of the retry window (24 h after the delivery was written or resent). */
  deadlineAt: IsoTime;
  lastAttemptAt: IsoTime | null;
  /** HTTP status of the last attempt; null when no answer came (unreachable, timeout). */
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: IsoTime | null;
  createdAt: IsoTime;
  updatedAt: IsoTime;
}

/** E5 (0025): a price list's secret feed token (hashed). */
export interface PriceListFeedsTable {
  priceListId: number;
  tokenHash: string;
  prefix: string;
  createdAt: IsoTime;
  lastUsedAt: IsoTime | null;
}

/** E1 (0034): the latest change of each product in the catalog's change sequence (written by triggers). */
export interface CatalogChangesTable {
  productId: number;
  seq: number;
}

/** E2 (0035): each price-list row as last published, with the number of its latest change in the list. */
export interface PriceListRowChangesTable {
  priceListId: number;
  msProductId: string;
  seq: number;
  /** 1 = the product left the list (a tombstone; the other columns are its last published values). */
  removed: Flag;
  productId: number | null;
  brand: string;
  article: string;
  name: string;
  quantity: number;
  price: KopecksColumn | null;
  changedAt: IsoTime;
}

/** Every table of the module (0001 and later migrations). */
export interface Database {
  regions: RegionsTable;
  msAccounts: MsAccountsTable;
  integrations: IntegrationsTable;
  priceLists: PriceListsTable;
  priceListRows: PriceListRowsTable;
  priceListIssues: PriceListIssuesTable;
  products: ProductsTable;
  productImages: ProductImagesTable;
  blobs: BlobsTable;
  categories: CategoriesTable;
  msFolders: MsFoldersTable;
  dataQualityIssues: DataQualityIssuesTable;
  counterparties: CounterpartiesTable;
  counterpartyLinks: CounterpartyLinksTable;
  counterpartyMatchIssues: CounterpartyMatchIssuesTable;
  orders: OrdersTable;
  orderPositions: OrderPositionsTable;
  outbox: OutboxTable;
  balanceRecords: BalanceRecordsTable;
  msBalances: MsBalancesTable;
  syncRuns: SyncRunsTable;
  syncCheckpoints: SyncCheckpointsTable;
  logEntries: LogEntriesTable;
  apiTokens: ApiTokensTable;
  adminUsers: AdminUsersTable;
  adminSessions: AdminSessionsTable;
  loginFailures: LoginFailuresTable;
  settings: SettingsTable;
  webhookReceipts: WebhookReceiptsTable;
  integrationProblems: IntegrationProblemsTable;
  platformWebhooks: PlatformWebhooksTable;
  platformWebhookEventTypes: PlatformWebhookEventTypesTable;
  platformWebhookMessages: PlatformWebhookMessagesTable;
  platformWebhookDeliveries: PlatformWebhookDeliveriesTable;
  priceListFeeds: PriceListFeedsTable;
  catalogChanges: CatalogChangesTable;
  priceListRowChanges: PriceListRowChangesTable;
}

export type RegionRow = Selectable<RegionsTable>;
export type NewRegion = Insertable<RegionsTable>;
export type MsAccountRow = Selectable<MsAccountsTable>;
export type IntegrationRow = Selectable<IntegrationsTable>;
export type IntegrationUpdate = Updateable<IntegrationsTable>;
export type PriceListRow = Selectable<PriceListsTable>;
export type PriceListRowRow = Selectable<PriceListRowsTable>;
export type PriceListIssueRow = Selectable<PriceListIssuesTable>;
export type ProductRow = Selectable<ProductsTable>;
export type CategoryRow = Selectable<CategoriesTable>;
export type MsFolderRow = Selectable<MsFoldersTable>;
export type CounterpartyRow = Selectable<CounterpartiesTable>;
export type CounterpartyLinkRow = Selectable<CounterpartyLinksTable>;
export type OrderRow = Selectable<OrdersTable>;
export type OrderPositionRow = Selectable<OrderPositionsTable>;
export type OutboxRow = Selectable<OutboxTable>;
export type SyncRunRow = Selectable<SyncRunsTable>;
export type LogEntryRow = Selectable<LogEntriesTable>;
export type BalanceRecordRow = Selectable<BalanceRecordsTable>;
export type MsBalanceRow = Selectable<MsBalancesTable>;
export type IntegrationProblemRow = Selectable<IntegrationProblemsTable>;
export type PlatformWebhookRow = Selectable<PlatformWebhooksTable>;
export type PlatformWebhookDeliveryRow = Selectable<PlatformWebhookDeliveriesTable>;
