/**
 * @module compose-syncs
 * The syncs of this process built from their dependencies: the MoySklad client pool, the
 * integration log, the run recording, and the `SyncRegistry` every trigger looks kinds up in.
 */
import type { Clock } from '../core/clock.js';
import type { SecretBox } from '../core/secret-box.js';
import { IntegrationLog, type IntegrationLogInput } from '../log/integration-log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { JobEnqueuer } from '../queue/index.js';
import type { StoreDatabase } from '../store/database.js';
import { LogEntryRepository } from '../store/repositories/log-entry-repository.js';
import { createBalanceSyncKinds } from '../sync/balance/balance-sync-kinds.js';
import { MoySkladClientPool, type ClientPoolDeps } from '../sync/client-pool.js';
import { createNomenclatureSyncKinds } from '../sync/nomenclature/nomenclature-sync-kinds.js';
import { createOrderSyncKinds, type OrderSyncDeps } from '../sync/orders/order-outbox.js';
import { createWebhookDeliveryKinds } from '../sync/platform-webhooks/webhook-delivery-kind.js';
import { createStockSyncKinds } from '../sync/stock/stock-sync-kinds.js';
import { SyncRegistry } from '../sync/sync-registry.js';
import type { SyncRunDeps } from '../sync/sync-run.js';
import { createWebhookSyncKinds } from '../sync/webhooks/webhook-sync-kinds.js';
import { hookUrlPrefix } from '../sync/webhooks/webhook-urls.js';
import type { RuntimeConfig, ServiceLogger } from './runtime-types.js';

/**
 * The MoySklad client pool over the stored accounts; `fetch` is the demo emulator's in demo mode.
 * B3: the module's own writes carry the header that keeps them from coming back to it as webhooks.
 */
export function createClientPool(o: {
  store: StoreDatabase;
  box: SecretBox;
  clock: Clock;
  publicBaseUrl: string;
  fetch?: typeof fetch | undefined;
  onRequest?: ClientPoolDeps['onRequest'];
}): MoySkladClientPool {
  return new MoySkladClientPool({
    db: o.store.db,
    secretBox: o.box,
    clock: o.clock,
    ...(o.fetch ? { fetch: o.fetch } : {}),
    ...(o.onRequest ? { onRequest: o.onRequest } : {}),
    clientOptions: { writeHeaders: { 'X-Lognex-WebHook-DisableByPrefix': hookUrlPrefix(o.publicBaseUrl) } },
  });
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
