/**
 * @module sync-fixture (test helper)
 * Everything a sync test needs, real end to end: a migrated database (SQLite or PostgreSQL),
 * the MoySklad emulator on a shared ManualClock, a SecretBox, the client pool talking HTTP to the
 * emulator (in-process fetch), and a region + MoySklad account + active integration row.
 *
 * ```ts
 * const fx = await createSyncFixture({ dialect: 'sqlite' });
 * const ctx = await fx.integrationContext();
 * // …run a sync against ctx, assert on fx.db and fx.emulator.account('admin@demo')…
 * await fx.dispose();
 * ```
 */
import { randomBytes } from 'node:crypto';
import { ManualClock } from '../../src/core/clock.js';
import { SecretBox } from '../../src/core/secret-box.js';
import { createEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import type { DialectName } from '../../src/store/database.js';
import type { IntegrationRow } from '../../src/store/schema.js';
import { MoySkladClientPool } from '../../src/sync/client-pool.js';
import { loadIntegrationContext, type IntegrationContext } from '../../src/sync/integration-context.js';
import type { IntegrationLogEntry, IntegrationLogWriter, SyncRunDeps } from '../../src/sync/sync-run.js';
import { openTestDatabase, type TestDatabase } from './databases.js';
import { seedIntegrationRows } from './seed-integration.js';

export interface SyncFixtureOptions {
  dialect?: DialectName;
  clock?: ManualClock;
  emulator?: EmulatorOptions;
  /** Login of the emulator account the integration uses (default `admin@demo`, password `demo`). */
  login?: string;
  password?: string;
  /** Integration options to set (organization defaults to the account's first organization). */
  integration?: Partial<Omit<IntegrationRow, 'id' | 'regionId' | 'msAccountId' | 'createdAt' | 'updatedAt'>>;
}

/** Collects log entries in memory (and lets tests read them). */
export class RecordingLog implements IntegrationLogWriter {
  readonly entries: IntegrationLogEntry[] = [];
  write(entry: IntegrationLogEntry): void {
    this.entries.push(entry);
  }
  messages(level?: IntegrationLogEntry['level']): string[] {
    return this.entries.filter((e) => !level || e.level === level).map((e) => e.message);
  }
}

export interface SyncFixture {
  clock: ManualClock;
  database: TestDatabase;
  db: TestDatabase['db'];
  emulator: Emulator;
  secretBox: SecretBox;
  clients: MoySkladClientPool;
  log: RecordingLog;
  runDeps: SyncRunDeps;
  regionId: number;
  msAccountId: number;
  integrationId: number;
  integrationContext(): Promise<IntegrationContext>;
  dispose(): Promise<void>;
}

export async function createSyncFixture(options: SyncFixtureOptions = {}): Promise<SyncFixture> {
  const clock = options.clock ?? new ManualClock();
  const database = await openTestDatabase(options.dialect ?? 'sqlite');
  const { db } = database;
  const emulator = createEmulator({ clock, ...options.emulator });
  const secretBox = new SecretBox(randomBytes(32));
  const clients = new MoySkladClientPool({ db, secretBox, clock, fetch: emulator.fetch });
  const log = new RecordingLog();
  const login = options.login ?? 'admin@demo';
  const password = options.password ?? 'demo';
  const now = clock.now().toISOString();

  const { regionId, msAccountId, integrationId } = await seedIntegrationRows(db, {
    now,
    secretBox,
    baseUrl: emulator.apiBaseUrl,
    account: { label: login, authKind: 'password', login, credentialKey: login.toLowerCase(), secret: password },
    integration: async (accountId) => {
      const organizations = await clients.forAccountRow(await db.selectFrom('msAccounts').selectAll().where('id', '=', accountId).executeTakeFirstOrThrow()).organizations();
      const org = organizations[0];
      return { organizationMsId: org?.id ?? null, organizationName: org?.name ?? null, ...options.integration };
    },
  });

  return {
    clock,
    database,
    db,
    emulator,
    secretBox,
    clients,
    log,
    runDeps: { db, clock, log },
    regionId,
    msAccountId,
    integrationId,
    integrationContext: () => loadIntegrationContext(db, clients, integrationId),
    async dispose() {
      await emulator.close();
      await database.dispose();
    },
  };
}
