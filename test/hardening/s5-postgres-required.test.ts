/**
 * S5: with `CI=true` or `TEST_DATABASE_URL` an unreachable PostgreSQL fails the test run (its cases
 * are not skipped); the probe retries before it gives up; with PostgreSQL up its cases run.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { postgresRequired, probePostgres } from '../helpers/databases.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const UNREACHABLE = 'postgres://postgres@127.0.0.1:1/test';

function runFixture(env: Record<string, string | undefined>): { status: number | null; out: string } {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  delete clean.CI;
  delete clean.TEST_DATABASE_URL;
  delete clean.VITEST;
  delete clean.VITEST_POOL_ID;
  delete clean.VITEST_WORKER_ID;
  delete clean.NODE_OPTIONS;
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/hardening/fixtures/vitest.s5.config.ts'], {
    cwd: ROOT,
    env: { ...clean, ...env, PG_PROBE_SECONDS: '2' },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('S5 PostgreSQL is required in CI', () => {
  it('S5 CI=true or TEST_DATABASE_URL make PostgreSQL required; neither leaves it optional', () => {
    expect(postgresRequired({ CI: 'true' })).toBe(true);
    expect(postgresRequired({ CI: '1' })).toBe(true);
    expect(postgresRequired({ TEST_DATABASE_URL: 'postgres://x@h/db' })).toBe(true);
    expect(postgresRequired({ CI: 'false' })).toBe(false);
    expect(postgresRequired({})).toBe(false);
  });

  it('S5 the probe retries until its deadline instead of giving up after one failed connect', () => {
    const started = Date.now();
    const reason = probePostgres(UNREACHABLE, 2_000);
    expect(reason).toMatch(/ECONNREFUSED|connect/i);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
  });

  it('S5 with CI=true an unreachable PostgreSQL fails the run; with PostgreSQL up its cases run', () => {
    const failing = runFixture({ CI: 'true', TEST_DATABASE_URL: UNREACHABLE });
    expect(failing.status, failing.out).not.toBe(0);
    expect(failing.out).toMatch(/PostgresRequiredError|unreachable/);

    const optional = runFixture({ TEST_DATABASE_URL: '' });
    // TEST_DATABASE_URL='' counts as unset: the default URL is used; PostgreSQL is up on this machine.
    expect(optional.status, optional.out).toBe(0);
    expect(optional.out).toMatch(/2 passed/);
  }, 120_000);
});
