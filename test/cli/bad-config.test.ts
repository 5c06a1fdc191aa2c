import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { prepareStore } from '../../src/main.js';
import { ApiTokenService } from '../../src/server/auth.js';
import { cleanEnv, occupyPort, runCli, snapshotDir, tempDir } from './cli-helpers.js';

const dirs: string[] = [];
const fresh = (): { root: string; dataDir: string; logDir: string } => {
  const root = tempDir();
  dirs.push(root);
  return { root, dataDir: path.join(root, 'data'), logDir: path.join(root, 'logs') };
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** Exactly one non-empty line on stderr. */
const oneLine = (stderr: string): string => {
  const lines = stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines, `stderr was: ${stderr}`).toHaveLength(1);
  return lines[0]!;
};

// Each case spawns the real CLI; on a loaded machine a spawn can take many seconds.
describe.concurrent('CLI bad configuration: one clear line, non-zero exit, nothing changed', { timeout: 180_000 }, () => {
  it('B7 an unparseable DATABASE_URL fails before anything is created', async () => {
    const d = fresh();
    const r = await runCli(['start'], cleanEnv({ DATA_DIR: d.dataDir, LOG_DIR: d.logDir, DATABASE_URL: 'postgres//oops', PORT: '0' }));
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe('moysklad-exchange: DATABASE_URL is not a valid postgres:// URL');
    expect(fs.existsSync(d.dataDir)).toBe(false);
    expect(fs.existsSync(d.logDir)).toBe(false);
  });

  it('B7 an unreachable PostgreSQL fails with the address and creates nothing', async () => {
    const d = fresh();
    const r = await runCli(['migrate'], cleanEnv({ DATA_DIR: d.dataDir, LOG_DIR: d.logDir, DATABASE_URL: 'postgres://postgres@127.0.0.1:1/test' }));
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/^moysklad-exchange: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/test: ECONNREFUSED$/);
    expect(fs.existsSync(d.dataDir)).toBe(false);
  });

  it('B9 a port in use fails before the database is touched', async () => {
    const d = fresh();
    const busy = await occupyPort();
    try {
      const r = await runCli(['start'], cleanEnv({ DATA_DIR: d.dataDir, LOG_DIR: d.logDir, PORT: String(busy.port) }));
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toBe(`moysklad-exchange: port ${busy.port} is already in use on 0.0.0.0; stop the other process or set PORT`);
      expect(fs.existsSync(d.dataDir)).toBe(false);
    } finally {
      await busy.close();
    }
  });

  it('B8 a wrong SECRET_KEY for existing encrypted data fails and leaves the data as it was', async () => {
    const d = fresh();
    const keyA = randomBytes(32).toString('base64');
    const keyB = randomBytes(32).toString('base64');
    const env = (key: string) => cleanEnv({ DATA_DIR: d.dataDir, LOG_DIR: d.logDir, SECRET_KEY: key });
    // Existing data encrypted with key A (set up in-process: what `token create` would leave).
    const { store } = await prepareStore({ databaseUrl: null, dataDir: d.dataDir, secretKey: keyA }, systemClock);
    await new ApiTokenService({ db: store.db, clock: systemClock }).create('platform');
    await store.destroy();
    const before = snapshotDir(d.dataDir);
    expect(Object.keys(before)).toContain('moysklad-exchange.sqlite');
    for (const args of [['migrate'], ['start']]) {
      const r = await runCli(args, { ...env(keyB), PORT: '0' });
      expect(r.code, args.join(' ')).toBe(1);
      expect(oneLine(r.stderr)).toMatch(/^moysklad-exchange: SECRET_KEY does not match the key that encrypted the stored credentials/);
    }
    expect(snapshotDir(d.dataDir)).toEqual(before);
    expect(fs.existsSync(path.join(d.dataDir, 'secret.key'))).toBe(false);
  });

  it('B8 a missing key file for a database that holds encrypted data is refused, not regenerated', async () => {
    const d = fresh();
    // A database set up with a generated key file (what the first `migrate`/`start` leaves).
    const { store } = await prepareStore({ databaseUrl: null, dataDir: d.dataDir, secretKey: null }, systemClock);
    await store.destroy();
    expect(fs.existsSync(path.join(d.dataDir, 'secret.key'))).toBe(true);
    fs.rmSync(path.join(d.dataDir, 'secret.key'));
    const before = snapshotDir(d.dataDir);
    const r = await runCli(['migrate'], cleanEnv({ DATA_DIR: d.dataDir, LOG_DIR: d.logDir }));
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(/no SECRET_KEY and no .*secret\.key, but the database holds encrypted credentials/);
    expect(snapshotDir(d.dataDir)).toEqual(before);
  });

  it('B7 a half-made MoySklad setup (login without password) is one line and exit code 2', async () => {
    const d = fresh();
    const r = await runCli(['start'], cleanEnv({ DATA_DIR: d.dataDir, LOG_DIR: d.logDir, MOYSKLAD_LOGIN: 'admin@shop' }));
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toBe('moysklad-exchange: MOYSKLAD_LOGIN is set but MOYSKLAD_PASSWORD is not');
    expect(fs.existsSync(d.dataDir)).toBe(false);
  });

  it('B9 --help of a command is printed by the real CLI', async () => {
    const r = await runCli(['start', '--help'], cleanEnv({}));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: moysklad-exchange start');
    expect(r.stdout).toContain('built-in MoySklad emulator');
  });
});
