import { describe, expect, it } from 'vitest';
import { buildProgram, type CliIo } from '../../src/cli/program.js';
import { loadRuntimeConfig } from '../../src/cli/runtime-config.js';
import { formatProgress } from '../../src/cli/sync-command.js';

const io: CliIo = {
  env: {},
  stdout: { write: () => true },
  stderr: { write: () => true },
  loadConfig: () => {
    throw new Error('not used');
  },
  createLogger: () => ({ debug() {}, info() {}, warn() {}, error() {} }),
  waitForShutdown: () => new Promise(() => undefined),
  setExitCode: () => undefined,
};

describe('CLI program', () => {
  it('B9 every command and subcommand has --help text that explains it', () => {
    const program = buildProgram(io);
    const names = program.commands.map((c) => c.name());
    expect(names).toEqual(expect.arrayContaining(['start', 'serve', 'worker', 'migrate', 'sync', 'token', 'admin']));
    const all = program.commands.flatMap((c) => [c, ...c.commands]);
    for (const c of all) {
      expect(c.description().length, c.name()).toBeGreaterThan(30);
      expect(c.helpInformation()).toContain('Usage:');
    }
    expect(all.map((c) => c.name())).toEqual(expect.arrayContaining(['create', 'list', 'revoke', 'set-password']));
  });

  it('B9 sync progress lines show done/total and percent', () => {
    expect(formatProgress('nomenclature.full', { done: 1200, total: 5000, message: 'page 2' })).toBe('nomenclature.full  1200/5000 24%  page 2');
    expect(formatProgress('categories', { done: 7 })).toBe('categories  7');
  });
});

describe('runtime configuration', () => {
  it('B7 defaults need no configuration at all (demo mode)', () => {
    const c = loadRuntimeConfig({}, '/srv/app');
    expect(c).toMatchObject({ port: 3000, host: '0.0.0.0', databaseUrl: null, dataDir: '/srv/app/data', logDir: '/srv/app/logs', moysklad: null, adminLogin: 'admin', publicBaseUrl: 'http://localhost:3000' });
  });

  it.each([
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL is not a valid postgres:// URL'],
    [{ PORT: 'http' }, 'PORT must be a number from 0 to 65535, got "http"'],
    [{ MOYSKLAD_PASSWORD: 'x' }, 'MOYSKLAD_PASSWORD is set but MOYSKLAD_LOGIN is not'],
    [{ MOYSKLAD_TOKEN: 't', MOYSKLAD_LOGIN: 'l', MOYSKLAD_PASSWORD: 'p' }, 'set either MOYSKLAD_TOKEN or MOYSKLAD_LOGIN/MOYSKLAD_PASSWORD, not both'],
    [{ MOYSKLAD_BASE_URL: 'http://127.0.0.1:8090/api/remap/1.2' }, 'MOYSKLAD_BASE_URL is set but neither MOYSKLAD_LOGIN/MOYSKLAD_PASSWORD nor MOYSKLAD_TOKEN is'],
    [{ ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD must have at least 8 characters'],
    [{ PUBLIC_BASE_URL: 'ftp://x' }, 'PUBLIC_BASE_URL must be an http(s) URL, got "ftp://x"'],
  ])('B7 half-configured %o fails with one line', (env, message) => {
    expect(() => loadRuntimeConfig(env)).toThrow(message);
  });
});
