/**
 * @module config
 * The one configuration loader: the environment, validated with zod, to a frozen typed
 * `AppConfig`. A bad or half-made setup throws `ConfigError` whose message is ONE line naming
 * the variable (e.g. `DATABASE_URL is not a valid postgres:// URL`). The library never reads
 * `process.env` itself; the CLI passes it in.
 */
import path from 'node:path';
import { z } from 'zod';
import { AppError } from '../core/errors.js';
import { parseSecretKey } from '../core/secret-box.js';
import { canonicalTimeZone, isTimeZone } from '../core/time-zone.js';
import { isPostgresUrl } from '../core/database-url.js';
import { parseProxyEntry } from '../core/client-address.js';

export const DEFAULT_MOYSKLAD_BASE_URL = 'https://api.moysklad.ru/api/remap/1.2';
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type AppLogLevel = (typeof LOG_LEVELS)[number];

export class ConfigError extends AppError {
  constructor(message: string) {
    super('config_invalid', message);
    this.name = 'ConfigError';
  }
}

export interface MoyskladConfig {
  baseUrl: string;
  login: string | null;
  password: string | null;
  token: string | null;
}

export interface AppConfig {
  port: number;
  host: string;
  /** `postgres://…`, or null for SQLite under dataDir. */
  databaseUrl: string | null;
  /** Absolute. */
  dataDir: string;
  /** Absolute. */
  logDir: string;
  /** Raw SECRET_KEY (validated: 32 bytes as base64 or hex), or null to use `${dataDir}/secret.key`. */
  secretKey: string | null;
  publicBaseUrl: string;
  adminLogin: string;
  adminPassword: string | null;
  /** Real MoySklad credentials; null = demo mode against the in-process emulator. */
  moysklad: MoyskladConfig | null;
  /**
   * TZ_SHOP (C14): the time zone new regions get when none is given (each region then keeps its own,
   * and its nightly syncs run after midnight there); also the zone of the account-wide nightly runs.
   */
  timezone: string;
  logLevel: AppLogLevel;
  /**
   * S7 TRUSTED_PROXIES: reverse proxies (IPs or CIDR ranges, comma-separated) whose
   * `X-Forwarded-For` names the client address for login throttling; empty = the socket address.
   */
  trustedProxies: readonly string[];
}

/** Empty or whitespace-only values count as unset. */
const optionalText = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined), z.string().optional());

const envSchema = z.object({
  PORT: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined),
    z
      .string()
      .regex(/^\d+$/, 'PORT must be a number from 0 to 65535')
      .transform(Number)
      .refine((n) => n <= 65535, 'PORT must be a number from 0 to 65535')
      .optional(),
  ),
  HOST: optionalText,
  DATABASE_URL: optionalText.refine((v) => v === undefined || isPostgresUrl(v), 'DATABASE_URL is not a valid postgres:// URL'),
  DATA_DIR: optionalText,
  LOG_DIR: optionalText,
  SECRET_KEY: optionalText.refine(
    (v) => v === undefined || parseSecretKey(v) !== null,
    'SECRET_KEY must be 32 bytes as base64 or 64 hex characters',
  ),
  PUBLIC_BASE_URL: optionalText.refine((v) => v === undefined || isHttpUrl(v), 'PUBLIC_BASE_URL must be an http(s) URL'),
  ADMIN_LOGIN: optionalText,
  ADMIN_PASSWORD: optionalText.refine((v) => v === undefined || v.length >= 8, 'ADMIN_PASSWORD must have at least 8 characters'),
  MOYSKLAD_BASE_URL: optionalText.refine((v) => v === undefined || isHttpUrl(v), 'MOYSKLAD_BASE_URL must be an http(s) URL'),
  MOYSKLAD_LOGIN: optionalText,
  MOYSKLAD_PASSWORD: optionalText,
  MOYSKLAD_TOKEN: optionalText,
  TZ_SHOP: optionalText.refine((v) => v === undefined || isTimeZone(v), 'TZ_SHOP is not a known IANA time zone (e.g. Europe/Moscow)'),
  TRUSTED_PROXIES: optionalText.refine(
    (v) => v === undefined || splitList(v).every((e) => parseProxyEntry(e) !== null),
    'TRUSTED_PROXIES must be a comma-separated list of IP addresses or CIDR ranges (e.g. 127.0.0.1,10.0.0.0/8)',
  ),
  LOG_LEVEL: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? v.trim().toLowerCase() : undefined),
    z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).optional(),
  ),
});

