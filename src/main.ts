/**
 * @module main
 * The composition root: the only place that builds real I/O (database, HTTP server, queue,
 * worker, schedules, the demo emulator) from the configuration. The CLI calls `startService`
 * for `start`/`serve`/`worker`, and `openStore` for one-shot commands.
 *
 * Start order is chosen so that bad configuration changes nothing: the port is bound first
 * (port in use → fail), then the database is reached (unreachable → fail), then the secret key
 * is checked against stored data (wrong key → fail), and only then are migrations run and the
 * demo data, key file and logs written.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createAdaptorServer } from '@hono/node-server';
import bcrypt from 'bcryptjs';
import type { Hono } from 'hono';
import { sql } from 'kysely';
import type { Clock } from './core/clock.js';
import { systemClock } from './core/clock.js';
import type { StartupErrorCode } from './core/error-codes.js';
import { AppError, errorMessage } from './core/errors.js';
import { loadOrCreateKeyFile, parseSecretKey, SecretBox } from './core/secret-box.js';
import { tightenTree } from './core/private-files.js';
import { trustedProxies } from './core/client-address.js';
import { DEFAULT_MOYSKLAD_BASE_URL, type AppConfig } from './config/config.js';
import { createEmulator, DEFAULT_ACCOUNT } from './emulator/index.js';
import { firstSyncRequests } from './app/first-syncs.js';
import { persistAfterWrites, serveDemoMoySklad, DEMO_MOYSKLAD_PATH } from './emulator/demo-sharing.js';
import { startBanner } from './app/start-banner.js';
import { IntegrationLog, type IntegrationLogInput } from './log/integration-log.js';
import { createJobQueue } from './queue/create-job-queue.js';
import { createWorker, startScheduler, type EnqueueRequest, type JobEnqueuer, type JobQueue, type QueueLogger, type Worker } from './queue/index.js';
import { placeDemoOrder } from './app/demo-order.js';
import { createApp } from './server/app.js';
import { mountAdminPanel } from './server/admin/admin-panel.js';
import { IntegrationSetupService } from './setup/integration-setup.js';
import { metrics, type Metrics } from './metrics/metrics.js';
import { createMetricsHandler } from './server/metrics.js';
import { mountHookRoutes } from './server/routes/hooks.routes.js';
import { mountMediaRoutes } from './server/routes/media.routes.js';
import { createDatabase, type StoreDatabase } from './store/database.js';
import { migrateToLatest, migrationStatus } from './store/migrate.js';
import { IntegrationRepository } from './store/repositories/integration-repository.js';
import { PriceListRepository } from './store/repositories/price-list-repository.js';
import { MsAccountRepository } from './store/repositories/ms-account-repository.js';
import { RegionRepository } from './store/repositories/region-repository.js';
import { IntegrationProblemRepository } from './store/repositories/integration-problem-repository.js';
import { JobTargetRepository } from './store/repositories/job-target-repository.js';
import { OUTBOX_KIND } from './sync/outbox/kinds.js';
import { verifySecretKey } from './store/secret-key-check.js';
import { LogEntryRepository } from './store/repositories/log-entry-repository.js';
import { MoySkladClientPool } from './sync/client-pool.js';
import { createStockSyncKinds } from './sync/stock/stock-sync-kinds.js';
import { createNomenclatureSyncKinds } from './sync/nomenclature/nomenclature-sync-kinds.js';
import { createOrderSyncKinds, drainOrderOutbox, type OrderSyncDeps } from './sync/orders/order-outbox.js';
import type { SyncRunDeps } from './sync/sync-run.js';
import { startOrderSender } from './app/order-sender.js';
import { createBalanceSyncKinds } from './sync/balance/balance-sync-kinds.js';
import { SyncRegistry } from './sync/sync-registry.js';
import { createWebhookSyncKinds, WEBHOOKS_KIND } from './sync/webhooks/webhook-sync-kinds.js';
import { createWebhookDeliveryKinds, wakeDeliveriesAfterJobs } from './sync/platform-webhooks/webhook-delivery-kind.js';
import { hookUrlPrefix } from './sync/webhooks/webhook-urls.js';
import { cronEntry } from './queue/scheduler.js';

/** The runtime's configuration: the validated environment (`loadConfig`). */
export type RuntimeConfig = AppConfig;

