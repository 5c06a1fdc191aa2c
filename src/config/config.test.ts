import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from './config.js';

const fail = (env: Record<string, string>): string => {
  try {
    loadConfig(env, '/srv/app');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    const msg = (e as Error).message;
    expect(msg).not.toContain('\n');
    return msg;
  }
  throw new Error('expected ConfigError');
};

describe('loadConfig', () => {
  it('defaults: SQLite under ./data, logs in ./logs, port 3000, demo mode', () => {
    const c = loadConfig({}, '/srv/app');
    expect(c).toMatchObject({
      port: 3000,
      host: '0.0.0.0',
      databaseUrl: null,
      dataDir: path.resolve('/srv/app/data'),
      logDir: path.resolve('/srv/app/logs'),
      secretKey: null,
      publicBaseUrl: 'http://localhost:3000',
      adminLogin: 'admin',
      moysklad: null,
      timezone: 'Europe/Moscow',
      logLevel: 'info',
    });
    expect(Object.isFrozen(c)).toBe(true);
    expect(loadConfig({ PORT: '8080' }).publicBaseUrl).toBe('http://localhost:8080');
    expect(loadConfig({ PORT: '  ', DATA_DIR: '' }, '/x').dataDir).toBe(path.resolve('/x/data'));
  });

  it('parses PostgreSQL, keys, MoySklad credentials', () => {
    const key = randomBytes(32).toString('base64');
    const c = loadConfig({
      DATABASE_URL: 'postgres://u:p@db:5432/shop',
      SECRET_KEY: key,
      MOYSKLAD_LOGIN: 'admin@shop',
      MOYSKLAD_PASSWORD: 'pw',
      MOYSKLAD_BASE_URL: 'http://127.0.0.1:4010/api/remap/1.2/',
      LOG_LEVEL: 'DEBUG',
      TZ_SHOP: 'Asia/Yekaterinburg',
    });
    expect(c.databaseUrl).toBe('postgres://u:p@db:5432/shop');
    expect(loadConfig({ DATABASE_URL: 'postgresql:///shop?host=/var/run/postgresql' }).databaseUrl).toMatch(/^postgresql:/);
    expect(c.secretKey).toBe(key);
    expect(c.moysklad).toEqual({ baseUrl: 'http://127.0.0.1:4010/api/remap/1.2', login: 'admin@shop', password: 'pw', token: null });
    expect(c.logLevel).toBe('debug');
    expect(loadConfig({ MOYSKLAD_TOKEN: 't' }).moysklad?.baseUrl).toBe('https://api.moysklad.ru/api/remap/1.2');
    const shown = JSON.stringify(describeConfig(c));
    expect(shown).not.toContain(key);
    expect(shown).not.toContain(':p@');
    expect(shown).not.toContain('"pw"');
  });

  it('bad or half-made configuration fails with one clear line', () => {
    expect(fail({ DATABASE_URL: 'mysql://x' })).toBe('DATABASE_URL is not a valid postgres:// URL');
    expect(fail({ DATABASE_URL: 'not a url' })).toBe('DATABASE_URL is not a valid postgres:// URL');
    expect(fail({ DATABASE_URL: 'postgres://' })).toBe('DATABASE_URL is not a valid postgres:// URL');
    expect(fail({ PORT: 'abc' })).toBe('PORT must be a number from 0 to 65535');
    expect(fail({ PORT: '70000' })).toBe('PORT must be a number from 0 to 65535');
    expect(fail({ SECRET_KEY: 'short' })).toBe('SECRET_KEY must be 32 bytes as base64 or 64 hex characters');
    expect(fail({ MOYSKLAD_LOGIN: 'a' })).toBe('MOYSKLAD_LOGIN is set but MOYSKLAD_PASSWORD is not');
    expect(fail({ MOYSKLAD_PASSWORD: 'a' })).toBe('MOYSKLAD_PASSWORD is set but MOYSKLAD_LOGIN is not');
    expect(fail({ MOYSKLAD_TOKEN: 't', MOYSKLAD_LOGIN: 'a', MOYSKLAD_PASSWORD: 'b' })).toMatch(/either MOYSKLAD_TOKEN/);
    expect(fail({ MOYSKLAD_BASE_URL: 'http://127.0.0.1:1' })).toMatch(/MOYSKLAD_BASE_URL is set but/);
    expect(fail({ PUBLIC_BASE_URL: 'ftp://x' })).toBe('PUBLIC_BASE_URL must be an http(s) URL');
    expect(fail({ TZ_SHOP: 'Mars/Olympus' })).toMatch(/^TZ_SHOP/);
    expect(fail({ LOG_LEVEL: 'loud' })).toMatch(/^LOG_LEVEL must be one of/);
    expect(fail({ ADMIN_PASSWORD: 'short' })).toBe('ADMIN_PASSWORD must have at least 8 characters');
  });
});
