/**
 * @module integration-log
 * R14/R32 the integration log: every entry goes to `moysklad_logger.log` in LOG_DIR (JSON lines,
 * rotated by size) and to `log_entries` for the admin panel, with secrets scrubbed first (B8).
 */
import path from 'node:path';
import fs from 'node:fs';
import type { Logger } from 'pino';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { LogEntryRepository, LogFilter, NewLogEntry } from '../store/repositories/log-entry-repository.js';
import { LOG_LEVEL_ORDER } from '../store/repositories/log-entry-repository.js';
import type { LogLevel } from '../store/schema.js';
import { Redactor } from './redactor.js';
import { DEFAULT_ROTATION, RotatingFile, logFilesNewestFirst } from './rotating-file.js';
import type { RotationConfig } from './rotating-file.js';

export const INTEGRATION_LOG_FILE = 'moysklad_logger.log';

/** A log entry as callers write it: the stored entry without its time (the log stamps it). */
export type IntegrationLogInput = Omit<NewLogEntry, 'at'>;

/** One line of `moysklad_logger.log`. */
export interface IntegrationLogLine {
  time: string;
  level: LogLevel;
  integrationId: number | null;
  priceListId: number | null;
  runId: number | null;
  kind: string;
  msg: string;
  details?: unknown;
}

export interface IntegrationLogOptions {
  logDir: string;
  clock: Clock;
  /** Also store entries for the admin panel (omit for file-only). */
  entries?: LogEntryRepository;
  redactor?: Redactor;
  rotation?: Partial<RotationConfig>;
  /** Also mirror entries to the service logger. */
  logger?: Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;
}

export class IntegrationLog {
  readonly file: string;
  readonly #out: RotatingFile;
  readonly #opts: IntegrationLogOptions;
  readonly #redactor: Redactor;

  constructor(options: IntegrationLogOptions) {
    this.#opts = options;
    this.#redactor = options.redactor ?? new Redactor();
    this.file = path.join(options.logDir, INTEGRATION_LOG_FILE);
    this.#out = new RotatingFile(this.file, { ...DEFAULT_ROTATION, ...options.rotation });
  }

  get redactor(): Redactor {
    return this.#redactor;
  }

  get rotation(): RotationConfig {
    return this.#out.rotation;
  }

  /**
   * Writes one entry to the file and the database. A database failure is reported to the
   * service logger but never thrown: logging must not break a sync. Returns the stored id.
   */
  async write(input: IntegrationLogInput): Promise<number | null> {
    const at = this.#opts.clock.now().toISOString();
    const message = this.#redactor.scrubString(input.message);
    const details = input.details === undefined ? undefined : this.#redactor.scrubValue(input.details);
    const line: IntegrationLogLine = {
      time: at,
      level: input.level,
      integrationId: input.integrationId ?? null,
      priceListId: input.priceListId ?? null,
      runId: input.runId ?? null,
      kind: input.kind,
      msg: message,
      ...(details === undefined ? {} : { details }),
    };
    this.#out.writeLine(JSON.stringify(line));
    this.#opts.logger?.[input.level]({ integrationLog: line }, message);
    if (!this.#opts.entries) return null;
    try {
      return await this.#opts.entries.insert({ ...input, at, message, details });
    } catch (e) {
      this.#opts.logger?.warn({ err: { message: errorMessage(e) } }, 'integration log entry not stored in the database');
      return null;
    }
  }

  close(): void {
    this.#out.close();
  }
}

export interface ReadLogOptions extends LogFilter {
  /** Default 200. */
  limit?: number;
  /** Rotated files to include (default 5). */
  keep?: number;
}

/**
 * Reads `moysklad_logger.log` and its rotated files back for the admin panel's log viewer,
 * newest first, filtered. Lines that are not valid entries are skipped.
 */
export function readIntegrationLog(logDir: string, options: ReadLogOptions = {}): IntegrationLogLine[] {
  const limit = options.limit ?? 200;
  const min = options.level ? LOG_LEVEL_ORDER[options.level] : 0;
  const out: IntegrationLogLine[] = [];
  for (const file of logFilesNewestFirst(path.join(logDir, INTEGRATION_LOG_FILE), options.keep)) {
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    for (let i = lines.length - 1; i >= 0; i--) {
      const text = lines[i];
      if (!text) continue;
      let e: IntegrationLogLine;
      try {
        e = JSON.parse(text) as IntegrationLogLine;
      } catch {
        continue;
      }
      if (typeof e.time !== 'string' || !(e.level in LOG_LEVEL_ORDER)) continue;
      if (LOG_LEVEL_ORDER[e.level] < min) continue;
      if (options.integrationId !== undefined && e.integrationId !== options.integrationId) continue;
      if (options.priceListId !== undefined && e.priceListId !== options.priceListId) continue;
      if (options.runId !== undefined && e.runId !== options.runId) continue;
      if (options.kind !== undefined && e.kind !== options.kind) continue;
      if (options.since !== undefined && e.time < options.since) continue;
      if (options.until !== undefined && e.time >= options.until) continue;
      out.push(e);
      if (out.length >= limit) return out;
    }
  }
  return out;
}