function splitList(v: string): string[] {
  return v.split(',').map((e) => e.trim()).filter((e) => e !== '');
}

function isHttpUrl(v: string): boolean {
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}


/**
 * Reads the configuration from `env` (relative directories resolve against `cwd`).
 * Throws `ConfigError` with one line for the first problem found.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd: string = process.cwd()): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const variable = String(issue?.path[0] ?? 'configuration');
    const message = issue?.message ?? 'is invalid';
    throw new ConfigError(message.startsWith(variable) ? message : `${variable}: ${message}`);
  }
  const e = parsed.data;
  if (e.MOYSKLAD_LOGIN && !e.MOYSKLAD_PASSWORD) throw new ConfigError('MOYSKLAD_LOGIN is set but MOYSKLAD_PASSWORD is not');
  if (e.MOYSKLAD_PASSWORD && !e.MOYSKLAD_LOGIN) throw new ConfigError('MOYSKLAD_PASSWORD is set but MOYSKLAD_LOGIN is not');
  if (e.MOYSKLAD_TOKEN && e.MOYSKLAD_LOGIN) {
    throw new ConfigError('set either MOYSKLAD_TOKEN or MOYSKLAD_LOGIN/MOYSKLAD_PASSWORD, not both');
  }
  if (e.MOYSKLAD_BASE_URL && !e.MOYSKLAD_LOGIN && !e.MOYSKLAD_TOKEN) {
    throw new ConfigError('MOYSKLAD_BASE_URL is set but neither MOYSKLAD_LOGIN/MOYSKLAD_PASSWORD nor MOYSKLAD_TOKEN is');
  }
  const port = e.PORT ?? 3000;
  const hasMoysklad = Boolean(e.MOYSKLAD_LOGIN || e.MOYSKLAD_TOKEN);
  const config: AppConfig = {
    port,
    host: e.HOST ?? '0.0.0.0',
    databaseUrl: e.DATABASE_URL ?? null,
    dataDir: path.resolve(cwd, e.DATA_DIR ?? './data'),
    logDir: path.resolve(cwd, e.LOG_DIR ?? './logs'),
    secretKey: e.SECRET_KEY ?? null,
    publicBaseUrl: (e.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    adminLogin: e.ADMIN_LOGIN ?? 'admin',
    adminPassword: e.ADMIN_PASSWORD ?? null,
    moysklad: hasMoysklad
      ? Object.freeze({
          baseUrl: (e.MOYSKLAD_BASE_URL ?? DEFAULT_MOYSKLAD_BASE_URL).replace(/\/+$/, ''),
          login: e.MOYSKLAD_LOGIN ?? null,
          password: e.MOYSKLAD_PASSWORD ?? null,
          token: e.MOYSKLAD_TOKEN ?? null,
        })
      : null,
    timezone: canonicalTimeZone(e.TZ_SHOP) ?? 'Europe/Moscow',
    logLevel: e.LOG_LEVEL ?? 'info',
    trustedProxies: Object.freeze(e.TRUSTED_PROXIES ? splitList(e.TRUSTED_PROXIES) : []),
  };
  return Object.freeze(config);
}

/** A copy of the config safe to print: secrets replaced by `[set]`. */
export function describeConfig(config: AppConfig): Record<string, unknown> {
  return {
    ...config,
    databaseUrl: config.databaseUrl ? redactUrlPassword(config.databaseUrl) : null,
    secretKey: config.secretKey ? '[set]' : null,
    adminPassword: config.adminPassword ? '[set]' : null,
    moysklad: config.moysklad
      ? { ...config.moysklad, password: config.moysklad.password ? '[set]' : null, token: config.moysklad.token ? '[set]' : null }
      : null,
  };
}

function redactUrlPassword(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '[invalid url]';
  }
}
