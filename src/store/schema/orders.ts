/**
 * @module schema/orders
 * Orders, positions, the outbox, balances and permission problems.
 */
import type { ColumnType } from 'kysely';
import type { IsoTime, JsonText, KopecksColumn, Id, SearchTextColumn } from './columns.js';

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
