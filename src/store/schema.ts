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
 *
 * The table types live in `schema/*.ts`, one file per aggregate; this module re-exports them and
 * assembles the `Database` interface.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { IntegrationsTable, MsAccountsTable, RegionsTable } from './schema/accounts.js';
import type { PriceListIssuesTable, PriceListRowsTable, PriceListsTable } from './schema/price-lists.js';
import type { BlobsTable, CategoriesTable, DataQualityIssuesTable, MsFoldersTable, ProductImagesTable, ProductsTable } from './schema/catalog.js';
import type { CounterpartiesTable, CounterpartyLinksTable, CounterpartyMatchIssuesTable } from './schema/counterparties.js';
import type { BalanceRecordsTable, IntegrationProblemsTable, MsBalancesTable, OrderPositionsTable, OrdersTable, OutboxTable } from './schema/orders.js';
import type { AdminSessionsTable, AdminUsersTable, ApiTokensTable, LogEntriesTable, LoginFailuresTable, SettingsTable, SyncCheckpointsTable, SyncRunsTable, WebhookReceiptsTable } from './schema/operations.js';
import type { CatalogChangesTable, PlatformWebhookDeliveriesTable, PlatformWebhookEventTypesTable, PlatformWebhookMessagesTable, PlatformWebhooksTable, PriceListFeedsTable, PriceListRowChangesTable } from './schema/platform.js';

export * from './schema/columns.js';
export * from './schema/accounts.js';
export * from './schema/price-lists.js';
export * from './schema/catalog.js';
export * from './schema/counterparties.js';
export * from './schema/orders.js';
export * from './schema/operations.js';
export * from './schema/platform.js';

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
