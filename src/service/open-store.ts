/**
 * @module open-store
 * Opening the database for the service and the CLI, in the order that lets bad configuration
 * change nothing: reach the database (unreachable → fail), check the secret key against the stored
 * data (wrong key → fail), and only then migrate.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Clock } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import { loadOrCreateKeyFile, parseSecretKey, SecretBox } from '../core/secret-box.js';
import { createDatabase, type StoreDatabase } from '../store/database.js';
import { migrateToLatest, migrationStatus } from '../store/migrate.js';
import { pingDatabase } from '../store/ping.js';
import { holdsEncryptedData, verifySecretKey } from '../store/secret-key-check.js';
import { StartupError, type RuntimeConfig } from './runtime-types.js';

export const SECRET_KEY_FILE = 'secret.key';

function describePg(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}

/** Opens the database and proves it answers (`select 1`). Nothing is written. */
export async function openStore(config: Pick<RuntimeConfig, 'databaseUrl' | 'dataDir'>): Promise<StoreDatabase> {
  let store: StoreDatabase;
  try {
    store = createDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (e) {
    throw new StartupError('database_unavailable', errorMessage(e), e);
  }
  try {
    await pingDatabase(store.db);
  } catch (e) {
    await store.destroy().catch(() => undefined);
    const code = (e as { code?: string }).code;
    const where = config.databaseUrl ? `PostgreSQL at ${describePg(config.databaseUrl)}` : `SQLite in ${config.dataDir}`;
    throw new StartupError('database_unavailable', `cannot connect to ${where}: ${code ?? errorMessage(e).split('\n')[0]}`, e);
  }
  return store;
}

/** True when the initial migration has run on this database (i.e. it may hold data). */
async function hasSchema(store: StoreDatabase): Promise<boolean> {
  const status = await migrationStatus(store.db);
  return status.applied.length > 0;
}

/**
 * The secret box for this data: SECRET_KEY, else the key file; the key file is created only
 * when the database holds no encrypted data yet. Verified against the stored key check.
 */
export async function openSecretBox(store: StoreDatabase, config: Pick<RuntimeConfig, 'secretKey' | 'dataDir'>, clock: Clock): Promise<SecretBox> {
  const existing = await hasSchema(store);
  let key: Buffer;
  if (config.secretKey) {
    const parsed = parseSecretKey(config.secretKey);
    if (!parsed) throw new StartupError('secret_key_invalid', 'SECRET_KEY must be 32 bytes as base64 or 64 hex characters');
    key = parsed;
  } else {
    const file = path.join(config.dataDir, SECRET_KEY_FILE);
    if (!fs.existsSync(file) && existing && (await holdsEncryptedData(store.db))) {
      throw new StartupError('secret_key_missing', `no SECRET_KEY and no ${file}, but the database holds encrypted credentials; set SECRET_KEY to the original key`);
    }
    try {
      key = loadOrCreateKeyFile(file).key;
    } catch (e) {
      throw new StartupError('secret_key_invalid', errorMessage(e), e);
    }
  }
  const box = new SecretBox(key);
  if (existing) {
    try {
      await verifySecretKey(store.db, box, clock);
    } catch (e) {
      throw new StartupError('secret_key_mismatch', errorMessage(e), e);
    }
  }
  return box;
}

/** Opens, checks and migrates the database; returns it with the verified secret box. */
export async function prepareStore(
  config: Pick<RuntimeConfig, 'databaseUrl' | 'dataDir' | 'secretKey'>,
  clock: Clock,
): Promise<{ store: StoreDatabase; box: SecretBox; applied: string[] }> {
  const store = await openStore(config);
  try {
    const box = await openSecretBox(store, config, clock);
    const { applied } = await migrateToLatest(store.db);
    await verifySecretKey(store.db, box, clock);
    return { store, box, applied };
  } catch (e) {
    await store.destroy().catch(() => undefined);
    if (e instanceof StartupError) throw e;
    throw new StartupError('migration_failed', errorMessage(e).split('\n')[0] ?? 'migration failed', e);
  }
}
