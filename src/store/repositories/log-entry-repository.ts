/**
 * @module log-entry-repository
 * R14/R32 integration and price-list log entries for the admin panel. Written by `IntegrationLog`
 * (src/log), which scrubs secrets first.
 */
import type { Db } from '../db.js';
import type { LogEntryRow, LogLevel } from '../schema.js';

export const LOG_LEVEL_ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A stored entry with its details parsed from JSON. */
export type LogEntry = Omit<LogEntryRow, 'details'> & { details: unknown };

export interface NewLogEntry {
  at: string;
  level: LogLevel;
  integrationId?: number | null;
  priceListId?: number | null;
  runId?: number | null;
  /** What area: `stock`, `nomenclature`, `order_export`, `credentials`, … */
  kind: string;
  message: string;
  /** Stored as JSON; `IntegrationLog` scrubs secrets out of it before it gets here. */
  details?: unknown;
}

/** The filter of a log view, the same for the database entries and the log file (`readIntegrationLog`). */
export interface LogFilter {
  integrationId?: number;
  priceListId?: number;
  runId?: number;
  kind?: string;
  /** Minimum level. */
  level?: LogLevel;
  /** ISO bounds: since inclusive, until exclusive. */
  since?: string;
  until?: string;
}

export interface LogQuery extends LogFilter {
  /** Newest first; entries with id < beforeId (pagination). */
  beforeId?: number;
  limit?: number;
}

export function toLogEntry(r: LogEntryRow): LogEntry {
  return { ...r, details: r.details === null ? null : (JSON.parse(r.details) as unknown) };
}

export class LogEntryRepository {
  constructor(private readonly db: Db) {}

  async insert(e: NewLogEntry): Promise<number> {
    const row = await this.db
      .insertInto('logEntries')
      .values({
        at: e.at,
        level: e.level,
        integrationId: e.integrationId ?? null,
        priceListId: e.priceListId ?? null,
        runId: e.runId ?? null,
        kind: e.kind,
        message: e.message,
        details: e.details === undefined || e.details === null ? null : JSON.stringify(e.details),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  }

  /** Newest first. */
  async list(q: LogQuery = {}): Promise<LogEntry[]> {
    let s = this.db.selectFrom('logEntries').selectAll().orderBy('id', 'desc').limit(Math.min(q.limit ?? 100, 1000));
    if (q.integrationId !== undefined) s = s.where('integrationId', '=', q.integrationId);
    if (q.priceListId !== undefined) s = s.where('priceListId', '=', q.priceListId);
    if (q.runId !== undefined) s = s.where('runId', '=', q.runId);
    if (q.kind !== undefined) s = s.where('kind', '=', q.kind);
    if (q.level !== undefined) {
      const min = LOG_LEVEL_ORDER[q.level];
      const levels = (Object.keys(LOG_LEVEL_ORDER) as LogLevel[]).filter((l) => LOG_LEVEL_ORDER[l] >= min);
      s = s.where('level', 'in', levels);
    }
    if (q.since !== undefined) s = s.where('at', '>=', q.since);
    if (q.until !== undefined) s = s.where('at', '<', q.until);
    if (q.beforeId !== undefined) s = s.where('id', '<', q.beforeId);
    return (await s.execute()).map(toLogEntry);
  }

  /** Error entries per integration since an ISO time (the integrations list's "errors in 24 h"). */
  async errorCountsSince(since: string): Promise<Map<number, number>> {
    const rows = await this.db
      .selectFrom('logEntries')
      .select(['integrationId', (eb) => eb.fn.countAll<number>().as('n')])
      .where('level', '=', 'error')
      .where('at', '>=', since)
      .groupBy('integrationId')
      .execute();
    return new Map(rows.filter((r) => r.integrationId !== null).map((r) => [Number(r.integrationId), Number(r.n)]));
  }

  /** Retention: deletes entries older than the ISO time; returns how many. */
  async deleteOlderThan(iso: string): Promise<number> {
    const r = await this.db.deleteFrom('logEntries').where('at', '<', iso).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
