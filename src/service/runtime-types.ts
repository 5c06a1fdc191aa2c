/**
 * @module runtime-types
 * The service runtime's vocabulary: its configuration, logger, console, modes, the running
 * service's handle, and the one-line startup failure the CLI prints.
 */
import type { Clock } from '../core/clock.js';
import { AppError } from '../core/errors.js';
import type { StartupErrorCode } from '../core/error-codes.js';
import type { AppConfig } from '../config/config.js';
import type { QueueLogger } from '../queue/index.js';
import type { DemoMoySklad } from './demo-emulator.js';

/** The runtime's configuration: the validated environment (`loadConfig`). */
export type RuntimeConfig = AppConfig;

/** pino-compatible logger subset used by the runtime. */
export type ServiceLogger = QueueLogger;

/** Where the CLI prints what a person must see (URLs, the generated admin password). */
export interface ConsoleOut {
  out(line: string): void;
}

/** A startup failure whose message is the one line the CLI prints. */
export class StartupError extends AppError {
  constructor(code: StartupErrorCode, message: string, cause?: unknown) {
    super(code, message, cause === undefined ? {} : { cause });
    this.name = 'StartupError';
  }
}

export interface ServiceModes {
  server: boolean;
  worker: boolean;
  schedules: boolean;
  /** Quick start: central region, demo integration against the emulator (or MOYSKLAD_*), admin login, first syncs. */
  bootstrap: boolean;
}

export interface RunningService {
  url: string | null;
  adminUrl: string | null;
  integrationId: number | null;
  stop(): Promise<void>;
}

export interface ServiceDeps {
  clock?: Clock;
  logger: ServiceLogger;
  console: ConsoleOut;
  /** Demo mode: starts the in-process emulator (default `startDemoEmulator`). */
  startDemoMoySklad?: (clock: Clock, dataDir: string) => Promise<DemoMoySklad>;
}
