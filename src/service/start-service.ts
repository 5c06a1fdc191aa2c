/**
 * @module start-service
 * `start`/`serve`/`worker`: runs the server and/or the worker and schedules until `stop()`.
 *
 * Start order is chosen so that bad configuration changes nothing: the port is bound first
 * (port in use → fail), then the database is reached (unreachable → fail), then the secret key
 * is checked against stored data (wrong key → fail), and only then are migrations run and the
 * demo data, key file and logs written.
 */
import { hostname } from 'node:os';
import { systemClock, type Clock } from '../core/clock.js';
import type { SecretBox } from '../core/secret-box.js';
import { tightenTree } from '../core/private-files.js';
import { startBanner } from '../app/start-banner.js';
import { metrics } from '../metrics/metrics.js';
import type { JobQueue } from '../queue/index.js';
import type { StoreDatabase } from '../store/database.js';
import { JobTargetRepository } from '../store/repositories/job-target-repository.js';
import type { SyncRegistry } from '../sync/sync-registry.js';
import { ensureAdminUser } from './admin-login.js';
import { startJobQueue, lateEnqueuer, startProcessOrderSender, startSchedules, startWorker } from './background-work.js';
import { bindServer, type BoundServer } from './bind-server.js';
import { ensureCentralIntegration } from './central-integration.js';
import { buildSyncRegistry, createClientPool, createIntegrationLog, type SyncDeps } from './compose-syncs.js';
import { startDemoEmulator, type DemoMoySklad } from './demo-emulator.js';
import { startFirstRuns } from './first-runs.js';
import { serveHttpApp } from './http-app.js';
import { prepareStore } from './open-store.js';
import type { RunningService, RuntimeConfig, ServiceDeps, ServiceModes } from './runtime-types.js';
import { ShutdownSteps } from './shutdown.js';
import type { OutboxWake } from '../app/order-service.js';

/** What the store phase yields: the database, its secret box, the demo MoySklad and the quick start's integration. */
interface Opened {
  store: StoreDatabase;
  box: SecretBox;
  demo: DemoMoySklad | null;
  integrationId: number | null;
}

/** Database, file modes, the demo emulator and the quick start's integration. */
async function openData(config: RuntimeConfig, modes: ServiceModes, deps: ServiceDeps, clock: Clock, shutdown: ShutdownSteps): Promise<Opened> {
  const { store, box } = await prepareStore(config, clock);
  shutdown.add(() => store.destroy());
  // S4: an install made before files were private is tightened (directories 0700, files 0600).
  for (const dir of [config.dataDir, config.logDir]) tightenTree(dir);
  let demo: DemoMoySklad | null = null;
  // Without MOYSKLAD_* the MoySklad of this process is the in-process demo emulator.
  if (!config.moysklad && (modes.bootstrap || modes.worker)) {
    demo = await (deps.startDemoMoySklad ?? startDemoEmulator)(clock, config.dataDir);
    const demoRef = demo;
    shutdown.add(() => demoRef.close());
  }
  const integrationId = modes.bootstrap ? await ensureCentralIntegration({ store, box, clock, config, demo, logger: deps.logger, console: deps.console }) : null;
  return { store, box, demo, integrationId };
}

/** The quick start's last steps: the admin login, the first syncs, the banner. */
async function bootstrap(
  o: { config: RuntimeConfig; deps: ServiceDeps; clock: Clock; opened: Opened; queue: JobQueue; syncs: SyncRegistry; wake: OutboxWake | undefined; bound: BoundServer | null; adminUrl: string | null },
  shutdown: ShutdownSteps,
): Promise<void> {
  const { config, clock, opened, bound } = o;
  const admin = await ensureAdminUser(opened.store, clock, config.adminLogin, config.adminPassword);
  if (opened.integrationId !== null) {
    const abort = await startFirstRuns({ db: opened.store.db, clock, queue: o.queue, syncs: o.syncs, integrationId: opened.integrationId, demo: opened.demo !== null, wake: o.wake, logger: o.deps.logger });
    if (abort) shutdown.add(abort);
  }
  if (bound) {
    o.deps.console.out(
      startBanner({
        url: bound.url,
        demo: opened.demo !== null,
        adminUrl: o.adminUrl ?? '',
        login: admin.login,
        password: admin.generatedPassword,
        passwordSource: admin.generatedPassword ? 'generated' : admin.created ? 'env' : 'existing',
        apiDocsUrl: `${config.publicBaseUrl.replace(/\/$/, '')}/api/v1/docs`,
      }),
    );
  }
}

/** Runs the server and/or the worker and schedules until `stop()`. */
export async function startService(config: RuntimeConfig, modes: ServiceModes, deps: ServiceDeps): Promise<RunningService> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger;
  const shutdown = new ShutdownSteps(logger);
  try {
    const bound = modes.server ? await bindServer(config.port, config.host) : null;
    if (bound) shutdown.setServer(() => bound.close());
    const opened = await openData(config, modes, deps, clock, shutdown);
    const { store, box, demo } = opened;
    const clients = createClientPool({
      store,
      box,
      clock,
      publicBaseUrl: config.publicBaseUrl,
      fetch: demo?.fetch,
      // B9: MoySklad requests by status and code, and 429s, on /metrics.
      onRequest: (event) => metrics.recordMoyskladRequest(event.status ?? 0, event.msCode),
    });
    const log = createIntegrationLog(config, store.db, clock, logger);
    shutdown.add(async () => log.close());
    const enqueuer = lateEnqueuer();
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
      enqueuer,
      // P3: a single process (`start`) restarted on this host takes its own in-flight rows back at once.
      instanceId: modes.server && modes.worker ? `${hostname()}:start` : `${hostname()}:${process.pid}`,
    };
    const syncs = buildSyncRegistry(syncDeps);
    const queue = await startJobQueue({ config, store, clock, logger, syncs, enqueuer }, (step) => shutdown.add(step));

    // The queue reads product tables only through these (credential of a job, schedule targets, C10 blocks).
    const jobTargets = new JobTargetRepository(store.db);
    if (modes.worker) {
      const worker = startWorker({ store, queue, clock, logger, jobTargets, clients });
      shutdown.add(() => worker.stop({ deadlineMs: 10_000 }));
    }
    // P1: a commit wakes the outbox sender (this process's, or the workers' through NOTIFY).
    const outbox = await startProcessOrderSender(config, modes, store, syncDeps, logger);
    shutdown.add(() => outbox.stop());
    if (modes.schedules) shutdown.add(startSchedules(config, queue, store, clock, logger, jobTargets));

    const adminUrl = bound ? serveHttpApp(bound, { config, store, box, clock, logger, queue, syncs, clients, log, demo, wake: outbox.wake }) : null;
    if (modes.bootstrap) await bootstrap({ config, deps, clock, opened, queue, syncs, wake: outbox.wake, bound, adminUrl }, shutdown);
    return { url: bound?.url ?? null, adminUrl, integrationId: opened.integrationId, stop: shutdown.stop };
  } catch (e) {
    await shutdown.stop();
    throw e;
  }
}
