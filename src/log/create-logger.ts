/**
 * @module create-logger
 * The service logger: pino to stdout (JSON), with B8 redaction of every log object and message.
 */
import pino from 'pino';
import type { DestinationStream, Logger } from 'pino';
import { REDACTED, Redactor } from './redactor.js';

export interface LoggerConfig {
  logLevel?: string;
}

export interface CreateLoggerOptions {
  /** Where to write (default stdout). */
  destination?: DestinationStream;
  /** Shared redactor (register runtime secrets on it). */
  redactor?: Redactor;
  /** Base bindings (e.g. `{ role: 'worker' }`). */
  base?: Record<string, unknown>;
}

/** Fixed paths pino censors before anything else (the deep scrub below covers the rest). */
export const REDACT_PATHS = [
  'password',
  '*.password',
  'token',
  '*.token',
  'secret',
  '*.secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
];

export function createLogger(config: LoggerConfig = {}, options: CreateLoggerOptions = {}): Logger {
  const redactor = options.redactor ?? new Redactor();
  return pino(
    {
      level: config.logLevel ?? 'info',
      base: options.base ?? { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      formatters: {
        level: (label) => ({ level: label }),
        log: (obj) => redactor.scrubValue(obj) as Record<string, unknown>,
      },
      hooks: {
        logMethod(args, method) {
          const scrubbed = args.map((a) => (typeof a === 'string' ? redactor.scrubString(a) : a)) as typeof args;
          return method.apply(this, scrubbed);
        },
      },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
