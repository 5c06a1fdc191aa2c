/**
 * @module store/queue/queue-tables
 * Kysely row types of the job queue's own tables (created by `src/store/migrations/0002_jobs.ts`). Only the
 * queue repositories next to this file read or write them.
 */
import { CamelCasePlugin, type Kysely } from 'kysely';
import type { Db } from '../db.js';

export interface QueueJobsTable {
  id: string;
  kind: string;
  integrationId: string | null;
  priceListId: string | null;
  singletonKey: string;
  trigger: string;
  payload: string;
  state: string;
  attempt: number;
  maxAttempts: number;
  runAfter: string;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  lockedBy: string | null;
  heartbeatAt: string | null;
  progress: string | null;
  result: string | null;
  lastError: string | null;
}

export interface QueueLeasesTable {
  key: string;
  owner: string;
  acquiredAt: string;
  expiresAt: string;
  /** The releasing holder's state for the next one (migration 0009): a limiter snapshot as JSON, or null. */
  state: string | null;
}

export interface QueueScheduleSlotsTable {
  name: string;
  slotAt: string;
  firedAt: string;
}

export interface QueueTables {
  queueJobs: QueueJobsTable;
  queueLeases: QueueLeasesTable;
  queueScheduleSlots: QueueScheduleSlotsTable;
}

/**
 * The queue tables' view of the application database. Column names are snake_case in the database and
 * camelCase in code, like the rest of the store (`createDatabase` installs `CamelCasePlugin`; applying it
 * again is harmless).
 */
export const queueDb = (db: Db): Kysely<QueueTables> => (db as unknown as Kysely<QueueTables>).withPlugin(new CamelCasePlugin());

export const iso = (d: Date | number): string => new Date(d).toISOString();
