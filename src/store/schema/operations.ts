/**
 * @module schema/operations
 * Sync runs, checkpoints, logs, tokens, admin users and sessions, settings, webhook receipts.
 */
import type { ColumnType } from 'kysely';
import type { IsoTime, JsonText, Id } from './columns.js';

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