/** pino-compatible logger subset used by the runtime. */
export type ServiceLogger = QueueLogger;

/** Where the CLI prints what a person must see (URLs, the generated admin password). */
export interface ConsoleOut {
  out(line: string): void;
}

/** A startup failure whose message is the one line the CLI prints. */
export class StartupError extends AppError {
  constructor(code: StartupErrorCode, message: string, cause?: unknown) {
    super(code, message, cause === undefined ? {} : { cause });
    this.name = 'StartupError';
  }
}

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
    await sql`select 1`.execute(store.db);
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
    if (!fs.existsSync(file) && existing) {
      const check = await store.db.selectFrom('settings').select('key').where('key', '=', 'secret_key_check').executeTakeFirst();
      const secrets = await store.db.selectFrom('msAccounts').select('id').limit(1).executeTakeFirst();
      if (check || secrets) {
        throw new StartupError('secret_key_missing', `no SECRET_KEY and no ${file}, but the database holds encrypted credentials; set SECRET_KEY to the original key`);
      }
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

/** An HTTP server bound before the app exists: it answers 503 until `setHandler`. */
export interface BoundServer {
  url: string;
  port: number;
  setHandler(fetch: (req: Request) => Response | Promise<Response>): void;
  close(): Promise<void>;
}

/** Binds the port (fails with one line when it is in use), serving 503 `starting` meanwhile. */
export async function bindServer(port: number, host: string): Promise<BoundServer> {
  let handler: ((req: Request) => Response | Promise<Response>) | null = null;
  const server = createAdaptorServer({
    fetch: (req: Request) =>
      handler ? handler(req) : new Response(JSON.stringify({ status: 'starting' }), { status: 503, headers: { 'content-type': 'application/json' } }),
  });
  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      reject(
        new StartupError(
          'port_unavailable',
          e.code === 'EADDRINUSE' ? `port ${port} is already in use on ${host}; stop the other process or set PORT` : `cannot listen on ${host}:${port}: ${e.code ?? e.message}`,
          e,
        ),
      );
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const shownHost = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return {
    url: `http://${shownHost}:${addr.port}`,
    port: addr.port,
    setHandler: (fetch) => {
      handler = fetch;
    },
    close: () =>
      new Promise<void>((resolve) => {
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Creates the admin login unless it exists; returns the password only when it was generated now. */
export async function ensureAdminUser(store: StoreDatabase, clock: Clock, login: string, password: string | null): Promise<{ login: string; created: boolean; generatedPassword: string | null }> {
  const existing = await store.db.selectFrom('adminUsers').select('id').where('login', '=', login).executeTakeFirst();
  if (existing) return { login, created: false, generatedPassword: null };
  const plain = password ?? randomBytes(12).toString('base64url');
  await setAdminPassword(store, clock, login, plain);
  return { login, created: true, generatedPassword: password ? null : plain };
}

/** Sets (or creates) an admin login's password, hashed with bcrypt. */
export async function setAdminPassword(store: StoreDatabase, clock: Clock, login: string, password: string): Promise<'created' | 'updated'> {
  const now = clock.now().toISOString();
  const passwordHash = await bcrypt.hash(password, 10);
  const res = await store.db.updateTable('adminUsers').set({ passwordHash, updatedAt: now }).where('login', '=', login).executeTakeFirst();
  if (Number(res.numUpdatedRows) > 0) {
    // A new password ends every session of that login.
    await store.db.deleteFrom('adminSessions').where('userId', 'in', store.db.selectFrom('adminUsers').select('id').where('login', '=', login)).execute();
    return 'updated';
  }
  await store.db.insertInto('adminUsers').values({ login, passwordHash, createdAt: now, updatedAt: now }).execute();
  return 'created';
}

/** What sync runners are built from. */
export interface SyncDeps {
  db: StoreDatabase['db'];
  clock: Clock;
  clients: MoySkladClientPool;
  /** The integration and price-list log (R14, R32): `moysklad_logger.log` plus `log_entries`. */
  log: IntegrationLog;
  logger: ServiceLogger;
  /** DATA_DIR (photos are stored under it). */
  dataDir: string;
  /** PUBLIC_BASE_URL: with it the `webhooks` kind (B3) is registered. */
  publicBaseUrl?: string;
  /** API base URLs served in this process (the demo emulator), which can reach a loopback PUBLIC_BASE_URL. */
  inProcessBaseUrls?: readonly string[];
  /** Sync runs by kind and outcome (B9). */
  metrics?: Pick<Metrics, 'recordSyncRun'>;
  /** C4: the job queue, for the stock runs an order export asks for right after it moved reserves. */
  enqueuer?: JobEnqueuer;
  /** E3: with it the `webhooks.deliver` kind is registered (it decrypts the subscriptions' signing secrets). */
  secretBox?: SecretBox;
  /** P3: this process's claimer id on outbox rows. */
  instanceId?: string;
}

/** The integration log of this process, writing the file in LOG_DIR and the admin panel's entries. */
export function createIntegrationLog(config: Pick<RuntimeConfig, 'logDir'>, db: StoreDatabase['db'], clock: Clock, logger: ServiceLogger): IntegrationLog {
  return new IntegrationLog({ logDir: config.logDir, clock, entries: new LogEntryRepository(db), logger });
}

/** How sync runs are recorded: the integration log and the run metrics. */
function syncRunDepsOf(deps: SyncDeps): SyncRunDeps {
  return {
    db: deps.db,
    clock: deps.clock,
    log: {
      write: async (entry: IntegrationLogInput): Promise<void> => {
        await deps.log.write(entry);
      },
    },
    ...(deps.metrics ? { onFinished: (meta: { kind: string }, run: { status: string; durationMs: number }) => deps.metrics?.recordSyncRun(meta.kind, run.status, run.durationMs) } : {}),
  };
}

/** What the order outbox (the `outbox` kind and the P1 sender) runs with. */
export function orderSyncDepsOf(deps: SyncDeps): OrderSyncDeps {
  return {
    db: deps.db,
    clock: deps.clock,
    clients: deps.clients,
    runDeps: syncRunDepsOf(deps),
    ...(deps.enqueuer ? { enqueuer: deps.enqueuer } : {}),
    ...(deps.instanceId ? { owner: deps.instanceId } : {}),
  };
}

/**
 * The syncs that exist: each sync module adds its `registry.register({...})` call here.
 * `start` runs the `firstRun` ones once; `sync <kind>` and the API triggers look kinds up here.
 */
export function buildSyncRegistry(deps: SyncDeps): SyncRegistry {
  const registry = new SyncRegistry();
  const runDeps = syncRunDepsOf(deps);
  const base = { db: deps.db, clock: deps.clock, clients: deps.clients, runDeps };
  for (const kind of createNomenclatureSyncKinds({ ...base, dataDir: deps.dataDir })) registry.register(kind);
  for (const kind of createStockSyncKinds(base)) registry.register({ ...kind, firstRun: kind.kind === 'stock.full' });
  for (const kind of createOrderSyncKinds(orderSyncDepsOf(deps))) registry.register(kind);
  for (const kind of createBalanceSyncKinds(base)) registry.register(kind);
  if (deps.secretBox) {
    for (const kind of createWebhookDeliveryKinds({ db: deps.db, clock: deps.clock, secretBox: deps.secretBox, logger: deps.logger })) registry.register(kind);
  }
  if (deps.publicBaseUrl) {
    const inProcessBaseUrls = deps.inProcessBaseUrls ?? [];
    for (const kind of createWebhookSyncKinds({ ...base, log: runDeps.log, publicBaseUrl: deps.publicBaseUrl, inProcessBaseUrls })) registry.register(kind);
  }
  return registry;
}

export interface ServiceModes {
  server: boolean;
  worker: boolean;
  schedules: boolean;
  /** Quick start: central region, demo integration against the emulator (or MOYSKLAD_*), admin login, first syncs. */
  bootstrap: boolean;
}

export interface RunningService {
  url: string | null;
  adminUrl: string | null;
  integrationId: number | null;
  stop(): Promise<void>;
}

export interface ServiceDeps {
  clock?: Clock;
  logger: ServiceLogger;
  console: ConsoleOut;
  /** Demo mode: starts the in-process emulator (default `startDemoEmulator`). */
  startDemoMoySklad?: (clock: Clock, dataDir: string) => Promise<DemoMoySklad>;
}

/** The built-in emulator as the quick start uses it. */
export interface DemoMoySklad {
  fetch: typeof fetch;
  apiBaseUrl: string;
  login: string;
  password: string;
  organization: { id: string; name: string } | null;
  /** The demo shop's first warehouse, to which the demo price list is bound. */
  store: { id: string; name: string } | null;
  /** The hosts of the emulator's URLs (API and files), which the service serves under `/demo-moysklad/`. */
  hosts?: readonly string[];
  close(): Promise<void>;
}

/** The emulator's state file in demo mode, so that the demo shop keeps its ids across restarts. */
export const DEMO_EMULATOR_STATE_FILE = 'demo-moysklad.json';

/**
 * The built-in MoySklad emulator with the demo shop, in-process: the MoySklad client talks to it
 * through `emulator.fetch` (no socket) at `http://moysklad.emulator/api/remap/1.2`. Its state is
 * kept in `${dataDir}/demo-moysklad.json`.
 */
export async function startDemoEmulator(clock: Clock, dataDir: string): Promise<DemoMoySklad> {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const emulator = createEmulator({ clock, accounts: [DEFAULT_ACCOUNT], persistPath: path.join(dataDir, DEMO_EMULATOR_STATE_FILE) });
  const account = emulator.account(DEFAULT_ACCOUNT.login);
  const org = account.organizations[0];
  const store = account.stores[0];
  return {
    // Saved after every change, so that `sync` in another process reads the current demo shop.
    fetch: persistAfterWrites(emulator),
    apiBaseUrl: emulator.apiBaseUrl,
    hosts: [new URL(emulator.apiBaseUrl).host, new URL(emulator.fileOrigin).host],
    login: DEFAULT_ACCOUNT.login,
    password: DEFAULT_ACCOUNT.password,
    organization: org ? { id: org.id, name: typeof org.f.name === 'string' ? org.f.name : '' } : null,
    store: store ? { id: store.id, name: typeof store.f.name === 'string' ? store.f.name : 'Demo store' } : null,
    close: () => emulator.close(),
  };
}

export { firstSyncRequests } from './app/first-syncs.js';

/** Enqueues each request after the previous job has finished (checked every second of clock time). */
export async function runInOrder(queue: Pick<JobQueue, 'enqueue' | 'get'>, clock: Clock, requests: EnqueueRequest[], signal: AbortSignal): Promise<void> {
  for (const request of requests) {
    const { jobId } = await queue.enqueue(request);
    for (;;) {
      const job = await queue.get(jobId);
      if (!job || job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled') break;
      await clock.sleep(1000, signal);
    }
  }
}

/**
 * The quick start's data: the central region and its integration — against the demo emulator
 * (active, with the demo organization and a price list bound to the demo warehouse) or with the
 * MOYSKLAD_* credentials (inactive until an organization is chosen, R10). Idempotent.
 */
export async function ensureCentralIntegration(o: {
  store: StoreDatabase;
  box: SecretBox;
  clock: Clock;
  config: Pick<RuntimeConfig, 'moysklad' | 'timezone'>;
  demo: DemoMoySklad | null;
  logger: ServiceLogger;
  console: ConsoleOut;
}): Promise<number | null> {
  const { store, box, clock, demo } = o;
  // C14: a new central region runs its nightly syncs in TZ_SHOP.
  const central = await new RegionRepository(store.db, clock).ensureCentralRegion(undefined, o.config.timezone);
  const integrations = new IntegrationRepository(store.db, clock);
  const accounts = new MsAccountRepository(store.db, clock, box);
  const existing = await integrations.findByRegion(central.id);
  if (existing) return existing.id;
  if (demo) {
    const account = await accounts.upsert({ label: 'Demo shop (built-in emulator)', authKind: 'password', login: demo.login, secret: demo.password, baseUrl: demo.apiBaseUrl });
    const created = await integrations.create({
      regionId: central.id,
      msAccountId: account.id,
      active: true,
      organizationMsId: demo.organization?.id ?? null,
      organizationName: demo.organization?.name ?? null,
      exportPurchaseOrders: true,
      deleteRejectedPositions: true,
      importPhotos: true,
      categorySyncEnabled: true,
      balanceSyncEnabled: true,
    });
    if (demo.store) {
      // R11/R12: a price list bound to the demo warehouse, refreshed every 15 minutes.
      await new PriceListRepository(store.db, clock).create({ regionId: central.id, name: `Demo: ${demo.store.name}`, msStoreId: demo.store.id, syncIntervalMinutes: 15, deliveryDays: 0 });
    }
    o.logger.info({ integrationId: created.id, regionId: central.id }, 'demo integration created against the built-in emulator');
    return created.id;
  }
  const ms = o.config.moysklad;
  if (!ms) return null;
  const account = await accounts.upsert(
    ms.token
      ? { label: 'MoySklad (token)', authKind: 'user_token', secret: ms.token, baseUrl: ms.baseUrl }
      : { label: `MoySklad ${ms.login ?? ''}`.trim(), authKind: 'password', login: ms.login, secret: ms.password ?? '', baseUrl: ms.baseUrl },
  );
  // R10: not active until an organization is chosen in the admin panel.
  const created = await integrations.create({ regionId: central.id, msAccountId: account.id, active: false });
  o.console.out('A MoySklad integration for the central region was created inactive: choose its organization in the admin panel.');
  return created.id;
}

/** P1: this process's outbox sender (it runs a worker) or its wake-up of the workers' (NOTIFY on PostgreSQL). */
function startProcessOrderSender(config: RuntimeConfig, modes: ServiceModes, store: StoreDatabase, syncDeps: SyncDeps, logger: ServiceLogger): ReturnType<typeof startOrderSender> {
  const orderDeps = orderSyncDepsOf(syncDeps);
  return startOrderSender({
    db: store.db,
    clock: syncDeps.clock,
    dialect: store.dialect,
    databaseUrl: config.databaseUrl,
    owner: syncDeps.instanceId!,
    sends: modes.worker,
    drain: (signal) => drainOrderOutbox(orderDeps, { trigger: 'api', signal }),
    onError: (e, what) => logger.warn({ err: { message: errorMessage(e) } }, `${what} failed`),
  });
}

/** The schedules (B3: the module's MoySklad webhooks reconciled nightly, and once at start); returns their stop. */
function startSchedules(config: RuntimeConfig, queue: JobQueue, store: StoreDatabase, clock: Clock, logger: ServiceLogger, jobTargets: JobTargetRepository): () => Promise<void> {
  // B3: the module's MoySklad webhooks are reconciled nightly, and once at start.
  const webhooksNightly = cronEntry(`nightly:${WEBHOOKS_KIND}`, '20 0 * * *', config.timezone, { kind: WEBHOOKS_KIND, trigger: 'schedule' });
  const scheduler = startScheduler({
    queue,
    db: store.db,
    clock,
    logger,
    timezone: config.timezone,
    targets: jobTargets.scheduleTargets,
    blocked: () => new IntegrationProblemRepository(store.db, clock).blockedNow(),
    extraEntries: [webhooksNightly],
  });
  void queue.enqueue({ kind: WEBHOOKS_KIND, trigger: 'schedule' }).catch((e: unknown) => logger.warn({ err: { message: errorMessage(e) } }, 'enqueueing the webhooks run failed'));
  return () => scheduler.stop();
}

/** Runs the server and/or the worker and schedules until `stop()`. */
export async function startService(config: RuntimeConfig, modes: ServiceModes, deps: ServiceDeps): Promise<RunningService> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const cleanups: (() => Promise<void>)[] = [];
  let closeServer: (() => Promise<void>) | null = null;
  const stop = async (): Promise<void> => {
    // Stop taking requests first, then stop the work, then close what the work used.
    const server = closeServer;
    closeServer = null;
    if (server) await server().catch((e: unknown) => logger.warn({ err: { message: errorMessage(e) } }, 'closing the HTTP server failed'));
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => logger.warn({ err: { message: errorMessage(e) } }, 'shutdown step failed'));
    cleanups.length = 0;
  };
  try {
    const bound = modes.server ? await bindServer(config.port, config.host) : null;
    if (bound) closeServer = () => bound.close();
    const { store, box } = await prepareStore(config, clock);
    cleanups.push(() => store.destroy());
    // S4: an install made before files were private is tightened (directories 0700, files 0600).
    for (const dir of [config.dataDir, config.logDir]) tightenTree(dir);

    let demo: DemoMoySklad | null = null;
    let integrationId: number | null = null;
    // Without MOYSKLAD_* the MoySklad of this process is the in-process demo emulator.
    if (!config.moysklad && (modes.bootstrap || modes.worker)) {
      demo = await (deps.startDemoMoySklad ?? startDemoEmulator)(clock, config.dataDir);
      const demoRef = demo;
      cleanups.push(() => demoRef.close());
    }
    if (modes.bootstrap) integrationId = await ensureCentralIntegration({ store, box, clock, config, demo, logger, console: deps.console });

    const clients = new MoySkladClientPool({
      db: store.db,
      secretBox: box,
      clock,
      ...(demo ? { fetch: demo.fetch } : {}),
      // B9: MoySklad requests by status and code, and 429s, on /metrics.
      onRequest: (event) => metrics.recordMoyskladRequest(event.status ?? 0, event.msCode),
      // B3: the module's own writes do not come back to it as webhooks.
      clientOptions: { writeHeaders: { 'X-Lognex-WebHook-DisableByPrefix': hookUrlPrefix(config.publicBaseUrl) } },
    });
    const log = createIntegrationLog(config, store.db, clock, logger);
    cleanups.push(async () => log.close());
    // The registry is built before the queue (the queue needs its kinds); runners reach the queue late.
    let queueRef: JobQueue | null = null;
    const lateEnqueuer: JobEnqueuer = {
      enqueue: (request) => {
        if (!queueRef) throw new Error('the job queue is not started yet');
        return queueRef.enqueue(request);
      },
    };
    const syncDeps: SyncDeps = {
      db: store.db,
      clock,
      clients,
      log,
      logger,
      dataDir: config.dataDir,
      publicBaseUrl: config.publicBaseUrl,
      inProcessBaseUrls: demo ? [demo.apiBaseUrl] : [],
      metrics,
      secretBox: box,
      enqueuer: lateEnqueuer,
      // P3: a single process (`start`) restarted on this host takes its own in-flight rows back at once.
      instanceId: modes.server && modes.worker ? `${hostname()}:start` : `${hostname()}:${process.pid}`,
    };
    const syncs = buildSyncRegistry(syncDeps);
    const queue: JobQueue = createJobQueue({ dialect: store.dialect, db: store.db, clock, databaseUrl: config.databaseUrl, kinds: syncs.list().map((k) => k.kind), metrics });
    // E3: a job that queued platform webhook deliveries is followed by a delivery run at once.
    syncs.attachToQueue(wakeDeliveriesAfterJobs(queue, { db: store.db, clock, logger }));
    queueRef = queue;
    await queue.start();
    cleanups.push(() => queue.stop());
    // Every kind is reported, idle ones as 0, so that the series exist before the first job.
    const idle = Object.fromEntries(syncs.list().map((k) => [k.kind, { queued: 0, running: 0 }]));
    metrics.setQueueDepthSource(async () => ({ ...idle, ...(await queue.depth()) }));
    cleanups.push(async () => metrics.setQueueDepthSource(undefined));

    // The queue reads product tables only through these (credential of a job, schedule targets, C10 blocks).
    const jobTargets = new JobTargetRepository(store.db);
    let worker: Worker | null = null;
    if (modes.worker) {
      // B2: a credential lease carries its limiter state to the next worker that takes it (no burst into 429s).
      worker = createWorker({ db: store.db, queue, clock, logger, metrics, leaseKeyFor: jobTargets.leaseKeyFor, handover: clients.leaseHandover() });
      worker.start();
      const w = worker;
      cleanups.push(() => w.stop({ deadlineMs: 10_000 }));
    }
    // P1: a commit wakes the outbox sender (this process's, or the workers' through NOTIFY).
    const outbox = await startProcessOrderSender(config, modes, store, syncDeps, logger);
    cleanups.push(() => outbox.stop());
    if (modes.schedules) cleanups.push(startSchedules(config, queue, store, clock, logger, jobTargets));

    let adminUrl: string | null = null;
    if (bound) {
      const app = createApp({
        db: store.db,
        clock,
        ...(outbox.wake ? { wake: outbox.wake } : {}),
        enqueuer: queue,
        syncs,
        publicBaseUrl: config.publicBaseUrl,
        defaultTimeZone: config.timezone,
        secretBox: box,
        logger,
        readiness: { migrationStatus: () => migrationStatus(store.db) },
        mountAdmin: (a: Hono) =>
          mountAdminPanel(a, {
            defaultTimeZone: config.timezone,
            db: store.db,
            clock,
            enqueuer: queue,
            syncs,
            setup: new IntegrationSetupService({
              db: store.db,
              clock,
              secretBox: box,
              clients,
              defaultBaseUrl: config.moysklad?.baseUrl ?? demo?.apiBaseUrl ?? DEFAULT_MOYSKLAD_BASE_URL,
              onSecret: (s) => log.redactor.addSecret(s),
              // B3: register (or remove) the account's webhooks right away.
              onActiveChanged: async (id) => {
                await queue.enqueue({ kind: WEBHOOKS_KIND, integrationId: id, trigger: 'admin' });
              },
            }),
            logDir: config.logDir,
            publicBaseUrl: config.publicBaseUrl,
            trustedProxies: trustedProxies(config.trustedProxies),
            ...(outbox.wake ? { wake: outbox.wake } : {}),
          }),
        mountExtra: (a: Hono) => {
          const handler = createMetricsHandler(metrics);
          a.get('/metrics', () => handler());
          mountMediaRoutes(a, { db: store.db, clock, dataDir: config.dataDir });
          mountHookRoutes(a, { db: store.db, clock, enqueuer: queue, logger });
          const demoRef = demo;
          if (demoRef?.hosts) a.all(`${DEMO_MOYSKLAD_PATH}/*`, (c) => serveDemoMoySklad(c.req.raw, demoRef.fetch, demoRef.hosts ?? []));
        },
      });
      bound.setHandler((req) => app.fetch(req));
      adminUrl = `${config.publicBaseUrl.replace(/\/$/, '')}/admin`;
      logger.info({ url: bound.url }, 'HTTP server listening');
    }

    if (modes.bootstrap) {
      const admin = await ensureAdminUser(store, clock, config.adminLogin, config.adminPassword);
      if (integrationId !== null) {
        const integration = await new IntegrationRepository(store.db, clock).get(integrationId);
        if (integration.active) {
          const priceLists = await store.db.selectFrom('priceLists').select('id').where('regionId', '=', integration.regionId).where('msStoreId', 'is not', null).execute();
          const requests = firstSyncRequests(syncs, integrationId, priceLists.map((p) => Number(p.id)));
          const abort = new AbortController();
          cleanups.push(async () => abort.abort());
          const demoPriceList = demo ? priceLists[0] : undefined;
          void runInOrder(queue, clock, requests, abort.signal)
            .then(async () => {
              // The demo shop: a variant ordered from the demo price list, exported with its reserve.
              if (!demoPriceList || abort.signal.aborted) return;
              const placed = await placeDemoOrder({ db: store.db, clock, ...(outbox.wake ? { wake: outbox.wake } : {}) }, { regionId: integration.regionId, priceListId: Number(demoPriceList.id) });
              if (!placed.placed) return;
              logger.info({ orderId: placed.orderId, part: `${placed.brand} ${placed.article}`, kind: placed.kind }, 'demo order placed');
              if (!outbox.wake) await queue.enqueue({ kind: OUTBOX_KIND, trigger: 'manual' });
            })
            .catch((e: unknown) => {
              if (!abort.signal.aborted) logger.warn({ err: { message: errorMessage(e) } }, 'first syncs stopped');
            });
        }
      }
      if (bound) {
        deps.console.out(
          startBanner({
            url: bound.url,
            demo: demo !== null,
            adminUrl: adminUrl ?? '',
            login: admin.login,
            password: admin.generatedPassword,
            passwordSource: admin.generatedPassword ? 'generated' : admin.created ? 'env' : 'existing',
            apiDocsUrl: `${config.publicBaseUrl.replace(/\/$/, '')}/api/v1/docs`,
          }),
        );
      }
    }
    return { url: bound?.url ?? null, adminUrl, integrationId, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
