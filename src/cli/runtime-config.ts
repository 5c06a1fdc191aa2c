/**
 * @module runtime-config
 * Maps the environment onto the runtime's configuration slice (`RuntimeConfig`), failing with
 * ONE clear line for a bad or half-made setup.
 */
import path from 'node:path';
import { isPostgresUrl } from '../store/database.js';
import type { RuntimeConfig } from '../main.js';

export const DEFAULT_MOYSKLAD_BASE_URL = 'https://api.moysklad.ru/api/remap/1.2';

/** A configuration error; its message is the line the CLI prints. */
export class RuntimeConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeConfigError';
  }
}

const blank = (v: string | undefined): string | null => (v === undefined || v.trim() === '' ? null : v.trim());

export function loadRuntimeConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): RuntimeConfig {
  const portText = blank(env.PORT) ?? '3000';
  if (!/^\d+$/.test(portText) || Number(portText) > 65535) throw new RuntimeConfigError(`PORT must be a number from 0 to 65535, got "${portText}"`);
  const port = Number(portText);
  const databaseUrl = blank(env.DATABASE_URL);
  if (databaseUrl !== null && !isPostgresUrl(databaseUrl)) throw new RuntimeConfigError('DATABASE_URL is not a valid postgres:// URL');
  const publicBaseUrl = blank(env.PUBLIC_BASE_URL) ?? `http://localhost:${port}`;
  try {
    const u = new URL(publicBaseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new RuntimeConfigError(`PUBLIC_BASE_URL must be an http(s) URL, got "${publicBaseUrl}"`);
  }
  const login = blank(env.MOYSKLAD_LOGIN);
  const password = blank(env.MOYSKLAD_PASSWORD);
  const token = blank(env.MOYSKLAD_TOKEN);
  const msBase = blank(env.MOYSKLAD_BASE_URL);
  if (login && !password) throw new RuntimeConfigError('MOYSKLAD_LOGIN is set but MOYSKLAD_PASSWORD is not');
  if (password && !login) throw new RuntimeConfigError('MOYSKLAD_PASSWORD is set but MOYSKLAD_LOGIN is not');
  if (token && login) throw new RuntimeConfigError('set either MOYSKLAD_TOKEN or MOYSKLAD_LOGIN/MOYSKLAD_PASSWORD, not both');
  if (msBase && !login && !token) throw new RuntimeConfigError('MOYSKLAD_BASE_URL is set but neither MOYSKLAD_LOGIN/MOYSKLAD_PASSWORD nor MOYSKLAD_TOKEN is');
  const adminPassword = blank(env.ADMIN_PASSWORD);
  if (adminPassword !== null && adminPassword.length < 8) throw new RuntimeConfigError('ADMIN_PASSWORD must have at least 8 characters');
  return Object.freeze({
    port,
    host: blank(env.HOST) ?? '0.0.0.0',
    databaseUrl,
    dataDir: path.resolve(cwd, blank(env.DATA_DIR) ?? './data'),
    logDir: path.resolve(cwd, blank(env.LOG_DIR) ?? './logs'),
    secretKey: blank(env.SECRET_KEY),
    publicBaseUrl,
    adminLogin: blank(env.ADMIN_LOGIN) ?? 'admin',
    adminPassword,
    moysklad: login || token ? { baseUrl: msBase ?? DEFAULT_MOYSKLAD_BASE_URL, login, password, token } : null,
    timezone: blank(env.TZ_SHOP) ?? 'Europe/Moscow',
  });
}
