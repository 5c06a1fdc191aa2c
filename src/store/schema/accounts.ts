/**
 * @module schema/accounts
 * Regions, MoySklad credentials and integrations (R8).
 */
import type { ColumnType } from 'kysely';
import type { IsoTime, Id, FlagWithDefault } from './columns.js';

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
