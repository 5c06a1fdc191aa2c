/**
 * @module http-app
 * The service's HTTP app handed to the bound server: the platform API, the admin panel, /metrics,
 * media, MoySklad webhooks, and in demo mode the demo emulator under `/demo-moysklad/`.
 */
import type { Hono } from 'hono';
import type { Clock } from '../core/clock.js';
import { trustedProxies } from '../core/client-address.js';
import type { SecretBox } from '../core/secret-box.js';
import { DEFAULT_MOYSKLAD_BASE_URL } from '../config/config.js';
import { DEMO_MOYSKLAD_PATH, serveDemoMoySklad } from '../emulator/demo-sharing.js';
import type { IntegrationLog } from '../log/integration-log.js';
import { metrics } from '../metrics/metrics.js';
import type { OutboxWake } from '../app/order-service.js';
import type { JobQueue } from '../queue/index.js';
import { mountAdminPanel } from '../server/admin/admin-panel.js';
import { createApp } from '../server/app.js';
import { createMetricsHandler } from '../server/metrics.js';
import { mountHookRoutes } from '../server/routes/hooks.routes.js';
import { mountMediaRoutes } from '../server/routes/media.routes.js';
import { IntegrationSetupService } from '../setup/integration-setup.js';
import type { StoreDatabase } from '../store/database.js';
import { migrationStatus } from '../store/migrate.js';
import type { MoySkladClientPool } from '../sync/client-pool.js';
import type { SyncRegistry } from '../sync/sync-registry.js';
import { WEBHOOKS_KIND } from '../sync/webhooks/webhook-sync-kinds.js';
import type { BoundServer } from './bind-server.js';
import type { DemoMoySklad } from './demo-emulator.js';
import type { RuntimeConfig, ServiceLogger } from './runtime-types.js';

export interface HttpAppDeps {
  config: RuntimeConfig;
  store: StoreDatabase;
  box: SecretBox;
  clock: Clock;
  logger: ServiceLogger;
  queue: JobQueue;
  syncs: SyncRegistry;
  clients: MoySkladClientPool;
  log: IntegrationLog;
  demo: DemoMoySklad | null;
  wake?: OutboxWake | undefined;
}

/** Builds the app, hands it to the bound server and returns the admin panel's URL. */
export function serveHttpApp(bound: BoundServer, d: HttpAppDeps): string {
  const { config, store, clock, queue, syncs } = d;
  const app = createApp({
    db: store.db,
    clock,
    ...(d.wake ? { wake: d.wake } : {}),
    enqueuer: queue,
    syncs,
    publicBaseUrl: config.publicBaseUrl,
    defaultTimeZone: config.timezone,
    secretBox: d.box,
    logger: d.logger,
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
          secretBox: d.box,
          clients: d.clients,
          defaultBaseUrl: config.moysklad?.baseUrl ?? d.demo?.apiBaseUrl ?? DEFAULT_MOYSKLAD_BASE_URL,
          onSecret: (s) => d.log.redactor.addSecret(s),
          // B3: register (or remove) the account's webhooks right away.
          onActiveChanged: async (id) => {
            await queue.enqueue({ kind: WEBHOOKS_KIND, integrationId: id, trigger: 'admin' });
          },
        }),
        logDir: config.logDir,
        publicBaseUrl: config.publicBaseUrl,
        trustedProxies: trustedProxies(config.trustedProxies),
        ...(d.wake ? { wake: d.wake } : {}),
      }),
    mountExtra: (a: Hono) => {
      const handler = createMetricsHandler(metrics);
      a.get('/metrics', () => handler());
      mountMediaRoutes(a, { db: store.db, clock, dataDir: config.dataDir });
      mountHookRoutes(a, { db: store.db, clock, enqueuer: queue, logger: d.logger });
      const demoRef = d.demo;
      if (demoRef?.hosts) a.all(`${DEMO_MOYSKLAD_PATH}/*`, (c) => serveDemoMoySklad(c.req.raw, demoRef.fetch, demoRef.hosts ?? []));
    },
  });
  bound.setHandler((req) => app.fetch(req));
  d.logger.info({ url: bound.url }, 'HTTP server listening');
  return `${config.publicBaseUrl.replace(/\/$/, '')}/admin`;
}
