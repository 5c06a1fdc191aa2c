/**
 * @module main
 * The composition root: the only place that builds real I/O (database, HTTP server, queue,
 * worker, schedules, the demo emulator) from the configuration. The CLI calls `startService`
 * for `start`/`serve`/`worker`, and `openStore`/`prepareStore` for one-shot commands.
 *
 * Its parts live in `src/service/`, one job a module:
 * - `runtime-types`: configuration, logger, modes, the running service, `StartupError`;
 * - `open-store`: reach the database, check the secret key, migrate;
 * - `bind-server`: the port bound first (503 `starting` until the app is ready);
 * - `compose-syncs`: the MoySklad client pool, the integration log, the `SyncRegistry`;
 * - `demo-emulator`, `central-integration`, `admin-login`, `first-runs`: the quick start;
 * - `background-work`: job queue, worker, outbox sender, schedules;
 * - `http-app`: the API, admin panel, metrics, media and hooks on the bound server;
 * - `shutdown`: the stop order; `start-service`: the start order.
 */
export { StartupError, type ConsoleOut, type RunningService, type RuntimeConfig, type ServiceDeps, type ServiceLogger, type ServiceModes } from './service/runtime-types.js';
export { openSecretBox, openStore, prepareStore, SECRET_KEY_FILE } from './service/open-store.js';
export { bindServer, type BoundServer } from './service/bind-server.js';
export { ensureAdminUser, setAdminPassword } from './service/admin-login.js';
export { buildSyncRegistry, createClientPool, createIntegrationLog, orderSyncDepsOf, type SyncDeps } from './service/compose-syncs.js';
export { DEMO_EMULATOR_STATE_FILE, startDemoEmulator, type DemoMoySklad } from './service/demo-emulator.js';
export { ensureCentralIntegration } from './service/central-integration.js';
export { runInOrder } from './service/first-runs.js';
export { startService } from './service/start-service.js';
export { firstSyncRequests } from './app/first-syncs.js';
