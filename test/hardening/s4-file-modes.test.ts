/**
 * S4: the database with its WAL, the key file, logs, photos and the demo emulator's state are
 * created private to the service's user (files 0600, directories 0700) even under a permissive
 * umask (explicit modes), and an existing install with loose modes is tightened at start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.js';
import { PRIVATE_UMASK, restrictUmask, tightenTree } from '../../src/core/private-files.js';
import { loadOrCreateKeyFile } from '../../src/core/secret-box.js';
import { loadConfig } from '../../src/config/config.js';
import { createEmulator, DEFAULT_ACCOUNT } from '../../src/emulator/index.js';
import { RotatingFile } from '../../src/log/rotating-file.js';
import { startService } from '../../src/main.js';
import { createDatabase, SQLITE_FILE_NAME } from '../../src/store/database.js';
import { migrateToLatest } from '../../src/store/migrate.js';
import { BlobStore } from '../../src/sync/photos/blob-store.js';

const mode = (p: string): string => (fs.statSync(p).mode & 0o777).toString(8);
const dirs: string[] = [];
const tmp = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'mse-s4-'));
  dirs.push(d);
  return path.join(d, 'install');
};
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('S4 private files', () => {
  let previous = 0;
  beforeEach(() => {
    // A permissive umask: the modes must come from the code, not from the environment.
    previous = process.umask(0o022);
  });
  afterEach(() => {
    process.umask(previous);
  });

  it('S4 the SQLite database, its -wal and -shm, the key file, logs, photos and the emulator state are 0600 in 0700 directories', async () => {
    const dataDir = tmp();
    const logDir = path.join(path.dirname(dataDir), 'logs');
    const store = createDatabase({ dataDir });
    await migrateToLatest(store.db);
    await sql`create table s4_probe (x integer)`.execute(store.db);
    await sql`insert into s4_probe (x) values (1)`.execute(store.db);
    const clock = new ManualClock();
    const blobs = new BlobStore(store.db, clock, dataDir);
    const { hash } = await blobs.put(new Uint8Array([137, 80, 78, 71, 1, 2, 3]), 'a.png');
    loadOrCreateKeyFile(path.join(dataDir, 'secret.key'));
    const log = new RotatingFile(path.join(logDir, 'moysklad_logger.log'));
    log.writeLine('{"s4":true}');
    log.close();
    const emulator = createEmulator({ clock, accounts: [DEFAULT_ACCOUNT], persistPath: path.join(dataDir, 'demo-moysklad.json') });
    await emulator.close();

    const files = [SQLITE_FILE_NAME, `${SQLITE_FILE_NAME}-wal`, `${SQLITE_FILE_NAME}-shm`, 'secret.key', 'demo-moysklad.json', path.join('blobs', hash.slice(0, 2), hash)];
    const actual: Record<string, string> = {};
    for (const f of files) actual[f] = mode(path.join(dataDir, f));
    actual['logs/moysklad_logger.log'] = mode(path.join(logDir, 'moysklad_logger.log'));
    actual['<data dir>'] = mode(dataDir);
    actual['<log dir>'] = mode(logDir);
    actual['blobs/'] = mode(path.join(dataDir, 'blobs'));
    actual['blobs/xx/'] = mode(path.join(dataDir, 'blobs', hash.slice(0, 2)));
    await store.destroy();
    expect(actual).toEqual({
      [SQLITE_FILE_NAME]: '600', [`${SQLITE_FILE_NAME}-wal`]: '600', [`${SQLITE_FILE_NAME}-shm`]: '600', 'secret.key': '600', 'demo-moysklad.json': '600',
      [path.join('blobs', hash.slice(0, 2), hash)]: '600', 'logs/moysklad_logger.log': '600',
      '<data dir>': '700', '<log dir>': '700', 'blobs/': '700', 'blobs/xx/': '700',
    });
  });

  it('S4 the service tightens an existing install at start (directories 0700, files 0600), and the CLI sets umask 077', async () => {
    const dataDir = tmp();
    const logDir = path.join(path.dirname(dataDir), 'logs');
    fs.mkdirSync(path.join(dataDir, 'blobs', 'ab'), { recursive: true, mode: 0o755 });
    fs.chmodSync(dataDir, 0o755);
    fs.writeFileSync(path.join(dataDir, 'blobs', 'ab', 'old-photo'), 'x', { mode: 0o644 });
    fs.mkdirSync(logDir, { mode: 0o755 });
    fs.writeFileSync(path.join(logDir, 'moysklad_logger.log.1'), 'old\n', { mode: 0o644 });
    const config = loadConfig({ DATA_DIR: dataDir, LOG_DIR: logDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' });
    const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined, child: () => logger } as never;
    const service = await startService(config, { server: false, worker: false, schedules: false, bootstrap: false }, { logger, console: { out: () => undefined } });
    await service.stop();
    expect([dataDir, path.join(dataDir, 'blobs'), path.join(dataDir, 'blobs', 'ab'), logDir].map(mode)).toEqual(['700', '700', '700', '700']);
    expect([path.join(dataDir, 'blobs', 'ab', 'old-photo'), path.join(logDir, 'moysklad_logger.log.1')].map(mode)).toEqual(['600', '600']);
    expect(fs.readdirSync(dataDir).filter((f) => fs.statSync(path.join(dataDir, f)).isFile()).map((f) => [f, mode(path.join(dataDir, f))]).filter(([, m]) => m !== '600')).toEqual([]);
    expect(tightenTree(dataDir)).toBe(0);

    restrictUmask();
    expect(process.umask()).toBe(PRIVATE_UMASK);
    const main = fs.readFileSync(path.resolve(import.meta.dirname, '../../src/cli/main.ts'), 'utf8');
    expect(main).toMatch(/^restrictUmask\(\);$/m);
  });
});
